"""Who may look, and the record of every look (查档留痕).

Every time a record is shown to anyone — archive staff on the search page or API, a citizen
looking at their own records, the query result frozen for a certificate — one
:class:`~.models.AccessLog` row per person the record concerns is written (so each of them
finds it in their own "who looked at my records" list) and one ``view_personal_data`` event
goes into the core's hash-chained audit log, in the same transaction as the read.
A refused attempt is logged too (kind ``denied``) and audited as ``archive_access_denied``.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Citizen, Role, User, mask_name, record_audit, record_view

from plugins.archive_query.models import AccessLog, ArchiveRecord

DEPARTMENT = "archives"
KIND_LABELS = {"view": "查看档案", "result": "出具查询结果", "search": "检索（未查到记录）",
               "denied": "查看被拒绝"}
CHANNEL_LABELS = {"search_page": "档案检索页面", "record_page": "档案详情页面", "api": "接口",
                  "portal": "市民门户", "certificate": "档案查询申请", "application_review": "审批前核对"}


def is_archive_staff(who) -> bool:
    """Archive-bureau roles: approver or department lead of the archives department."""
    return (isinstance(who, User) and who.active
            and (who.has_role(Role.APPROVER, DEPARTMENT) or who.has_role(Role.DEPT_LEAD, DEPARTMENT)))


def is_archive_lead(who) -> bool:
    return isinstance(who, User) and who.active and who.has_role(Role.DEPT_LEAD, DEPARTMENT)


def actor_key(who) -> str:
    if isinstance(who, User):
        return f"user:{who.id}"
    if isinstance(who, Citizen):
        return f"citizen:{who.id}"
    return "system"


def actor_label(session: Session, who) -> str:
    """How the citizen sees the looker: name and unit, "本人", or the system rule."""
    if isinstance(who, User):
        roles = []
        if who.has_role(Role.DEPT_LEAD, DEPARTMENT):
            roles.append("部门负责人")
        elif who.has_role(Role.APPROVER, DEPARTMENT):
            roles.append("审批人员")
        where = "区档案馆" if roles else (who.centre.name if who.centre else "工作人员")
        return f"{who.name}（{where}{'·' + roles[0] if roles else ''}）"
    if isinstance(who, Citizen):  # shown as "本人" to the citizen themself (see log_entry)
        return f"市民{mask_name(who.name)}"
    return "系统（档案馆自动审批规则）"


def log_looks(session: Session, *, who, records: Iterable[ArchiveRecord], kind: str,
              channel: str, purpose: str, application_id: int | None = None,
              about: str = "", fields: list[str] | None = None) -> int:
    """Log that ``who`` saw ``records``; returns the number of records logged.

    ``about`` is the person the look was for (the resident ID searched); it becomes the
    audit event's subject. One access-log row per person each record concerns.
    """
    key, label = actor_key(who), actor_label(session, who)
    records = list(records)
    session.add_all([AccessLog(actor=key, actor_label=label, kind=kind, channel=channel,
                               purpose=purpose, application_id=application_id,
                               record_id=record.id, reference=record.reference,
                               category=record.category, subject_id_number=person.id_number)
                     for record in records for person in record.persons])
    # The audit events come last, after one INSERT of every access-log row: the chain lock
    # they take is held until commit, so nothing else should wait behind it.
    count = 0
    for record in records:
        ids = [p.id_number for p in record.persons]
        record_view(session, actor=key, object_type="aq_archive_record", object_id=record.id,
                          subject=about if about in ids else (ids[0] if ids else ""),
                          fields=fields or ["persons", "fields"],
                          reason=f"{purpose}（{CHANNEL_LABELS.get(channel, channel)}）",
                          application_id=application_id)
        count += 1
    return count


def log_empty_search(session: Session, *, who, id_number: str, category: str, channel: str,
                     purpose: str, application_id: int | None = None) -> None:
    """A search by someone's ID that found nothing still tells that person someone searched."""
    session.add(AccessLog(actor=actor_key(who), actor_label=actor_label(session, who),
                          kind="search", channel=channel, purpose=purpose,
                          application_id=application_id, category=category,
                          subject_id_number=id_number))
    record_audit(session, actor=actor_key(who), action="archive_search", object_type="aq_archive",
                 object_id=category or "all", application_id=application_id, subject=id_number,
                 data={"found": 0, "reason": purpose, "channel": channel})


def log_denied(session: Session, *, who, channel: str, what: str, subjects: Iterable[str] = (),
               record: ArchiveRecord | None = None, data: dict | None = None) -> None:
    """A refused attempt: audited, and shown to the persons it was about."""
    key = actor_key(who)
    subjects = list(dict.fromkeys(s for s in subjects if s))
    for number in subjects:
        session.add(AccessLog(actor=key, actor_label=actor_label(session, who), kind="denied",
                              channel=channel, purpose=what,
                              record_id=record.id if record else None,
                              reference=record.reference if record else "",
                              category=record.category if record else "",
                              subject_id_number=number))
    record_audit(session, actor=key, action="archive_access_denied", object_type="aq_archive_record",
                 object_id=record.id if record else "-", subject=subjects[0] if subjects else "",
                 data={"what": what, "channel": channel, **(data or {})})


def access_log_for(session: Session, id_number: str, *, page: int = 1,
                   per_page: int = 20) -> tuple[list[AccessLog], int]:
    """Looks at records about ``id_number``, newest first (the citizen's own list)."""
    base = select(AccessLog).where(AccessLog.subject_id_number_index == id_number)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.scalars(base.order_by(AccessLog.at.desc(), AccessLog.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), int(total or 0)


def log_entry(row: AccessLog, viewer: str = "") -> dict:
    """One line of the citizen's list; ``viewer`` (``citizen:3``) sees their own looks as 本人."""
    from core.api import local

    from plugins.archive_query.domain.categories import CATEGORIES
    who = "本人" if viewer and row.actor == viewer else row.actor_label
    return {"at": local(row.at).isoformat(timespec="seconds"), "who": who,
            "kind": row.kind, "kind_label": KIND_LABELS.get(row.kind, row.kind),
            "channel": CHANNEL_LABELS.get(row.channel, row.channel), "purpose": row.purpose,
            "reference": row.reference,
            "category": CATEGORIES[row.category].label if row.category in CATEGORIES else "",
            "record_id": row.record_id}
