"""Read-only work lists: the approvers' department queues and the counter's lists.

Department queue order (DESIGN §4): overdue first, then the nearest due date. Nothing here
changes state; claiming and deciding go through :mod:`core.workflow`.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from core.platform.clock import LOCAL_TZ
from core.platform.models import Application, Applicant, Role, State, User

QUEUE_STATES = (State.ACCEPTED.value, State.IN_REVIEW.value)

#: The open work of every department, in queue order (overdue flag, then due date): a partial
#: index, so a queue page reads 20 index entries whatever the size of the table, and the menu
#: counts are an index-only scan on PostgreSQL (state and claimant are included).
OPEN_QUEUE_INDEX = Index(
    "ix_applications_open_queue", Application.department_code, Application.overdue,
    Application.due_date, Application.id,
    postgresql_where=Application.state.in_(QUEUE_STATES),
    sqlite_where=Application.state.in_(QUEUE_STATES),
    postgresql_include=["state", "claimed_by_id"])
STATUS_FILTERS = {
    "open": "全部在办", "waiting": "待认领", "in_review": "审批中", "mine": "我认领的",
    "overdue": "已超期", "paused": "已中止计时",
}


def departments_for(user: User) -> list[str]:
    """Departments whose queue this user may open (approver or lead)."""
    return sorted(user.departments(Role.APPROVER) | user.departments(Role.DEPT_LEAD))


def queue_stmt(department: str, *, status: str = "open", service: str | None = None,
               centre_id: int | None = None, user_id: int | None = None):
    stmt = select(Application).where(Application.department_code == department)
    if status == "waiting":
        stmt = stmt.where(Application.state == State.ACCEPTED.value)
    elif status == "in_review":
        stmt = stmt.where(Application.state == State.IN_REVIEW.value)
    elif status == "mine":
        stmt = stmt.where(Application.state == State.IN_REVIEW.value,
                          Application.claimed_by_id == user_id)
    elif status == "overdue":
        stmt = stmt.where(Application.state.in_(QUEUE_STATES), Application.overdue.is_(True))
    elif status == "paused":
        stmt = stmt.where(Application.state.in_(QUEUE_STATES), Application.paused.is_(True))
    else:
        stmt = stmt.where(Application.state.in_(QUEUE_STATES))
    if service:
        stmt = stmt.where(Application.service_code == service)
    if centre_id:
        stmt = stmt.where(Application.centre_id == centre_id)
    return stmt


def queue(session: Session, department: str, *, status: str = "open", service: str | None = None,
          centre_id: int | None = None, user_id: int | None = None, page: int = 1,
          per_page: int = 20) -> tuple[list[Application], int]:
    """One page of a department's queue and the total number of matching applications.

    Overdue first, then the nearest due date. The two parts are read separately, each in
    the order of :data:`OPEN_QUEUE_INDEX`, so a page costs the same with a million rows.
    """
    stmt = queue_stmt(department, status=status, service=service, centre_id=centre_id,
                      user_id=user_id)
    sub = stmt.with_only_columns(Application.overdue).order_by(None).subquery()
    counted = session.execute(select(func.count(), func.count().filter(sub.c.overdue.is_(True)))
                              .select_from(sub)).one()
    total, overdue_total = int(counted[0] or 0), int(counted[1] or 0)
    offset, limit = (max(page, 1) - 1) * per_page, per_page
    ids: list[int] = []
    for flag, size in ((True, overdue_total), (False, total - overdue_total)):
        if limit <= 0:
            break
        if offset >= size:
            offset -= size
            continue
        part = session.scalars(
            stmt.with_only_columns(Application.id).where(Application.overdue.is_(flag))
            .order_by(Application.due_date.asc().nulls_last(), Application.id)
            .limit(limit).offset(offset)).all()
        ids += part
        limit -= len(part)
        offset = 0
    if not ids:
        return [], total
    loaded = {a.id: a for a in session.scalars(
        select(Application).where(Application.id.in_(ids))
        .options(joinedload(Application.centre))).unique()}
    return [loaded[i] for i in ids if i in loaded], total


def counts(session: Session, departments: list[str], user_id: int | None = None) -> dict[str, dict]:
    """Per department: waiting (待认领), in review, mine, overdue — for the menu badges."""
    out = {d: {"waiting": 0, "in_review": 0, "mine": 0, "overdue": 0} for d in departments}
    if not departments:
        return out
    rows = session.execute(
        select(Application.department_code,
               func.count().filter(Application.state == State.ACCEPTED.value),
               func.count().filter(Application.state == State.IN_REVIEW.value),
               func.count().filter(and_(Application.state == State.IN_REVIEW.value,
                                        Application.claimed_by_id == (user_id or -1))),
               func.count().filter(Application.overdue.is_(True)))
        .where(Application.department_code.in_(departments),
               Application.state.in_(QUEUE_STATES))
        .group_by(Application.department_code)).all()
    for dept, waiting, review, mine, overdue in rows:
        out[dept] = {"waiting": waiting, "in_review": review, "mine": mine, "overdue": overdue}
    return out


def _local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)
    return start, start + dt.timedelta(days=1)


def counter_today(session: Session, user: User, day: dt.date) -> dict[str, list[Application]]:
    """The counter worker's day: filed by me, accepted by me, waiting at my centre."""
    start, end = _local_day_bounds(day)
    filed = session.scalars(
        select(Application).where(Application.filed_by_id == user.id,
                                  Application.created_at >= start, Application.created_at < end)
        .order_by(Application.id.desc()).limit(200)).unique().all()
    accepted = session.scalars(
        select(Application).where(Application.accepted_by_id == user.id,
                                  Application.accepted_at >= start, Application.accepted_at < end)
        .order_by(Application.accepted_at.desc()).limit(200)).unique().all()
    pending = session.scalars(
        select(Application).where(Application.centre_id == user.centre_id,
                                  Application.state.in_([State.SUBMITTED.value,
                                                         State.CORRECTION_REQUESTED.value]))
        .order_by(Application.id.desc()).limit(200)).unique().all()
    pickup = pickup_waiting(session, user.centre_id)
    return {"filed": list(filed), "accepted": list(accepted), "pending": list(pending),
            "pickup": pickup, "remote": remote_waiting(session, user.centre_id)}


