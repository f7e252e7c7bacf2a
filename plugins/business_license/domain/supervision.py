"""批管同步 — approval and supervision in step.

Every day :func:`daily_push` (a scheduled job) takes the approvals not yet pushed, writes
them to the supervision feed (``bl_supervision_feed``, read by the enforcement platform as
JSON or CSV) and creates the inspection tasks: a first inspection of every new business for
its street's enforcement team, and a verification task with a due date for every commitment
(a food permit under notification-commitment, a premises commitment instead of proof).
Running it twice pushes nothing twice.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import (
    LOCAL_TZ,
    Application,
    Commitment,
    add_working_days,
    local_date,
    record_audit,
    today,
)

from plugins.business_license.domain import catalog, lookups
from plugins.business_license.models import (
    BusinessChange,
    FoodPermit,
    InspectionTask,
    RegisteredBusiness,
    SupervisionRecord,
)
from plugins.business_license.domain.registry import DECIDED

log = logging.getLogger(__name__)

KINDS = {lookups.REGISTRATION: "registration", lookups.CHANGE: "change",
         lookups.DEREGISTRATION: "deregistration", lookups.FOOD_PERMIT: "food_permit"}
KIND_LABELS = {"registration": "设立登记", "change": "变更登记", "deregistration": "注销登记",
               "food_permit": "食品经营许可（告知承诺）"}


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)


def _business_of(session: Session, app: Application) -> RegisteredBusiness | None:
    if app.service_code == lookups.REGISTRATION:
        return lookups.business_for_application(session, app.id)
    if app.service_code == lookups.FOOD_PERMIT:
        permit = session.scalar(select(FoodPermit).where(FoodPermit.application_id == app.id))
        return session.get(RegisteredBusiness, permit.business_id) if permit else None
    change = session.scalar(select(BusinessChange).where(BusinessChange.application_id == app.id))
    return session.get(RegisteredBusiness, change.business_id) if change else None


def _task(session: Session, *, kind: str, app: Application, business: RegisteredBusiness,
          department: str, due: dt.date, permit: FoodPermit | None = None,
          commitment: Commitment | None = None) -> InspectionTask:
    task = InspectionTask(kind=kind, application_id=app.id, business_id=business.id,
                          permit_id=permit.id if permit else None,
                          commitment_id=commitment.id if commitment else None,
                          department_code=department, street=business.street,
                          team=catalog.enforcement_team(business.street), due_date=due, status="open")
    session.add(task)
    return task


def _push_one(quanke, session: Session, app: Application, day: dt.date) -> list[InspectionTask] | None:
    business = _business_of(session, app)
    if business is None:
        return None  # the register has not caught up yet; the next run pushes it
    kind = KINDS[app.service_code]
    permit = session.scalar(select(FoodPermit).where(FoodPermit.application_id == app.id))
    commitment = session.scalar(select(Commitment).where(Commitment.application_id == app.id))
    decided_on = local_date(app.decided_at)
    session.add(SupervisionRecord(
        application_id=app.id, application_number=app.number, kind=kind, business_id=business.id,
        credit_code=business.credit_code or "", business_name=business.name,
        operator_name=business.operator_name, street=business.street, address=business.address,
        scopes=list(business.scopes or []), permit_no=permit.permit_no if permit else "",
        by_commitment=commitment is not None, decided_at=app.decided_at, push_day=day))
    calendar = quanke.calendar(session)
    verify_due = add_working_days(calendar, decided_on, catalog.verify_working_days(quanke))
    tasks = []
    if kind == "registration":
        tasks.append(_task(session, kind="routine", app=app, business=business,
                           department=catalog.MARKET_REGULATION[0],
                           due=decided_on + dt.timedelta(days=catalog.routine_inspection_days(quanke))))
    if kind in ("registration", "change") and commitment is not None:
        tasks.append(_task(session, kind="premises_commitment", app=app, business=business,
                           department=catalog.MARKET_REGULATION[0], due=verify_due,
                           commitment=commitment))
    if kind == "food_permit":
        tasks.append(_task(session, kind="permit_commitment", app=app, business=business,
                           department=app.department_code, due=verify_due, permit=permit,
                           commitment=commitment))
    return tasks


def daily_push(quanke, *, day: str | dt.date | None = None) -> dict:
    """Push every approval decided up to the end of ``day`` (default today) not yet pushed."""
    from plugins.business_license.domain.events import process_decisions
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or today()
    process_decisions(quanke)  # the register first: the feed is built from it
    pushed, tasks, waiting = 0, 0, 0
    with quanke.db.session() as session:
        apps = session.scalars(
            select(Application).where(
                Application.service_code.in_(lookups.SERVICES), Application.state.in_(DECIDED),
                Application.decided_at < _end_of(day),
                ~select(SupervisionRecord.id).where(SupervisionRecord.application_id == Application.id).exists())
            .order_by(Application.decided_at, Application.id)).all()
        for app in apps:
            created = _push_one(quanke, session, app, day)
            if created is None:
                waiting += 1
                continue
            pushed += 1
            tasks += len(created)
        session.flush()
        record_audit(session, actor="system:business_license", action="bl_supervision_push",
                     object_type="bl_supervision", object_id=day.isoformat(),
                     data={"pushed": pushed, "tasks": tasks, "waiting": waiting})
    log.info("supervision push %s: %s approvals, %s tasks, %s waiting", day, pushed, tasks, waiting)
    return {"day": day.isoformat(), "pushed": pushed, "tasks": tasks, "waiting": waiting}


# -- the feed ------------------------------------------------------------------------------

FEED_COLUMNS = ["id", "kind", "kind_label", "application_number", "credit_code", "business_name",
                "operator_name", "street", "street_name", "address", "scopes", "permit_no",
                "by_commitment", "decided_on", "push_day"]


def feed_row(record: SupervisionRecord) -> dict:
    return {"id": record.id, "kind": record.kind, "kind_label": KIND_LABELS[record.kind],
            "application_number": record.application_number, "credit_code": record.credit_code,
            "business_name": record.business_name, "operator_name": record.operator_name,
            "street": record.street, "street_name": catalog.street_name(record.street),
            "address": record.address,
            "scopes": [catalog.scope_label(s, mark=False) for s in record.scopes or []],
            "permit_no": record.permit_no, "by_commitment": record.by_commitment,
            "decided_on": local_date(record.decided_at).isoformat(),
            "push_day": record.push_day.isoformat()}


def feed(session: Session, *, since: dt.date | None = None, after_id: int = 0,
         street: str | None = None, limit: int = 500) -> tuple[list[dict], int]:
    """Feed rows (oldest first) after ``after_id`` (a consumer's cursor) and the total."""
    stmt = select(SupervisionRecord).where(SupervisionRecord.id > after_id)
    if since:
        stmt = stmt.where(SupervisionRecord.push_day >= since)
    if street:
        stmt = stmt.where(SupervisionRecord.street == street)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(SupervisionRecord.id).limit(limit)).all()
    return [feed_row(r) for r in rows], total


def feed_csv(rows: list[dict]) -> str:
    """CSV with a BOM so that spreadsheet programs open the Chinese text correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=FEED_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "scopes": "；".join(row["scopes"]),
                         "by_commitment": "是" if row["by_commitment"] else "否"})
    return out.getvalue()
