"""The double-entry ledger: every balance change of the time bank goes through :func:`post`.

Rules kept here, for every caller:

* amounts are whole minutes (``int``, never ``bool``/``float``); a journal's lines sum to 0;
* the accounts a journal touches are locked ``SELECT … FOR UPDATE`` in ascending id order
  (one global order, so two journals never wait on each other in a cycle), their new
  balances checked against the floors, then journal, movements and cached balances are
  written and the operation is audited — all in the caller's transaction;
* a holder's service/goods/cash accounts, a community's donation pool and escrow never go
  below zero; a loan account only goes down in a ``loan`` journal (or the reversal of a
  repayment) and never below the configured loan limit;
* journals and movements are immutable; :func:`reverse` posts the exact opposite once.

Callers lock their business rows (a request, a goods item) *before* calling :func:`post`.
A transfer is three statements in one transaction — lock the accounts, write journal,
movements and balances (one statement on PostgreSQL), append the audit event — and takes no
lock but the two accounts' rows: the audit append is a plain insert that the core's sealer
chains after the commit, so transfers on different accounts never wait on each other.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.api import Conflict, InvalidInput, InvalidState, NotFound, now, record_audit

from plugins.timebank.models import Account, Journal, Movement
from plugins.timebank.domain.settings import Settings

BUCKETS = ("service", "goods", "cash")
HOLDER_KINDS = BUCKETS + ("loan",)
COMMUNITY_KINDS = ("issued", "redeemed", "supermarket", "cash_paid", "donation", "escrow", "interbank")
ACCOUNT_LABELS = {
    "service": "服务时长（70%）", "goods": "慈善超市兑换（20%）", "cash": "现金补贴（10%）",
    "loan": "借贷时长", "issued": "存入来源", "redeemed": "服务支取", "supermarket": "慈善超市",
    "cash_paid": "现金结算", "donation": "社区捐赠池", "escrow": "预约冻结", "interbank": "通兑清算",
}
JOURNAL_LABELS = {
    "service": "服务存入", "deposit": "活动存入", "hold": "预约冻结", "release": "冻结释放",
    "exchange": "超市兑换", "cash": "现金结算", "transfer": "亲属转赠", "loan": "借贷",
    "repay": "主动还贷", "donate": "捐赠", "leave": "退出结清", "settlement": "通兑清算",
    "reversal": "冲正", "grant": "捐赠池资助",
}
#: Which of a holder's accounts each kind of journal may take minutes *from*: a goods
#: exchange only from the 20% bucket, a cash settlement only from the 10% bucket, …
HOLDER_DEBITS = {
    "hold": {"service"}, "transfer": {"service"}, "repay": {"service"}, "exchange": {"goods"},
    "cash": {"cash"}, "loan": {"loan"}, "donate": set(BUCKETS), "leave": set(BUCKETS),
    "reversal": set(HOLDER_KINDS),
}
#: Accounts that may never be negative.
NON_NEGATIVE = frozenset(BUCKETS + ("donation", "escrow"))
_TABLE = Account.__table__
_MOVEMENTS = Movement.__table__
_JOURNALS = Journal.__table__


def holder_key(holder_id: int, kind: str) -> str:
    return f"h:{holder_id}:{kind}"


def community_key(community: str, kind: str) -> str:
    return f"c:{community}:{kind}"


def fmt_minutes(minutes: int) -> str:
    """``90`` → ``1小时30分``; ``45`` → ``45分钟``; negative values keep their sign."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(int(minutes)), 60)
    if not h:
        return f"{sign}{m}分钟"
    return f"{sign}{h}小时{m}分" if m else f"{sign}{h}小时"


