"""Statistics, rating follow-ups (回访), the rated worker's appeals (申诉复核) and the audit
trail with its hash-chain check."""
from __future__ import annotations

import datetime as dt

from flask import jsonify, request
from sqlalchemy import or_, select

from core.acceptance import ratings
from core.ops import stats as statistics
from core.platform import audit, inputs
from core.platform.audit import AuditEvent
from core.platform.clock import today
from core.platform.errors import InvalidInput
from core.platform.models import Application, Role, User

from ..helpers import db_id, quanke
from .plumbing import b, body, bp, capped_count, iso, me, need, page_params, paged, s
from .shapes import appeal_json, rating_json


def _date_arg(name: str, default: dt.date) -> dt.date:
    return inputs.parse_date(request.args.get(name), field=name, default=default)


@bp.get("/api/v1/stats")
def get_stats():
    user = need(Role.SYS_ADMIN, Role.CENTRE_ADMIN, Role.AUDITOR)
    end = _date_arg("end", today())
    start = _date_arg("start", end - dt.timedelta(days=29))
    if start > end or (end - start).days > 366:
        raise InvalidInput("日期范围应为 start ≤ end 且不超过366天", code="invalid_range")
    scope = None if (user.has_role(Role.SYS_ADMIN) or user.has_role(Role.AUDITOR)) else (user.centre_id or -1)
    names = {c: x.name for c, x in quanke().plugins.services.items()}
    with quanke().db.session() as db:
        result = statistics.compute(db, start, end, centre_id=scope, service_names=names)
    return jsonify({"start": iso(result.start), "end": iso(result.end), "total": result.total,
                    "by_service": result.by_service, "by_centre": result.by_centre,
                    "by_day": [[iso(d), n] for d, n in result.by_day],
                    "decision_time": result.durations, "overdue_by_department": result.overdue,
                    "satisfaction": result.satisfaction,
                    "satisfaction_excluded_by_appeal": result.satisfaction_excluded,
                    "by_state": result.by_state})


@bp.get("/api/v1/follow-ups")
def list_follow_ups():
    with quanke().db.session() as db:
        rows = ratings.follow_ups(db, me(), status=None)
        items = [{"id": f.id, "application_id": f.application_id, "due_date": iso(f.due_date),
                  "status": f.status, "level": f.rating.level, "comment": f.rating.comment,
                  "kind": f.rating.kind, "subject_id": f.rating.subject_id,
                  "subject": ratings.describe(db, f.rating),
                  "rater_reachable": ratings.rater_of(db, f.rating) is not None,
                  "resolution": f.resolution, "told": f.told or None} for f in rows]
    return jsonify({"items": items})


@bp.post("/api/v1/follow-ups/<int:item_id>/close")
def close_follow_up(item_id: int):
    resolution = s(body(), "resolution")
    with quanke().db.session() as db:
        item = ratings.close_follow_up(db, me(), item_id, resolution=resolution)
        return jsonify({"id": item.id, "status": item.status, "told": item.told})


@bp.get("/api/v1/ratings/mine")
def my_ratings():
    need(Role.COUNTER)
    with quanke().db.session() as db:
        items = [rating_json(r) | {"subject": ratings.describe(db, r)}
                 for r in ratings.ratings_of_staff(db, me())]
    return jsonify({"items": items})


@bp.post("/api/v1/ratings/<int:item_id>/appeal")
def appeal_rating(item_id: int):
    reasons = s(body(), "reasons", max_len=ratings.APPEAL_REASONS_MAX)
    with quanke().db.session() as db:
        appeal = ratings.file_appeal(db, me(), item_id, reasons=reasons)
        return jsonify(appeal_json(appeal)), 201


@bp.get("/api/v1/appeals")
def list_appeals():
    status = request.args.get("status", "pending")
    if status not in (*ratings.APPEAL_STATUSES, "all"):
        raise InvalidInput("status 只能是 pending、upheld、rejected 或 all", code="invalid_field", field="status")
    with quanke().db.session() as db:
        rows = ratings.appeal_queue(db, me(), status=None if status == "all" else status)
        items = [appeal_json(a) | {"rating": rating_json(a.rating) | {"subject": ratings.describe(db, a.rating)},
                                   "filed_by_id": a.filed_by_id} for a in rows]
    return jsonify({"items": items})


@bp.post("/api/v1/appeals/<int:item_id>/decide")
def decide_appeal(item_id: int):
    data = body()
    if "uphold" not in data:
        raise InvalidInput("缺少 uphold（true 为申诉成立，false 为不成立）", code="invalid_field", field="uphold")
    uphold, reasons = b(data, "uphold"), s(data, "reasons", max_len=ratings.APPEAL_REASONS_MAX)
    with quanke().db.session() as db:
        appeal = ratings.decide_appeal(db, me(), item_id, uphold=uphold, reasons=reasons)
        return jsonify(appeal_json(appeal) | {"rating": rating_json(appeal.rating)})


@bp.get("/api/v1/audit")
def audit_events():
    need(Role.AUDITOR)
    page, per_page = page_params()
    with quanke().db.session() as db:
        stmt = select(AuditEvent)
        app_arg = request.args.get("application")
        if app_arg:
            stmt = stmt.where(AuditEvent.application_id == (db_id(app_arg) if inputs.try_id(app_arg) else db.scalar(
                select(Application.id).where(or_(Application.number == app_arg.upper(),
                                                 Application.receipt_no == app_arg.upper()))) or -1))
        if request.args.get("subject"):
            stmt = stmt.where(AuditEvent.subject_index == request.args["subject"].strip().upper()[:64])
        if request.args.get("staff"):
            user_id = db.scalar(select(User.id).where(User.username == request.args["staff"][:64]))
            stmt = stmt.where(AuditEvent.actor == (f"user:{user_id}" if user_id else "none"))
        total, capped = capped_count(db, stmt)
        rows = db.scalars(stmt.order_by(AuditEvent.id.desc()).limit(per_page)
                          .offset((page - 1) * per_page)).all()
        items = [{"seq": e.seq, "at": iso(e.at), "actor": e.actor, "action": e.action,
                  "object_type": e.object_type, "object_id": e.object_id,
                  "application_id": e.application_id, "subject": e.subject, "data": e.data,
                  "hash": e.hash} for e in rows]
    return jsonify(paged(items, page, per_page, total, capped))


@bp.get("/api/v1/audit/verify")
def audit_verify():
    need(Role.AUDITOR)
    with quanke().db.session() as db:
        result = audit.verify(db)
    return jsonify({"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq,
                    "problem": result.problem})
