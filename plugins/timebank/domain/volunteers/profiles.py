"""Volunteer profiles: certification turns an approved application into a profile with
accounts (idempotent); editing a profile; training records."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.api import (
    Applicant,
    Application,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    local_date,
    now,
    record_audit,
)
from plugins.timebank.domain import access, availability, ledger
from plugins.timebank.domain.catalog import CATEGORY_NAMES
from plugins.timebank.domain.catalog import kinds as all_kinds
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.settings import Settings, settings
from plugins.timebank.domain.volunteers.holders import _holder, ensure_person
from plugins.timebank.models import Account, Training, Volunteer

SERVICE_CODE = "timebank.volunteer"
#: Application states after approval: the volunteer exists from approval on.
DECIDED = ("approved", "issued", "delivered")


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