def require_minutes(value, *, field: str = "minutes", what: str = "时长", allow_zero: bool = False) -> int:
    """A positive whole number of minutes, or a clear error (never rounded silently)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}必须是整数分钟（不接受小数或秒）", code="minutes_not_integer", field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(f"{what}必须大于零", code="minutes_not_positive", field=field)
    return value


def parse_minutes(raw, *, field: str = "minutes", what: str = "时长") -> int:
    """Minutes typed on a form: ``90``, ``1:30`` or ``1:30:00``. Seconds other than :00,
    fractions and negative values are refused with a message saying why."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if isinstance(raw, float):
            if not raw.is_integer():
                raise InvalidInput(f"{what}必须是整分钟，不能有小数", code="minutes_not_integer", field=field)
            raw = int(raw)
        return require_minutes(raw, field=field, what=what)
    value = str(raw or "").strip()
    if not value.isascii():
        raise InvalidInput(f"{what}只能用数字0-9填写", code="minutes_invalid", field=field)
    if not value:
        raise InvalidInput(f"请填写{what}（分钟）", code="minutes_required", field=field)
    if value.startswith("-"):
        raise InvalidInput(f"{what}不能为负数", code="minutes_not_positive", field=field)
    if ":" in value or "：" in value:
        parts = value.replace("：", ":").split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise InvalidInput(f"{what}格式应为“分钟”或“时:分”", code="minutes_invalid", field=field)
        if len(parts) == 3 and int(parts[2]) != 0:
            raise InvalidInput(f"{what}必须是整分钟，不能含秒", code="minutes_not_integer", field=field)
        if int(parts[1]) >= 60:
            raise InvalidInput(f"{what}的分钟部分应小于60", code="minutes_invalid", field=field)
        return require_minutes(int(parts[0]) * 60 + int(parts[1]), field=field, what=what)
    if not value.isdigit():
        if value.replace(".", "", 1).isdigit():
            raise InvalidInput(f"{what}必须是整分钟，不能有小数", code="minutes_not_integer", field=field)
        raise InvalidInput(f"{what}必须是整数分钟", code="minutes_invalid", field=field)
    return require_minutes(int(value), field=field, what=what)


# --------------------------------------------------------------------------- accounts


