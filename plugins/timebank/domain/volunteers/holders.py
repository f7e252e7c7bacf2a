"""Holders: a person's holder with open accounts, registering a service recipient, the loan
exception, and verified family relations."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import (
    Applicant,
    Conflict,
    InvalidInput,
    NotFound,
    record_audit,
    register_applicant,
)
from plugins.timebank.domain import access, ledger
from plugins.timebank.domain.settings import (
    INVERSE_RELATION,
    RELATION_LABELS,
    Settings,
    settings,
)
from plugins.timebank.models import Holder, Relation


def ensure_person(session: Session, applicant: Applicant, community: str, *, actor: str,
                  rules: Settings, lives_alone: bool | None = None, address: str | None = None) -> Holder:
    """The person's holder with open accounts (created, or reopened after leaving)."""
    if not rules.is_community(community):
        raise InvalidInput(f"社区 {community} 不在时间银行的社区名单中", code="unknown_community",
                           field="community")
    holder = session.scalar(select(Holder).where(Holder.applicant_id == applicant.id))
    created = holder is None
    if created:
        holder = Holder(kind="person", applicant_id=applicant.id, name=applicant.name,
                        community=community, subject=applicant.id_number, status="active",
                        lives_alone=bool(lives_alone), address=(address or "").strip())
        session.add(holder)
        session.flush()
    else:
        if holder.status != "active":
            holder.status, holder.closed_at, holder.close_reason = "active", None, ""
        holder.community = community
        if lives_alone is not None:
            holder.lives_alone = bool(lives_alone)
        if address:
            holder.address = address.strip()
    ledger.open_holder_accounts(session, holder.id, community)
    ledger.community_accounts(session, community)
    record_audit(session, actor=actor, action="timebank.holder_opened" if created else "timebank.holder_updated",
                 object_type="tb_holder", object_id=holder.id, subject=holder.subject,
                 data={"community": community, "lives_alone": holder.lives_alone})
    return holder


def register_recipient(quanke, actor, *, id_number: str, name: str, phone: str = "", community: str,
                       address: str = "", lives_alone: bool = False) -> Holder:
    """A social worker registers a service recipient (服务对象档案) with an account."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        access.require_social_worker(actor, "登记服务对象")
        if not (address or "").strip():
            raise InvalidInput("请填写服务对象的居住地址", code="address_required", field="address")
        applicant, _ = register_applicant(session, kind="person", id_number=id_number, name=name,
                                           phone=phone, actor=access.actor_key(actor))
        return ensure_person(session, applicant, community, actor=access.actor_key(actor), rules=rules,
                             lives_alone=lives_alone, address=address)


def set_loan_exception(quanke, actor, holder_id: int, reason: str) -> Holder:
    """Record why a person may borrow although the age/living-alone rule does not cover
    them (e.g. severe disability); an empty reason removes the exception."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        holder = _holder(session, holder_id)
        access.require_admin(session, actor, rules, holder.community, "认定借贷资格")
        holder.loan_exception = (reason or "").strip()[:500]
        record_audit(session, actor=access.actor_key(actor), action="timebank.loan_exception",
                     object_type="tb_holder", object_id=holder.id, subject=holder.subject,
                     data={"reason": holder.loan_exception})
        return holder


def _holder(session: Session, holder_id: int) -> Holder:
    holder = session.get(Holder, holder_id)
    if holder is None:
        raise NotFound("账户不存在", code="holder_not_found")
    return holder



# --------------------------------------------------------------------------- relatives


def add_relation(quanke, actor, *, holder_id: int, relative_id: int, relation: str, evidence: str) -> None:
    """Record a verified family relation (both directions), e.g. after checking 户口簿. Any
    known relation may confirm services for a relative; transfers are limited to the
    configured direct relations (``TIMEBANK_RELATIONS``)."""
    if relation not in RELATION_LABELS:
        raise InvalidInput("亲属关系不正确", code="unknown_relation", field="relation")
    evidence = (evidence or "").strip()
    if len(evidence) < 2:
        raise InvalidInput("请写明核验的证明材料（如户口簿、结婚证）", code="evidence_required", field="evidence")
    if holder_id == relative_id:
        raise InvalidInput("不能登记本人为自己的亲属", code="self_relation")
    with quanke.db.session() as session:
        access.require_social_worker(actor, "登记亲属关系")
        holder, relative = _holder(session, holder_id), _holder(session, relative_id)
        if holder.kind != "person" or relative.kind != "person":
            raise InvalidInput("只有个人之间可以登记亲属关系", code="relation_not_person")
        if session.scalar(select(Relation.id).where(Relation.holder_id == holder_id,
                                                    Relation.relative_id == relative_id)) is not None:
            raise Conflict("该亲属关系已登记", code="relation_exists")
        who = access.actor_key(actor)
        session.add_all([
            Relation(holder_id=holder_id, relative_id=relative_id, relation=relation, evidence=evidence,
                     verified_by=who),
            Relation(holder_id=relative_id, relative_id=holder_id, relation=INVERSE_RELATION[relation],
                     evidence=evidence, verified_by=who)])
        session.flush()
        record_audit(session, actor=who, action="timebank.relation_added", object_type="tb_holder",
                     object_id=holder_id, subject=holder.subject,
                     data={"relative": relative_id, "relation": relation, "evidence": evidence})

