"""Applications: listing, filing, reading (optionally unmasked, audited), editing a draft, and
what belongs to one (checks, timeline, due date, documents)."""
from __future__ import annotations

from flask import jsonify, request, url_for
from sqlalchemy import select

from core import acceptance, deadlines
from core.people import reveals
from core.platform import actors
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Application, Centre, Role

from ..access import may_reveal, visible_filter
from ..common import documents, has_issuance, timeline
from ..helpers import quanke
from .plumbing import b, body, bp, capped_count, i, iso, me, need, page_params, paged, s, strs, uploads_from
from .shapes import after, application_json, check_visible, visible_app


@bp.get("/api/v1/applications")
def list_applications():
    page, per_page = page_params()
    state = request.args.get("state")
    service = request.args.get("service")
    with quanke().db.session() as db:
        stmt = select(Application).where(visible_filter(me()))
        if state:
            stmt = stmt.where(Application.state == state[:24])
        if service:
            stmt = stmt.where(Application.service_code == service[:96])
        total, capped = capped_count(db, stmt)
        rows = db.scalars(stmt.order_by(Application.id.desc()).limit(per_page)
                          .offset((page - 1) * per_page)).unique().all()
        items = [application_json(a) for a in rows]
    return jsonify(paged(items, page, per_page, total, capped))


@bp.post("/api/v1/applications")
def file_application():
    user = need(Role.COUNTER, Role.AGENT)
    data = body()
    form_data = data.get("form_data") or {}
    if not isinstance(form_data, dict):
        raise InvalidInput("form_data 应为对象", code="invalid_field", field="form_data")
    key = request.headers.get("Idempotency-Key") or s(data, "idempotency_key", max_len=80) or None
    if key is not None and not (0 < len(key) <= 80):
        raise InvalidInput("Idempotency-Key 长度应为1至80", code="invalid_idempotency_key")
    pickup = i(data, "pickup_centre_id", lo=1)
    with quanke().db.session() as db:
        if pickup is not None and db.get(Centre, pickup) is None:
            raise InvalidInput("领取中心不存在", code="unknown_centre", field="pickup_centre_id")
    app = acceptance.file_application(
        quanke(), user, service_code=s(data, "service_code", max_len=96),
        applicant_id=i(data, "applicant_id", required=True, lo=1),
        form_data=form_data, paper=strs(data, "paper"), uploads=uploads_from(data),
        consent=b(data, "consent"), consent_text=s(data, "consent_text", max_len=1000),
        idempotency_key=key, delivery_method=s(data, "delivery_method", max_len=16, default="pickup"),
        courier_address=_courier(data), pickup_centre_id=pickup)
    return after(app.id, 201)


def _courier(data: dict) -> dict | None:
    """``courier_address``: an object (checked by the core) or null."""
    value = data.get("courier_address")
    if value is not None and not isinstance(value, dict):
        raise InvalidInput("courier_address 应为对象：{recipient, phone, address}", code="invalid_field",
                           field="courier_address")
    return value


@bp.get("/api/v1/applications/<int:app_id>")
def get_application(app_id: int):
    want = request.args.get("reveal") in ("1", "true")
    with quanke().db.session() as db:
        app = visible_app(db, app_id)
        reveal = want and may_reveal(me(), app, db)
        if want and not reveal:
            raise Forbidden("无权查看完整个人信息：其他中心的办件须先核验申请人的身份证件"
                            "（POST /api/v1/applicants/{id}/identify）",
                            code="forbidden_role")
        if reveal:
            reveals.record_reveal(db, quanke(), actor=actors.actor_key(me()), object_type="application",
                                  object_id=app.id, subject=app.applicant.id_number,
                                  fields=["id_number", "phone", "name", "form_data"], application_id=app.id)
        return jsonify(application_json(app, detail=True, reveal=reveal))


@bp.patch("/api/v1/applications/<int:app_id>")
def update_draft(app_id: int):
    """Edit a draft (修改草稿): a counter worker helping the citizen, with their consent."""
    user = need(Role.COUNTER)
    data = body()
    form_data = data.get("form_data")
    if form_data is not None and not isinstance(form_data, dict):
        raise InvalidInput("form_data 应为对象", code="invalid_field", field="form_data")
    remove = data.get("remove_materials") or []
    if not isinstance(remove, list) or len(remove) > 50 or not all(
            isinstance(x, int) and not isinstance(x, bool) for x in remove):
        raise InvalidInput("remove_materials 应为材料编号数组", code="invalid_field",
                           field="remove_materials")
    options = {}
    if "delivery_method" in data:
        options["delivery_method"] = s(data, "delivery_method", max_len=16)
    if "pickup_centre_id" in data:
        options["pickup_centre_id"] = i(data, "pickup_centre_id", lo=1)
    if "courier_address" in data:
        options["courier_address"] = _courier(data)
    with quanke().db.session() as db:
        visible_app(db, app_id)  # the same rule as GET: a draft only for the person at the window
    updated = acceptance.update_draft(quanke(), user, app_id, form_data=form_data,
                                    paper=strs(data, "paper"), uploads=uploads_from(data),
                                    remove_materials=remove, consent=b(data, "consent"), **options)
    with quanke().db.session() as db:
        return jsonify(application_json(db.get(Application, updated.id), detail=True))


@bp.get("/api/v1/applications/<int:app_id>/checks")
def preview_checks(app_id: int):
    need(Role.COUNTER)
    check_visible(app_id)
    results = acceptance.preview_checks(quanke(), app_id)
    return jsonify({"items": [{"check": code, "name": name, "outcome": r.outcome.value,
                               "reasons": list(r.reasons), "hit": r.hit, "list_version": r.list_version}
                              for code, name, r in results]})


@bp.get("/api/v1/applications/<int:app_id>/timeline")
def get_timeline(app_id: int):
    with quanke().db.session() as db:
        visible_app(db, app_id)
        items = [{"seq": e["seq"], "at": iso(e["at"]), "action": e["action"], "who": str(e["who"]),
                  "to": e["to"]} for e in timeline(db, app_id)]
    return jsonify({"items": items})


@bp.get("/api/v1/applications/<int:app_id>/due-date")
def get_due_date(app_id: int):
    with quanke().db.session() as db:
        app = visible_app(db, app_id)
        explanation = deadlines.due_date_explanation(quanke(), db, app)
        return jsonify({"due_date": iso(app.due_date), "overdue": app.overdue, "paused": app.paused,
                        "lines": explanation.lines() if explanation else []})


@bp.get("/api/v1/applications/<int:app_id>/documents")
def list_documents(app_id: int):
    with quanke().db.session() as db:
        visible_app(db, app_id)
        docs = documents(db, app_id) if has_issuance() else []
        items = [{"id": d.id, "kind": d.kind, "number": d.number, "status": d.status,
                  "issued_at": iso(d.issued_at),
                  "url": url_for("files.document_pdf", document_id=d.id)} for d in docs]
    return jsonify({"items": items})