def _insert_ignore(session: Session, rows: list[dict]) -> None:
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(maker(_TABLE).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def _ids_for(session: Session, keys: dict[str, str]) -> dict[str, int]:
    found = dict(session.execute(select(Account.key, Account.id).where(Account.key.in_(keys.values()))).all())
    return {kind: found[key] for kind, key in keys.items() if key in found}


def community_accounts(session: Session, community: str) -> dict[str, int]:
    """The community's system accounts (created on first use), kind → account id."""
    keys = {k: community_key(community, k) for k in COMMUNITY_KINDS}
    ids = _ids_for(session, keys)
    if len(ids) < len(keys):
        _insert_ignore(session, [{"key": key, "holder_id": None, "community": community, "kind": kind,
                                  "balance": 0, "status": "open", "created_at": now()}
                                 for kind, key in keys.items() if kind not in ids])
        ids = _ids_for(session, keys)
    return ids


def open_holder_accounts(session: Session, holder_id: int, community: str) -> dict[str, int]:
    """Create (or reopen) the holder's four accounts; kind → account id."""
    keys = {k: holder_key(holder_id, k) for k in HOLDER_KINDS}
    ids = _ids_for(session, keys)
    missing = [{"key": key, "holder_id": holder_id, "community": community, "kind": kind,
                "balance": 0, "status": "open", "created_at": now()}
               for kind, key in keys.items() if kind not in ids]
    if missing:
        _insert_ignore(session, missing)
        ids = _ids_for(session, keys)
    session.execute(update(Account).where(Account.holder_id == holder_id)
                    .values(status="open", community=community))
    return ids


def holder_accounts(session: Session, holder_id: int) -> dict[str, int]:
    ids = _ids_for(session, {k: holder_key(holder_id, k) for k in HOLDER_KINDS})
    if len(ids) < len(HOLDER_KINDS):
        raise NotFound("该账户不存在或尚未开户", code="account_not_found")
    return ids


def balances(session: Session, holder_id: int) -> dict[str, int]:
    """Current balances of a holder's accounts (read without locking)."""
    rows = session.execute(select(Account.kind, Account.balance).where(Account.holder_id == holder_id)).all()
    out = {k: 0 for k in HOLDER_KINDS}
    out.update({kind: int(balance) for kind, balance in rows})
    return out


#: Built once (a transfer is a hot path): the accounts' rows, in id order.
_READ_ACCOUNTS = (select(_TABLE.c.id, _TABLE.c.balance, _TABLE.c.kind, _TABLE.c.status, _TABLE.c.key)
                  .where(_TABLE.c.id.in_(bindparam("ids", expanding=True))).order_by(_TABLE.c.id))
_LOCK_ACCOUNTS = _READ_ACCOUNTS.with_for_update()


def lock_balances(session: Session, account_ids) -> dict[int, dict]:
    """Lock accounts in ascending id order and return id → {balance, kind, status, key}."""
    ids = sorted(set(account_ids))
    postgres = session.get_bind().dialect.name == "postgresql"
    stmt = _LOCK_ACCOUNTS if postgres else _READ_ACCOUNTS  # SQLite: the write lock is held
    rows = {r.id: {"balance": int(r.balance), "kind": r.kind, "status": r.status, "key": r.key}
            for r in session.execute(stmt, {"ids": ids})}
    if len(rows) != len(ids):
        raise NotFound("账户不存在", code="account_not_found")
    return rows


# --------------------------------------------------------------------------- posting


@dataclass(frozen=True)
class Posted:
    journal_id: int
    balances: dict[int, int]  # account id → balance after


_INSERT_JOURNAL = insert(_JOURNALS).returning(_JOURNALS.c.id)
_UPDATE_BALANCE = (update(_TABLE).where(_TABLE.c.id == bindparam("b_id"))
                   .values(balance=bindparam("b_balance")))


#: PostgreSQL: journal, movements and balances in ONE statement (one round trip instead of
#: three while the accounts are locked). Data-modifying CTEs all run; the row triggers that
#: keep the ledger immutable only refuse UPDATE/DELETE of journals and movements.
_WRITE_PG = text("""
    WITH j AS (
        INSERT INTO tb_journals (kind, community, holder_id, minutes, category, request_id, reverses_id,
                                 memo, ref, actor, at)
        VALUES (:kind, :community, :holder_id, :minutes, :category, :request_id, :reverses_id,
                :memo, CAST(:ref AS JSON), :actor, :at)
        RETURNING id),
    m AS (
        INSERT INTO tb_movements (journal_id, account_id, amount, balance_after)
        SELECT j.id, v.account_id, v.amount, v.balance_after
        FROM j, unnest(CAST(:accounts AS INTEGER[]), CAST(:amounts AS BIGINT[]), CAST(:afters AS BIGINT[]))
             AS v(account_id, amount, balance_after)),
    u AS (
        UPDATE tb_accounts AS a SET balance = v.balance_after
        FROM unnest(CAST(:accounts AS INTEGER[]), CAST(:afters AS BIGINT[])) AS v(id, balance_after)
        WHERE a.id = v.id)
    SELECT id FROM j""")


def _write_pg(session: Session, journal: dict, ids: list[int], amounts: list[int], afters: list[int]) -> int:
    params = dict(journal, ref=json.dumps(journal["ref"], ensure_ascii=False, default=str),
                  at=journal["at"].astimezone(dt.timezone.utc).replace(tzinfo=None),  # as UTCDateTime stores it
                  accounts=ids, amounts=amounts, afters=afters)
    return session.execute(_WRITE_PG, params).scalar_one()


def _check_floor(account: dict, amount: int, new: int, journal_kind: str, rules: Settings) -> None:
    label = ACCOUNT_LABELS.get(account["kind"], account["kind"])
    if account["status"] != "open":
        raise InvalidState(f"账户已关闭（{label}），不能记账", code="account_closed")
    if account["kind"] in NON_NEGATIVE and new < 0:
        raise InvalidInput(
            f"{label}余额不足：现有 {fmt_minutes(account['balance'])}，需要 {fmt_minutes(-amount)}",
            code="insufficient_balance",
            details={"account": account["key"], "balance": account["balance"], "needed": -amount})
    if account["kind"] == "loan":
        if amount < 0 and journal_kind not in ("loan", "reversal"):
            raise InvalidInput("借贷时长只能通过经批准的借贷增加", code="loan_not_approved")
        if new < -rules.loan_limit_minutes:
            raise InvalidInput(f"借贷超过上限 {fmt_minutes(rules.loan_limit_minutes)}",
                               code="loan_above_limit",
                               details={"limit": rules.loan_limit_minutes, "owed_after": -new})
        if new > 0:
            raise InvalidInput("还款超过所欠时长", code="repay_above_owed")


def post(session: Session, *, kind: str, lines, community: str, actor: str, rules: Settings,
         holder_id: int | None = None, minutes: int = 0, category: str = "",
         request_id: int | None = None, reverses_id: int | None = None, memo: str = "",
         ref: dict | None = None, subject: str = "", at: dt.datetime | None = None) -> Posted:
    """Write one balanced journal. ``lines``: iterable of ``(account_id, minutes)`` (several
    lines on one account are merged). Raises with nothing written when a rule is broken."""
    merged: dict[int, int] = {}
    for account_id, amount in lines:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidInput("记账金额必须是整数分钟", code="minutes_not_integer")
        merged[account_id] = merged.get(account_id, 0) + amount
    merged = {a: m for a, m in merged.items() if m}
    if not merged:
        raise InvalidInput("没有需要记账的金额", code="empty_journal")
    if sum(merged.values()) != 0:
        raise InvalidInput("借贷不平衡：分录合计必须为零", code="unbalanced_journal")
    locked = lock_balances(session, merged)
    allowed = HOLDER_DEBITS.get(kind, set())
    for account_id, amount in merged.items():
        account = locked[account_id]
        if amount < 0 and account["key"].startswith("h:") and account["kind"] not in allowed:
            raise InvalidInput(f"“{JOURNAL_LABELS.get(kind, kind)}”不能从{ACCOUNT_LABELS[account['kind']]}支取",
                               code="wrong_bucket", details={"account": account["key"], "journal": kind})
    new_balances: dict[int, int] = {}
    for account_id in sorted(merged):
        account, amount = locked[account_id], merged[account_id]
        new = account["balance"] + amount
        _check_floor(account, amount, new, kind, rules)
        new_balances[account_id] = new
    moment = now()
    if at is not None and at > moment + dt.timedelta(minutes=1):
        raise InvalidInput("记账时间不能晚于现在", code="posted_in_future")
    at = at or moment
    journal = {"kind": kind, "community": community, "holder_id": holder_id, "minutes": minutes,
               "category": category, "request_id": request_id, "reverses_id": reverses_id, "memo": memo,
               "ref": ref or {}, "actor": actor, "at": at}
    ids = sorted(merged)
    if session.get_bind().dialect.name == "postgresql":
        journal_id = _write_pg(session, journal, ids, [merged[a] for a in ids], [new_balances[a] for a in ids])
    else:
        journal_id = session.execute(_INSERT_JOURNAL, journal).scalar_one()
        session.execute(insert(_MOVEMENTS), [
            {"journal_id": journal_id, "account_id": a, "amount": merged[a], "balance_after": new_balances[a]}
            for a in ids])
        session.execute(_UPDATE_BALANCE, [{"b_id": a, "b_balance": b} for a, b in new_balances.items()])
    record_audit(session, actor=actor, action=f"timebank.{kind}", object_type="tb_journal",
                 object_id=journal_id, subject=subject,
                 data={"community": community, "minutes": minutes, "memo": memo,
                       "lines": [[locked[a]["key"], merged[a]] for a in sorted(merged)],
                       **({"reverses": reverses_id} if reverses_id else {}), **(ref or {})}, at=at)
    return Posted(journal_id, new_balances)


def transfer(session: Session, *, source: int, target: int, minutes: int, actor: str, rules: Settings,
             community: str, kind: str = "transfer", holder_id: int | None = None, memo: str = "",
             subject: str = "", ref: dict | None = None) -> Posted:
    """Move ``minutes`` from one account to another (the simplest journal)."""
    require_minutes(minutes)
    if source == target:
        raise InvalidInput("转出和转入不能是同一个账户", code="same_account")
    return post(session, kind=kind, lines=[(source, -minutes), (target, minutes)], community=community,
                actor=actor, rules=rules, holder_id=holder_id, minutes=minutes, memo=memo,
                subject=subject, ref=ref)


def journal_lines(session: Session, journal_id: int) -> list[tuple[int, int]]:
    return [(a, int(m)) for a, m in session.execute(
        select(Movement.account_id, Movement.amount).where(Movement.journal_id == journal_id)
        .order_by(Movement.id))]


def reverse(session: Session, journal_id: int, *, actor: str, reason: str, rules: Settings,
            subject: str = "") -> Posted:
    """Post the exact opposite of a journal, once. The only way to correct the ledger."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("请填写冲正理由", code="reason_required", field="reason")
    original = session.get(Journal, journal_id)
    if original is None:
        raise NotFound("流水不存在", code="journal_not_found")
    if original.kind == "reversal":
        raise InvalidState("冲正分录不能再被冲正", code="reversal_of_reversal")
    if session.scalar(select(Journal.id).where(Journal.reverses_id == journal_id)) is not None:
        raise Conflict("该笔流水已经冲正过", code="already_reversed")
    lines = [(a, -m) for a, m in journal_lines(session, journal_id)]
    _refuse_over_cap(session, original.holder_id, lines, rules)
    return post(session, kind="reversal", lines=lines, community=original.community, actor=actor,
                rules=rules, holder_id=original.holder_id, minutes=original.minutes,
                category=original.category, request_id=original.request_id, reverses_id=journal_id,
                memo=reason, subject=subject, ref={"reversed_kind": original.kind})


def _refuse_over_cap(session: Session, holder_id: int | None, lines, rules: Settings) -> None:
    """A reversal that gives a holder minutes back (a withdrawal undone) may not lift the
    stored hours over the cap, as a loan or a family transfer may not."""
    if holder_id is None:
        return
    buckets = set(holder_accounts(session, holder_id)[b] for b in BUCKETS)
    back = sum(m for a, m in lines if a in buckets)
    if back <= 0:
        return
    held = sum(v["balance"] for v in lock_balances(session, sorted(buckets)).values())
    if held + back > rules.storage_cap_minutes:
        raise InvalidInput(f"冲正后时间存储将超过上限{fmt_minutes(rules.storage_cap_minutes)}"
                           f"（现有{fmt_minutes(held)}），请先捐赠超出部分再冲正",
                           code="storage_cap_exceeded")


# --------------------------------------------------------------------------- 721 split


def split_721(minutes: int, rules: Settings) -> dict[str, int]:
    """Service / goods / cash parts of a deposit. Goods and cash are rounded down, the
    service bucket takes the remainder, so the parts always add up to the deposit."""
    _, goods_pct, cash_pct = rules.split
    goods = minutes * goods_pct // 100
    cash = minutes * cash_pct // 100
    return {"service": minutes - goods - cash, "goods": goods, "cash": cash}


# --------------------------------------------------------------------------- invariants


def verify(session: Session) -> list[str]:
    """Every invariant of the ledger, checked from the stored rows; [] when all hold."""
    problems: list[str] = []
    total = session.scalar(select(func.coalesce(func.sum(Movement.amount), 0)))
    if int(total) != 0:
        problems.append(f"全部流水合计为 {total}，不为零")
    for journal_id, s in session.execute(
            select(Movement.journal_id, func.sum(Movement.amount)).group_by(Movement.journal_id)
            .having(func.sum(Movement.amount) != 0)):
        problems.append(f"分录 {journal_id} 合计 {s}，借贷不平衡")
    lonely = session.scalar(select(func.count(Journal.id)).where(
        ~select(Movement.id).where(Movement.journal_id == Journal.id).exists()))
    if lonely:
        problems.append(f"{lonely} 笔分录没有流水行")
    sums = dict(session.execute(select(Movement.account_id, func.sum(Movement.amount))
                                .group_by(Movement.account_id)).all())
    for account in session.scalars(select(Account)):
        expected = int(sums.get(account.id, 0))
        if int(account.balance) != expected:
            problems.append(f"账户 {account.key} 余额 {account.balance} ≠ 流水合计 {expected}")
        if account.kind in NON_NEGATIVE and account.balance < 0:
            problems.append(f"账户 {account.key} 余额为负（{account.balance}）")
        if account.kind == "loan" and account.balance > 0:
            problems.append(f"借贷账户 {account.key} 余额为正（{account.balance}）")
    running = text("""
        SELECT account_id, id FROM (
            SELECT account_id, id, balance_after,
                   SUM(amount) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM tb_movements) m
        WHERE running <> balance_after LIMIT 5""")
    for account_id, movement_id in session.execute(running):
        problems.append(f"账户 {account_id} 的流水 {movement_id} 结余与累计不符")
    return problems