def remote_waiting(session: Session, centre_id: int | None, limit: int = 200) -> list[Application]:
    """Online applications no centre has taken yet, for services this centre may accept."""
    from core.platform.models import CentreService
    if centre_id is None:
        return []
    return list(session.scalars(
        select(Application).where(
            Application.channel == "remote", Application.centre_id.is_(None),
            Application.state.in_([State.SUBMITTED.value, State.CORRECTION_REQUESTED.value]),
            Application.service_code.in_(select(CentreService.service_code)
                                         .where(CentreService.centre_id == centre_id)))
        .order_by(Application.submitted_at.nulls_last(), Application.id).limit(limit)).unique())


def pickup_waiting(session: Session, centre_id: int | None, limit: int = 200) -> list[Application]:
    """Issued results to hand over at this centre (chosen pickup centre or accepting centre)."""
    if centre_id is None:
        return []
    return list(session.scalars(
        select(Application).where(
            Application.state == State.ISSUED.value, Application.delivery_method == "pickup",
            or_(Application.pickup_centre_id == centre_id,
                and_(Application.pickup_centre_id.is_(None), Application.centre_id == centre_id)))
        .order_by(Application.id).limit(limit)).unique())


def find_for_pickup(session: Session, query: str, limit: int = 20) -> list[Application]:
    """Issued results by application number, receipt number or applicant ID (any centre)."""
    q = (query or "").strip().upper()
    if not q:
        return []
    return list(session.scalars(
        select(Application).join(Applicant, Application.applicant_id == Applicant.id)
        .where(Application.state == State.ISSUED.value,
               or_(Application.number == q, Application.receipt_no == q, Applicant.id_number_index == q))
        .order_by(Application.id).limit(limit)).unique())


def applicant_applications(session: Session, applicant_id: int, limit: int = 50) -> list[Application]:
    return list(session.scalars(
        select(Application).where(Application.applicant_id == applicant_id)
        .order_by(Application.created_at.desc()).limit(limit)).unique())

