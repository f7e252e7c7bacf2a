"""Holders, volunteers and teams: certification, profile, training, recipients, leaving.

Certification itself is a core application (``timebank.volunteer``) decided in the
``timebank`` approver queue; :func:`certify_from_application` turns an approved one into a
profile with accounts (run as a must-not-lose job from the ``application_event`` hook, and
idempotent). Leaving (退出) settles or donates every balance and closes the accounts.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.api import (
    Applicant,
    Application,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    local_date,
    now,
    record_audit,
    register_applicant,
)

from plugins.timebank.domain import access, availability, ledger
from plugins.timebank.domain.catalog import CATEGORY_NAMES
from plugins.timebank.domain.catalog import kinds as all_kinds
from plugins.timebank.models import (
    Account,
    CashPayout,
    Holder,
    Relation,
    ServiceRequest,
    Team,
    TeamMember,
    Training,
    Volunteer,
)
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.settings import INVERSE_RELATION, RELATION_LABELS, Settings, settings

SERVICE_CODE = "timebank.volunteer"
#: Application states after approval: the volunteer exists from approval on.
DECIDED = ("approved", "issued", "delivered")


# --------------------------------------------------------------------------- holders


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


# --------------------------------------------------------------------------- certification


def certify_from_application(quanke, application_id: int) -> int | None:
    """Create the volunteer profile and accounts for an approved certification (idempotent).

    Returns the volunteer id, or None when the application is not an approved
    certification (then nothing is done)."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        app = session.get(Application, application_id)
        if app is None or app.service_code != SERVICE_CODE or app.state not in DECIDED:
            return None
        volunteer = session.scalar(select(Volunteer).where(Volunteer.applicant_id == app.applicant_id))
        if volunteer is not None and volunteer.holder_id is not None and (
                volunteer.status == "active" or (volunteer.application_id or 0) >= app.id):
            return volunteer.id  # done already (or this is an older application than the profile's)
        data = app.form_data or {}
        volunteer = create_profile(session, app.applicant, data.get("community"), rules=rules, actor="system",
                                   categories=data.get("categories") or [], kinds=data.get("kinds") or [],
                                   skills=str(data.get("skills") or ""),
                                   availability_text=str(data.get("availability") or ""), application_id=app.id,
                                   certified_on=local_date(app.decided_at or now()))
        return volunteer.id


def create_profile(session: Session, applicant: Applicant, community: str, *, rules: Settings, actor: str,
                   categories, kinds, skills: str, availability_text: str, application_id: int | None,
                   certified_on: dt.date) -> Volunteer:
    """The volunteer's profile and accounts (a left volunteer comes back with new data)."""
    holder = ensure_person(session, applicant, community, actor=actor, rules=rules)
    known = {k.code for k in all_kinds(session)}
    fields = dict(holder_id=holder.id, application_id=application_id, community=community,
                  categories=[c for c in categories if c in CATEGORY_NAMES], kinds=[k for k in kinds if k in known],
                  skills=skills[:500], availability=availability.parse(availability_text),
                  availability_text=availability_text[:100], status="active", left_on=None, certified_on=certified_on)
    volunteer = session.scalar(select(Volunteer).where(Volunteer.applicant_id == applicant.id))
    if volunteer is None:
        volunteer = Volunteer(applicant_id=applicant.id, **fields)
        session.add(volunteer)
    else:
        for key, value in fields.items():
            setattr(volunteer, key, value)
    session.flush()
    volunteer.number = volunteer.number or f"ZYZ{community[1:]}{volunteer.id:06d}"
    tell(session, holder, "certified", "志愿者认证通过",
         f"您已成为{rules.community_name(community)}时间银行志愿者，编号{volunteer.number}。")
    record_audit(session, actor=actor, action="timebank.volunteer_certified", object_type="tb_volunteer",
                 object_id=volunteer.id, application_id=application_id, subject=holder.subject,
                 data={"number": volunteer.number, "community": community})
    return volunteer


def _volunteer(session: Session, volunteer_id: int) -> Volunteer:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("志愿者不存在", code="volunteer_not_found")
    return volunteer


