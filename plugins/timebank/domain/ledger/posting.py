"""Posting: :func:`post` writes one balanced journal (and :func:`transfer`, the simplest one);
:func:`reverse` posts the exact opposite of a journal, once.

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

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from core.api import Conflict, InvalidInput, InvalidState, NotFound, now, record_audit
from plugins.timebank.domain.ledger.accounts import holder_accounts, lock_balances
from plugins.timebank.domain.ledger.kinds import (
    ACCOUNT_LABELS,
    BUCKETS,
    HOLDER_DEBITS,
    JOURNAL_LABELS,
    NON_NEGATIVE,
)
from plugins.timebank.domain.ledger.minutes import fmt_minutes, require_minutes
from plugins.timebank.domain.settings import Settings
from plugins.timebank.models import Account, Journal, Movement

_TABLE = Account.__table__
_MOVEMENTS = Movement.__table__
_JOURNALS = Journal.__table__


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

