"""Withdrawals other than services and goods: cash subsidy (10% bucket), family transfer
(service bucket), loans (贷) and their voluntary repayment, donations and grants from the
community donation pool."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import (
    Applicant,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    age_on,
    local_date,
    now,
)

from plugins.timebank.domain import access, ledger
from plugins.timebank.models import CashPayout, Holder, Loan
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.settings import RELATION_LABELS, Settings, settings


def _holder(session: Session, holder_id: int) -> Holder:
    holder = session.get(Holder, holder_id)
    if holder is None:
        raise NotFound("账户不存在", code="holder_not_found")
    return holder


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}元"


# --------------------------------------------------------------------------- cash (10%)


def cash_amount_fen(minutes: int, rules: Settings) -> int:
    """Cash for ``minutes`` at the configured hourly rate, rounded down to the fen."""
    return minutes * rules.cash_rate_fen_per_hour // 60


def settle_cash(quanke, actor, *, holder_id: int, minutes, community: str | None = None,
                at=None) -> int:
    """现金结算: pay the cash subsidy for minutes of the cash bucket; returns the journal id."""
    rules = settings(quanke)
    minutes = ledger.parse_minutes(minutes, what="结算时长")
    with quanke.db.session() as session:
        holder = _holder(session, holder_id)
        community = community or holder.community
        access.require_admin(session, actor, rules, community, "办理现金结算")
        own = ledger.holder_accounts(session, holder.id)
        paid = ledger.community_accounts(session, community)["cash_paid"]
        amount = cash_amount_fen(minutes, rules)
        posted = ledger.post(session, kind="cash", lines=[(own["cash"], -minutes), (paid, minutes)],
                             community=community, actor=access.actor_key(actor), rules=rules, holder_id=holder.id,
                             minutes=minutes, subject=holder.subject, memo=f"现金补贴 {yuan(amount)}",
                             ref={"amount_fen": amount, "rate_fen_per_hour": rules.cash_rate_fen_per_hour}, at=at)
        session.add(CashPayout(journal_id=posted.journal_id, holder_id=holder.id, community=community,
                               minutes=minutes, rate_fen_per_hour=rules.cash_rate_fen_per_hour, amount_fen=amount,
                               paid_by=access.actor_key(actor), **({"at": at} if at else {})))
        return posted.journal_id


# --------------------------------------------------------------------------- family transfer


def transfer_to_relative(quanke, actor, *, holder_id: int, relative_id: int, minutes) -> int:
    """转赠: service hours to a registered direct relative (when the street allows it)."""
    rules = settings(quanke)
    minutes = ledger.parse_minutes(minutes, what="转赠时长")
    if not rules.family_transfer:
        raise Forbidden("本街道未开放亲属转赠", code="family_transfer_off")
    with quanke.db.session() as session:
        holder = _holder(session, holder_id)
        access.require_self_or_staff(session, actor, holder, "转赠时长")
        relation = access.is_relative(session, holder.id, relative_id)
        if relation is None or relation not in rules.relations:
            allowed = "、".join(RELATION_LABELS[r] for r in sorted(rules.relations))
            raise Forbidden(f"只能转赠给已登记的直系亲属（{allowed}）", code="not_a_relative")
        relative = _holder(session, relative_id)
        source = ledger.holder_accounts(session, holder.id)
        target = ledger.holder_accounts(session, relative.id)
        locked = ledger.lock_balances(session, [source["service"], *[target[b] for b in ledger.BUCKETS]])
        held = sum(locked[target[b]]["balance"] for b in ledger.BUCKETS)
        if held + minutes > rules.storage_cap_minutes:
            raise InvalidInput(f"转赠后对方的时间存储将超过上限{ledger.fmt_minutes(rules.storage_cap_minutes)}",
                               code="storage_cap_exceeded")
        posted = ledger.post(session, kind="transfer", lines=[(source["service"], -minutes), (target["service"], minutes)],
                             community=holder.community, actor=access.actor_key(actor), rules=rules,
                             holder_id=holder.id, minutes=minutes, subject=holder.subject,
                             memo=f"转赠给{RELATION_LABELS[relation]}{relative.name}",
                             ref={"to_holder": relative.id, "relation": relation})
        tell(session, relative, "transfer_in", "收到亲属转赠",
             f"{holder.name}向您转赠了{ledger.fmt_minutes(minutes)}服务时长。")
        return posted.journal_id


# --------------------------------------------------------------------------- loans (贷)


def loan_eligibility(session: Session, holder: Holder, rules: Settings) -> tuple[bool, str]:
    if holder.kind != "person":
        return False, "团队不能借贷"
    if holder.loan_exception:
        return True, f"管理员认定：{holder.loan_exception}"
    birth = session.scalar(select(Applicant.birth_date).where(Applicant.id == holder.applicant_id))
    if birth is None:
        return False, "无法确定年龄"
    age = age_on(birth, local_date(now()))
    if age < rules.loan_min_age:
        return False, f"{age}岁，未满{rules.loan_min_age}周岁"
    if rules.loan_requires_living_alone and not holder.lives_alone:
        return False, f"{age}岁，但未登记为独居"
    return True, f"{age}岁" + ("、独居" if holder.lives_alone else "")


def owed(session: Session, holder_id: int) -> int:
    return -ledger.balances(session, holder_id)["loan"]


def grant_loan(quanke, actor, *, holder_id: int, minutes, reason: str, at=None) -> int:
    """批准借贷: service hours lent to an eligible person, up to the limit; repaid first
    from later deposits. Returns the journal id."""
    rules = settings(quanke)
    minutes = ledger.parse_minutes(minutes, what="借贷时长")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("请填写借贷用途", code="reason_required", field="reason")
    with quanke.db.session() as session:
        holder = _holder(session, holder_id)
        access.require_admin(session, actor, rules, holder.community, "批准借贷")
        if holder.status != "active":
            raise InvalidState("账户已关闭", code="account_closed")
        ok, why = loan_eligibility(session, holder, rules)
        if not ok:
            raise Forbidden(f"不符合借贷条件：{why}（须年满{rules.loan_min_age}周岁"
                            + ("且独居" if rules.loan_requires_living_alone else "") + "）", code="loan_not_eligible")
        own = ledger.holder_accounts(session, holder.id)
        locked = ledger.lock_balances(session, [own["loan"], *[own[b] for b in ledger.BUCKETS]])
        already = -locked[own["loan"]]["balance"]
        if already + minutes > rules.loan_limit_minutes:
            raise InvalidInput(f"借贷超过上限：已借 {ledger.fmt_minutes(already)}，上限 "
                               f"{ledger.fmt_minutes(rules.loan_limit_minutes)}，本次最多还可借 "
                               f"{ledger.fmt_minutes(max(0, rules.loan_limit_minutes - already))}",
                               code="loan_above_limit")
        # A loan is for someone short of hours: it may not lift them over the storage cap.
        held = sum(locked[own[b]]["balance"] for b in ledger.BUCKETS)
        if held + minutes > rules.storage_cap_minutes:
            raise InvalidInput(f"借入后时间存储将超过上限{ledger.fmt_minutes(rules.storage_cap_minutes)}"
                               f"（现有{ledger.fmt_minutes(held)}），无需借贷", code="storage_cap_exceeded")
        who = access.actor_key(actor)
        posted = ledger.post(session, kind="loan", lines=[(own["loan"], -minutes), (own["service"], minutes)],
                             community=holder.community, actor=who, rules=rules, holder_id=holder.id,
                             minutes=minutes, subject=holder.subject, memo=reason, ref={"eligibility": why}, at=at)
        session.add(Loan(holder_id=holder.id, journal_id=posted.journal_id, minutes=minutes, reason=reason,
                         eligibility=why, approved_by=who, **({"at": at} if at else {})))
        tell(session, holder, "loan", "借贷时长已到账",
             f"已为您借入{ledger.fmt_minutes(minutes)}服务时长，今后存入的时长将优先归还。")
        return posted.journal_id


def repay_loan(quanke, actor, *, holder_id: int, minutes) -> int:
    """Repay a loan from the service bucket (e.g. after a relative's transfer)."""
    rules = settings(quanke)
    minutes = ledger.parse_minutes(minutes, what="还款时长")
    with quanke.db.session() as session:
        holder = _holder(session, holder_id)
        access.require_self_or_staff(session, actor, holder, "归还借贷")
        own = ledger.holder_accounts(session, holder.id)
        posted = ledger.post(session, kind="repay", lines=[(own["service"], -minutes), (own["loan"], minutes)],
                             community=holder.community, actor=access.actor_key(actor), rules=rules,
                             holder_id=holder.id, minutes=minutes, subject=holder.subject, memo="主动归还借贷")
        return posted.journal_id


# --------------------------------------------------------------------------- donation pool


def donate(quanke, actor, *, holder_id: int, bucket: str, minutes, at=None) -> int:
    """A holder gives minutes of a bucket to the home community's donation pool."""
    rules = settings(quanke)
    minutes = ledger.parse_minutes(minutes, what="捐赠时长")
    if bucket not in ledger.BUCKETS:
        raise InvalidInput("请选择要捐赠的账户（服务、超市或现金）", code="wrong_bucket", field="bucket")
    with quanke.db.session() as session:
        holder = _holder(session, holder_id)
        access.require_self_or_staff(session, actor, holder, "捐赠时长")
        own = ledger.holder_accounts(session, holder.id)
        pool = ledger.community_accounts(session, holder.community)["donation"]
        return ledger.post(session, kind="donate", lines=[(own[bucket], -minutes), (pool, minutes)],
                           community=holder.community, actor=access.actor_key(actor), rules=rules,
                           holder_id=holder.id, minutes=minutes, subject=holder.subject,
                           memo=f"捐赠{ledger.ACCOUNT_LABELS[bucket]}", at=at).journal_id


def grant_from_pool(quanke, actor, *, community: str, holder_id: int, minutes, reason: str) -> int:
    """The administrator gives service hours from the community's donation pool to a needy
    person (the pool never goes below zero)."""
    rules = settings(quanke)
    minutes = ledger.parse_minutes(minutes, what="资助时长")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("请填写资助理由", code="reason_required", field="reason")
    with quanke.db.session() as session:
        access.require_admin(session, actor, rules, community, "动用捐赠池")
        holder = _holder(session, holder_id)
        own = ledger.holder_accounts(session, holder.id)
        pool = ledger.community_accounts(session, community)["donation"]
        return ledger.post(session, kind="grant", lines=[(pool, -minutes), (own["service"], minutes)],
                           community=community, actor=access.actor_key(actor), rules=rules, holder_id=holder.id,
                           minutes=minutes, subject=holder.subject, memo=reason).journal_id


def payouts_total(session: Session, community: str | None = None) -> int:
    stmt = select(func.coalesce(func.sum(CashPayout.amount_fen), 0))
    if community:
        stmt = stmt.where(CashPayout.community == community)
    return int(session.scalar(stmt))


# --------------------------------------------------------------------------- one entry point

#: The only bucket each kind of withdrawal may use (721 rule).
PURPOSE_BUCKET = {"cash": "cash", "exchange": "goods", "transfer": "service"}
PURPOSE_LABELS = {"cash": "现金结算", "exchange": "慈善超市兑换", "transfer": "亲属转赠"}


def withdraw(quanke, actor, *, holder_id: int, bucket: str, purpose: str, minutes=None,
             goods_id: int | None = None, quantity: int | None = None, relative_id: int | None = None) -> int:
    """A withdrawal as the counter asks for it: the bucket must be the purpose's own."""
    if purpose not in PURPOSE_BUCKET:
        raise InvalidInput("支取用途不正确", code="invalid_purpose", field="purpose")
    if bucket not in ledger.BUCKETS:
        raise InvalidInput("请选择账户", code="wrong_bucket", field="bucket")
    if PURPOSE_BUCKET[purpose] != bucket:
        raise InvalidInput(f"{PURPOSE_LABELS[purpose]}只能使用{ledger.ACCOUNT_LABELS[PURPOSE_BUCKET[purpose]]}，"
                           f"不能从{ledger.ACCOUNT_LABELS[bucket]}支取", code="wrong_bucket", field="bucket")
    if purpose == "cash":
        return settle_cash(quanke, actor, holder_id=holder_id, minutes=minutes)
    if purpose == "transfer":
        return transfer_to_relative(quanke, actor, holder_id=holder_id, relative_id=relative_id, minutes=minutes)
    from plugins.timebank.domain.supermarket import exchange
    return exchange(quanke, actor, holder_id=holder_id, goods_id=goods_id, quantity=quantity)