def update_profile(quanke, actor, volunteer_id: int, *, categories=None, kinds=None, skills=None,
                   slots=None, availability_text=None, community=None) -> Volunteer:
    """Edit a profile: by the community administrator, or by the volunteer (not the community)."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        volunteer = _volunteer(session, volunteer_id)
        holder = _holder(session, volunteer.holder_id)
        own = access.holder_of(session, actor)
        is_self = own is not None and own.id == holder.id
        if not is_self:
            access.require_admin(session, actor, rules, volunteer.community, "修改志愿者档案")
        if volunteer.status != "active":
            raise InvalidState("该志愿者已退出", code="volunteer_left")
        changes: dict = {}
        if categories is not None:
            bad = [c for c in categories if c not in CATEGORY_NAMES]
            if bad or not categories:
                raise InvalidInput("请至少选择一个有效的服务类别", code="unknown_category", field="categories")
            changes["categories"] = sorted(set(categories))
        if kinds is not None:
            known = {k.code for k in all_kinds(session)}
            bad = [k for k in kinds if k not in known]
            if bad:
                raise InvalidInput(f"服务内容 {'、'.join(bad)} 不存在", code="unknown_service_kind", field="kinds")
            changes["kinds"] = sorted(set(kinds))
        if skills is not None:
            if not 2 <= len(skills.strip()) <= 500:
                raise InvalidInput("技能特长应为2至500个字", code="invalid_skills", field="skills")
            changes["skills"] = skills.strip()
        if slots is not None:
            cleaned = availability.clean(slots)
            if len(cleaned) != len(set(slots)):
                raise InvalidInput("可服务时间段不正确", code="invalid_slots", field="slots")
            changes["availability"] = cleaned
        if availability_text is not None:
            changes["availability_text"] = availability_text.strip()[:100]
            if slots is None:
                changes["availability"] = availability.parse(availability_text)
        if community is not None and community != volunteer.community:
            if is_self:
                raise Forbidden("变更所属社区须由社区管理员办理", code="forbidden_role")
            if not rules.is_community(community):
                raise InvalidInput("社区不存在", code="unknown_community", field="community")
            access.require_admin(session, actor, rules, community, "把志愿者转入该社区")
            changes["community"] = community
            holder.community = community
            session.execute(update(Account).where(Account.holder_id == holder.id).values(community=community))
            ledger.community_accounts(session, community)
        for key, value in changes.items():
            setattr(volunteer, key, value)
        record_audit(session, actor=access.actor_key(actor), action="timebank.profile_updated",
                     object_type="tb_volunteer", object_id=volunteer.id, subject=holder.subject,
                     data={k: v for k, v in changes.items()})
        return volunteer


def add_training(quanke, actor, volunteer_id: int, *, title: str, provider: str, trained_on: dt.date,
                 minutes: int) -> Training:
    rules = settings(quanke)
    ledger.require_minutes(minutes, what="培训时长")
    title = (title or "").strip()
    if not 2 <= len(title) <= 128:
        raise InvalidInput("请填写培训名称（2至128个字）", code="title_required", field="title")
    if not isinstance(trained_on, dt.date) or trained_on > local_date(now()):
        raise InvalidInput("培训日期不正确（不能晚于今天）", code="invalid_date", field="trained_on")
    with quanke.db.session() as session:
        volunteer = _volunteer(session, volunteer_id)
        access.require_admin(session, actor, rules, volunteer.community, "登记培训记录")
        row = Training(volunteer_id=volunteer.id, title=title, provider=(provider or "").strip()[:128],
                       trained_on=trained_on, minutes=minutes, recorded_by=access.actor_key(actor))
        session.add(row)
        session.flush()
        record_audit(session, actor=access.actor_key(actor), action="timebank.training_recorded",
                     object_type="tb_training", object_id=row.id,
                     subject=_holder(session, volunteer.holder_id).subject,
                     data={"title": title, "minutes": minutes, "on": trained_on.isoformat()})
        return row


# --------------------------------------------------------------------------- teams


def create_team(quanke, actor, *, name: str, community: str, leader_id: int, member_ids=(),
                categories=()) -> Team:
    """A volunteer team (志愿团队) with its own accounts; the leader is a member."""
    rules = settings(quanke)
    name = (name or "").strip()
    if not 2 <= len(name) <= 64:
        raise InvalidInput("团队名称应为2至64个字", code="invalid_team_name", field="name")
    with quanke.db.session() as session:
        access.require_admin(session, actor, rules, community, "成立志愿团队")
        if not rules.is_community(community):
            raise InvalidInput("社区不存在", code="unknown_community", field="community")
        if session.scalar(select(Team.id).where(Team.name == name)) is not None:
            raise Conflict(f"已有名为“{name}”的团队", code="team_name_taken", field="name")
        members = sorted({leader_id, *member_ids})
        found = session.scalars(select(Volunteer).where(Volunteer.id.in_(members),
                                                        Volunteer.status == "active")).all()
        if len(found) != len(members):
            raise InvalidInput("团队成员须为在册志愿者", code="member_not_volunteer", field="member_ids")
        bad = [c for c in categories if c not in CATEGORY_NAMES]
        if bad:
            raise InvalidInput("服务类别不正确", code="unknown_category", field="categories")
        holder = Holder(kind="team", name=name, community=community, subject=f"团队:{name}")
        session.add(holder)
        session.flush()
        ledger.open_holder_accounts(session, holder.id, community)
        ledger.community_accounts(session, community)
        team = Team(holder_id=holder.id, name=name, community=community, leader_id=leader_id,
                    categories=sorted(set(categories)))
        session.add(team)
        session.flush()
        today = local_date(now())
        session.add_all([TeamMember(team_id=team.id, volunteer_id=v, joined_on=today) for v in members])
        record_audit(session, actor=access.actor_key(actor), action="timebank.team_created",
                     object_type="tb_team", object_id=team.id, subject=holder.subject,
                     data={"community": community, "leader": leader_id, "members": members})
        return team


def set_team_member(quanke, actor, team_id: int, volunteer_id: int, *, member: bool) -> None:
    rules = settings(quanke)
    with quanke.db.session() as session:
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound("团队不存在", code="team_not_found")
        access.require_admin(session, actor, rules, team.community, "调整团队成员")
        row = session.get(TeamMember, (team_id, volunteer_id))
        if member and row is None:
            _volunteer(session, volunteer_id)
            session.add(TeamMember(team_id=team_id, volunteer_id=volunteer_id, joined_on=local_date(now())))
        elif not member and row is not None:
            if team.leader_id == volunteer_id:
                raise InvalidInput("不能移除团队负责人，请先更换负责人", code="leader_cannot_leave")
            session.delete(row)
        else:
            return
        record_audit(session, actor=access.actor_key(actor), action="timebank.team_member",
                     object_type="tb_team", object_id=team.id,
                     data={"volunteer": volunteer_id, "member": member})


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


# --------------------------------------------------------------------------- leaving


def leave(quanke, actor, holder_id: int, *, disposition: str, reason: str,
          relative_id: int | None = None) -> int | None:
    """退出: settle (cash bucket paid out, service hours to a relative if named, the rest
    donated) or donate everything to the home community's pool; then close the accounts.
    Returns the closing journal id (None when all balances were already zero)."""
    rules = settings(quanke)
    if disposition not in ("settle", "donate"):
        raise InvalidInput("请选择结清或捐赠", code="invalid_disposition", field="disposition")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("请填写退出原因", code="reason_required", field="reason")
    with quanke.db.session() as session:
        holder = session.scalar(select(Holder).where(Holder.id == holder_id)
                                .with_for_update() if quanke.db.is_postgres else
                                select(Holder).where(Holder.id == holder_id))
        if holder is None:
            raise NotFound("账户不存在", code="holder_not_found")
        mode = access.require_self_or_staff(session, actor, holder, "办理退出")
        if holder.status != "active":
            raise InvalidState("该账户已经退出", code="already_left")
        busy = session.scalar(select(ServiceRequest.number).where(
            ServiceRequest.status.in_(("open", "assigned")),
            (ServiceRequest.recipient_id == holder.id) | (ServiceRequest.provider_id == holder.id)).limit(1))
        if busy:
            raise InvalidState(f"尚有未完成的服务需求（{busy}），请先完成或取消", code="open_requests")
        own = ledger.holder_accounts(session, holder.id)
        pool = ledger.community_accounts(session, holder.community)
        target = None
        if disposition == "settle" and relative_id is not None:
            if not rules.family_transfer:
                raise Forbidden("本街道未开放亲属转赠", code="family_transfer_off")
            if access.is_relative(session, holder.id, relative_id) not in rules.relations:
                raise Forbidden("只能转给已登记的直系亲属", code="not_a_relative")
            relative = _holder(session, relative_id)
            if relative.status != "active":
                raise InvalidState("受赠亲属的账户已关闭", code="account_closed")
            target = ledger.holder_accounts(session, relative_id)["service"]
        accounts = [*own.values(), pool["donation"], pool["cash_paid"]] + ([target] if target else [])
        locked = ledger.lock_balances(session, accounts)
        if locked[own["loan"]]["balance"] < 0:
            raise InvalidState(f"尚有借贷时长 {ledger.fmt_minutes(-locked[own['loan']]['balance'])} 未归还，"
                               "不能退出", code="loan_outstanding")
        held = {b: locked[own[b]]["balance"] for b in ledger.BUCKETS}
        if target is not None:
            relative_total = sum(ledger.balances(session, relative_id)[b] for b in ledger.BUCKETS)
            if relative_total + held["service"] > rules.storage_cap_minutes:
                raise InvalidInput("受赠亲属的时间存储将超过上限，请改为捐赠", code="storage_cap_exceeded")
        lines: list[tuple[int, int]] = []
        destinations = {}
        for bucket, amount in held.items():
            if not amount:
                continue
            if disposition == "settle" and bucket == "cash":
                dest = pool["cash_paid"]
            elif disposition == "settle" and bucket == "service" and target is not None:
                dest = target
            else:
                dest = pool["donation"]
            lines += [(own[bucket], -amount), (dest, amount)]
            destinations[bucket] = {pool["cash_paid"]: "cash", pool["donation"]: "donation"}.get(dest, "relative")
        who = access.actor_key(actor)
        journal_id = None
        if lines:
            total = sum(held.values())
            posted = ledger.post(session, kind="leave", lines=lines, community=holder.community, actor=who,
                                 rules=rules, holder_id=holder.id, minutes=total, memo=reason,
                                 subject=holder.subject,
                                 ref={"disposition": disposition, "destinations": destinations,
                                      **({"relative": relative_id} if target else {})})
            journal_id = posted.journal_id
            if destinations.get("cash") == "cash":
                session.add(CashPayout(journal_id=journal_id, holder_id=holder.id, community=holder.community,
                                       minutes=held["cash"], rate_fen_per_hour=rules.cash_rate_fen_per_hour,
                                       amount_fen=held["cash"] * rules.cash_rate_fen_per_hour // 60,
                                       paid_by=who))
        session.execute(update(Account).where(Account.holder_id == holder.id).values(status="closed"))
        holder.status, holder.closed_at, holder.close_reason = "closed", now(), reason
        session.execute(update(Volunteer).where(Volunteer.holder_id == holder.id)
                        .values(status="left", left_on=local_date(now())))
        session.execute(update(Team).where(Team.holder_id == holder.id).values(status="dissolved"))
        tell(session, holder, "left", "时间银行退出",
             "您已退出时间银行，" + ("余额已按您的选择结清。" if disposition == "settle" else "余额已捐赠社区捐赠池，感谢您的奉献。"))
        record_audit(session, actor=who, action="timebank.left", object_type="tb_holder", object_id=holder.id,
                     subject=holder.subject, data={"disposition": disposition, "by": mode, "reason": reason,
                                                   "balances": held, "journal": journal_id})
        return journal_id
