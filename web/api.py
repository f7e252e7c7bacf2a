"""REST API ``/api/v1``: every action the pages offer, for staff systems and integrations.

Token authentication (``Authorization: Bearer qk_…``; tokens from an admin page or
``quanke user token USERNAME``), so no CSRF. Errors are JSON ``{"error", "message"}`` with
the right 4xx; lists are paginated ``{"items", "page", "per_page", "total"}``. The OpenAPI
document is at ``/api/openapi.json`` (see :mod:`web.openapi`).
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt

from flask import Blueprint, g, jsonify, request, url_for
from sqlalchemy import func, literal_column, or_, select

from core.people import applicants as applicant_store, tokens
from core.platform import audit, inputs
from core.acceptance import catalog, ratings, tickets
from core.approval import queues
from core.ops import stats as statistics
from core import acceptance, approval, deadlines
from core.platform import actors
from core.platform.audit import AuditEvent
from core.platform.clock import today
from core.platform.errors import Forbidden, InvalidInput, NotFound
from core.platform.identifiers import mask_id, mask_name, mask_phone
from core.acceptance.uploads import Upload
from core.platform.models import Applicant, Application, Centre, Role, User

from .access import can_view, may_help_with_draft, may_reveal, visible_filter
from .common import documents, has_issuance, timeline
from .helpers import db_id, quanke

bp = Blueprint("api", __name__)
MAX_PER_PAGE = 100


# -- plumbing -----------------------------------------------------------------------------------

@bp.before_request
def _authenticate():
    if request.endpoint in ("api.openapi", "api.docs_index"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        with quanke().db.session() as db:
            user = tokens.user_for_token(db, token.strip())
            app_id = (request.view_args or {}).get("app_id")
            if user is not None and request.method == "POST" and isinstance(app_id, int):
                # An action on one application (accept, claim, …): decide whether it is
                # visible in the same transaction as the token lookup, one session fewer
                # on the busiest requests (see check_visible).
                app = db.get(Application, app_id)
                g.visible = (app_id, app is not None and can_view(user, app, db=db))
    if user is None:
        return jsonify({"error": "unauthorized",
                        "message": "缺少或无效的接口令牌（Authorization: Bearer <token>）"}), 401
    g.api_user = user
    return None


def me() -> User:
    return g.api_user


def need(*roles: Role) -> User:
    user = me()
    if roles and not any(user.has_role(r) for r in roles):
        raise Forbidden("没有调用该接口的角色", code="forbidden_role")
    return user


def body() -> dict:
    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象", code="invalid_json")
    return data


def s(data: dict, key: str, *, max_len: int = 4000, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{key} 应为字符串", code="invalid_field", field=key)
    if len(value) > max_len:
        raise InvalidInput(f"{key} 过长（最多{max_len}字符）", code="invalid_field", field=key)
    return inputs.check_text(value, field=key)


def i(data: dict, key: str, *, required: bool = False, lo: int = -2**31, hi: int = 2**31 - 1):
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"缺少 {key}", code="invalid_field", field=key)
        return None
    if not isinstance(value, int):
        raise InvalidInput(f"{key} 应为 {lo} 至 {hi} 之间的整数", code="invalid_field", field=key)
    return inputs.parse_int(value, field=key, lo=lo, hi=hi)


def strs(data: dict, key: str, *, limit: int = 50) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) and len(v) <= 100 for v in value):
        raise InvalidInput(f"{key} 应为字符串数组", code="invalid_field", field=key)
    return value


def b(data: dict, key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} 应为 true 或 false", code="invalid_field", field=key)
    return value


def uploads_from(data: dict) -> list[Upload]:
    value = data.get("uploads") or []
    if not isinstance(value, list) or len(value) > 20:
        raise InvalidInput("uploads 应为数组（最多20项）", code="invalid_field", field="uploads")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidInput("uploads 的每一项应为对象", code="invalid_field", field="uploads")
        code = s(item, "material_code", max_len=64)
        name = s(item, "filename", max_len=255) or "upload"
        raw = s(item, "content_base64", max_len=30_000_000)
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("content_base64 不是有效的 Base64", code="invalid_field",
                               field="uploads") from None
        out.append(Upload(code, name, content))
    return out


def page_params() -> tuple[int, int]:
    def num(name, default):
        return inputs.parse_int(request.args.get(name), field=name, lo=-inputs.MAX_ID, hi=inputs.MAX_ID, default=default,
                                code="invalid_pagination")
    page, per_page = num("page", 1), num("per_page", 20)
    if page < 1 or page > 1_000_000 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page ≥ 1，per_page 为 1 至 {MAX_PER_PAGE}", code="invalid_pagination")
    return page, per_page


#: Lists stop counting here: an exact count over a district's million applications costs a
#: full scan per page, and nobody pages that far (narrow the filter instead).
COUNT_CAP = 10_000


def capped_count(db, stmt) -> tuple[int, bool]:
    """Matches of ``stmt`` up to :data:`COUNT_CAP`, and whether there are more."""
    head = stmt.with_only_columns(literal_column("1")).order_by(None).limit(COUNT_CAP + 1)
    found = int(db.scalar(select(func.count()).select_from(head.subquery())) or 0)
    return min(found, COUNT_CAP), found > COUNT_CAP


def paged(items: list, page: int, per_page: int, total: int, capped: bool = False) -> dict:
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "total_capped": capped}


def iso(value):
    if value is None:
        return None
    return value.isoformat()


def service_summary(service) -> dict:
    return {"code": service.code, "name": service.name, "department": service.department,
            "department_name": quanke().plugins.departments.get(service.department, service.department),
            "deadline_working_days": service.deadline_working_days,
            "channels": sorted(service.channels), "identity": sorted(service.identity)}


def application_json(app: Application, *, detail: bool = False, reveal: bool = False) -> dict:
    out = {
        "id": app.id, "number": app.number, "receipt_no": app.receipt_no,
        "service_code": app.service_code,
        "service_name": quanke().plugins.services[app.service_code].name
        if app.service_code in quanke().plugins.services else app.service_code,
        "department_code": app.department_code, "state": app.state, "channel": app.channel,
        "applicant": {"id": app.applicant.id, "kind": app.applicant.kind,
                      "name": app.applicant.name if reveal else mask_name(app.applicant.name),
                      "id_number": app.applicant.id_number if reveal else mask_id(app.applicant.id_number),
                      "phone": app.applicant.phone if reveal else mask_phone(app.applicant.phone)},
        "centre_id": app.centre_id, "pickup_centre_id": app.pickup_centre_id,
        "delivery_method": app.delivery_method, "created_at": iso(app.created_at),
        "submitted_at": iso(app.submitted_at), "accepted_at": iso(app.accepted_at),
        "decided_at": iso(app.decided_at), "due_date": iso(app.due_date), "overdue": app.overdue,
        "paused": app.paused, "claimed_by_id": app.claimed_by_id,
    }
    if detail:
        out["form_data"] = app.form_data
        out["materials"] = [{"id": m.id, "code": m.code, "status": m.status, "filename": m.filename,
                             "content_type": m.content_type, "size": m.size, "note": m.note,
                             "created_at": iso(m.created_at)} for m in app.materials]
        out["evidence"] = [{"phase": e.phase, "check": e.check_code, "name": e.check_name,
                            "outcome": e.outcome, "reasons": e.reasons, "hit": e.hit,
                            "list_version": e.list_version, "at": iso(e.queried_at)}
                           for e in app.evidence]
        out["changes_since_acceptance"] = approval.evidence_changes(app)
        out["on_behalf"] = app.on_behalf
        out["consent_text"] = app.consent_text
        out["warn_reason"] = app.warn_reason
        out["extension_days"] = app.extension_days
    return out


def visible_app(db, app_id: int) -> Application:
    app = db.get(Application, app_id)
    if app is None or not can_view(me(), app, db=db):
        raise NotFound("申请不存在", code="application_not_found")
    return app


def after(app_id: int, status: int = 200):
    with quanke().db.session() as db:
        return jsonify(application_json(visible_app(db, app_id), detail=True)), status


def check_visible(app_id: int) -> None:
    known = g.get("visible")
    if known is not None and known[0] == app_id:
        if not known[1]:
            raise NotFound("申请不存在", code="application_not_found")
        return
    with quanke().db.session() as db:
        visible_app(db, app_id)


# -- who am I, services ----------------------------------------------------------------------------

@bp.get("/api/v1/me")
def get_me():
    user = me()
    return jsonify({"id": user.id, "username": user.username, "name": user.name,
                    "centre_id": user.centre_id,
                    "roles": sorted(f"{g.role}:{g.department_code}" if g.department_code else g.role
                                    for g in user.grants)})


@bp.get("/api/v1/services")
def list_services():
    page, per_page = page_params()
    channel = request.args.get("channel")
    if channel is not None and channel not in ("counter", "remote", "agent"):
        raise InvalidInput("channel 只能是 counter、remote 或 agent", code="invalid_field", field="channel")
    found = catalog.search(quanke().plugins.services.values(), (request.args.get("q") or "")[:50],
                           channel=channel, limit=10_000)
    items = [service_summary(x) for x in found[(page - 1) * per_page: page * per_page]]
    return jsonify(paged(items, page, per_page, len(found)))


@bp.get("/api/v1/services/<code>")
def get_service(code: str):
    service = quanke().service(code)
    out = service_summary(service)
    out["materials"] = [{"code": m.code, "name": m.name, "required": m.required,
                         "accepted_types": sorted(m.accepted_types), "max_bytes": m.max_bytes,
                         "paper_ok": m.paper_ok, "alternative_to": m.alternative_to}
                        for m in service.materials]
    out["guide"] = dict(service.guide)
    out["commitment"] = service.commitment
    form = service.form()
    out["form_fields"] = [{"name": f.name, "label": str(f.label.text), "type": f.type,
                           "required": bool(f.flags.required)} for f in form]
    return jsonify(out)


# -- applicants ------------------------------------------------------------------------------------

def applicant_json(person: Applicant) -> dict:
    return {"id": person.id, "kind": person.kind, "name": person.name,
            "id_number": person.id_number, "phone": mask_phone(person.phone)}


@bp.get("/api/v1/applicants")
def find_applicant():
    need(Role.COUNTER, Role.AGENT)
    kind = request.args.get("kind", "person")
    number = (request.args.get("id_number") or "").strip()[:64]
    if kind not in ("person", "enterprise"):
        raise InvalidInput("kind 只能是 person 或 enterprise", code="invalid_applicant_kind", field="kind")
    if not number:
        raise InvalidInput("请提供 id_number", code="invalid_field", field="id_number")
    with quanke().db.session() as db:
        person = applicant_store.find(db, kind, number)
        items = [applicant_json(person)] if person else []
    return jsonify({"items": items, "page": 1, "per_page": 1, "total": len(items)})


@bp.post("/api/v1/applicants")
def register_applicant():
    user = need(Role.COUNTER, Role.AGENT)
    data = body()
    kind = s(data, "kind", max_len=16, default="person")
    with quanke().db.session() as db:
        person, warnings = applicant_store.register(
            db, kind=kind, id_number=s(data, "id_number", max_len=64), name=s(data, "name", max_len=200),
            phone=s(data, "phone", max_len=20), actor=actors.actor_key(user))
        out = applicant_json(person) | {"warnings": warnings}
    return jsonify(out), 201


@bp.get("/api/v1/applicants/<int:applicant_id>")
def get_applicant(applicant_id: int):
    need(Role.COUNTER, Role.AGENT)
    with quanke().db.session() as db:
        person = db.get(Applicant, applicant_id)
        if person is None:
            raise NotFound("申请人不存在", code="applicant_not_found")
        out = applicant_json(person)
        out["id_number"] = mask_id(person.id_number)
        out["name"] = mask_name(person.name)
    return jsonify(out)


@bp.post("/api/v1/applicants/<int:applicant_id>/phone")
def change_applicant_phone(applicant_id: int):
    """A new phone for a person, at the counter, ID re-checked (core.people.applicants.change_phone)."""
    user = need(Role.COUNTER)
    data = body()
    with quanke().db.session() as db:
        person = applicant_store.change_phone(db, applicant_id=applicant_id, user=db.get(User, user.id),
                                              id_number=s(data, "id_number", max_len=64),
                                              phone=s(data, "phone", max_len=20))
        out = applicant_json(person)
        out["id_number"] = mask_id(person.id_number)
    return jsonify(out)


# -- applications ----------------------------------------------------------------------------------

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
        pickup_centre_id=pickup)
    return after(app.id, 201)


@bp.get("/api/v1/applications/<int:app_id>")
def get_application(app_id: int):
    want = request.args.get("reveal") in ("1", "true")
    with quanke().db.session() as db:
        app = visible_app(db, app_id)
        reveal = want and may_reveal(me(), app, db)
        if want and not reveal:
            raise Forbidden("无权查看完整个人信息", code="forbidden_role")
        if reveal:
            audit.record_view(db, actor=actors.actor_key(me()), object_type="application",
                              object_id=app.id, subject=app.applicant.id_number,
                              fields=["id_number", "phone", "name"], application_id=app.id)
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
    with quanke().db.session() as db:
        app = db.get(Application, app_id)
        if app is None or not (can_view(user, app, db=db) or may_help_with_draft(user, app, db)):
            raise NotFound("申请不存在", code="application_not_found")
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


def _action(app_id: int, fn, status: int = 200):
    """Visible (else 404), then the workflow action; answers the application's summary."""
    check_visible(app_id)
    result = fn()
    app = result if isinstance(result, Application) else None
    if app is None or app.id != app_id:
        return after(app_id, status)
    return jsonify(application_json(app)), status


@bp.post("/api/v1/applications/<int:app_id>/materials")
def add_materials(app_id: int):
    data = body()
    paper, uploads = strs(data, "paper"), uploads_from(data)
    return _action(app_id, lambda: acceptance.attach_material(quanke(), me(), app_id, paper=paper,
                                                            uploads=uploads))


@bp.post("/api/v1/applications/<int:app_id>/accept")
def accept(app_id: int):
    data = body()
    reason = s(data, "warn_reason")
    return _action(app_id, lambda: acceptance.accept(quanke(), me(), app_id, warn_reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/return")
def return_(app_id: int):
    data = body()
    defects = data.get("defects") or {}
    if not isinstance(defects, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) <= 1000
                                                for k, v in defects.items()):
        raise InvalidInput("defects 应为 {材料编码: 原因} 对象", code="invalid_field", field="defects")
    note = s(data, "note")
    return _action(app_id, lambda: acceptance.return_for_correction(quanke(), me(), app_id,
                                                                  defects=defects, note=note))


@bp.post("/api/v1/applications/<int:app_id>/refuse")
def refuse(app_id: int):
    reasons = s(body(), "reasons")
    return _action(app_id, lambda: acceptance.refuse(quanke(), me(), app_id, reasons=reasons))


@bp.post("/api/v1/applications/<int:app_id>/resubmit")
def resubmit(app_id: int):
    return _action(app_id, lambda: acceptance.resubmit(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/claim")
def claim(app_id: int):
    return _action(app_id, lambda: approval.claim(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/release")
def release(app_id: int):
    return _action(app_id, lambda: approval.release(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/assign")
def assign(app_id: int):
    target = i(body(), "approver_id", required=True, lo=1)
    return _action(app_id, lambda: approval.assign(quanke(), me(), app_id, approver_id=target))


@bp.post("/api/v1/applications/<int:app_id>/approve")
def approve(app_id: int):
    data = body()
    reasons, and_issue = s(data, "reasons"), b(data, "issue")

    def run():
        app = approval.approve(quanke(), me(), app_id, reasons=reasons)
        return approval.issue(quanke(), me(), app_id) if and_issue else app
    return _action(app_id, run)


@bp.post("/api/v1/applications/<int:app_id>/reject")
def reject(app_id: int):
    reasons = s(body(), "reasons")
    return _action(app_id, lambda: approval.reject(quanke(), me(), app_id, reasons=reasons))


@bp.post("/api/v1/applications/<int:app_id>/issue")
def issue(app_id: int):
    return _action(app_id, lambda: approval.issue(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/recheck")
def recheck(app_id: int):
    return _action(app_id, lambda: approval.recheck(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/pause")
def pause(app_id: int):
    reason = s(body(), "reason")
    return _action(app_id, lambda: approval.pause(quanke(), me(), app_id, reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/resume")
def resume(app_id: int):
    return _action(app_id, lambda: approval.resume(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/extend")
def extend(app_id: int):
    data = body()
    days, reason = i(data, "days", required=True, lo=-1000, hi=1000), s(data, "reason")
    return _action(app_id, lambda: approval.extend(quanke(), me(), app_id, days=days, reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/deliver")
def deliver(app_id: int):
    data = body()
    kwargs = {"method": s(data, "method", max_len=16, default="pickup"),
              "recipient_name": s(data, "recipient_name", max_len=64),
              "recipient_id_number": s(data, "recipient_id_number", max_len=32),
              "tracking_no": s(data, "tracking_no", max_len=64)}
    return _action(app_id, lambda: acceptance.deliver(quanke(), me(), app_id, **kwargs))


@bp.post("/api/v1/applications/<int:app_id>/withdraw")
def withdraw(app_id: int):
    reason = s(body(), "reason")
    return _action(app_id, lambda: acceptance.withdraw(quanke(), me(), app_id, reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/rating")
def rate(app_id: int):
    data = body()
    level, comment = i(data, "level", required=True, lo=-100, hi=100), s(data, "comment", max_len=2000)
    check_visible(app_id)
    with quanke().db.session() as db:
        rating = ratings.rate(quanke(), db, me(), app_id, level=level, comment=comment)
        out = {"id": rating.id, "level": rating.level, "label": rating.label, "comment": rating.comment}
    return jsonify(out), 201


# -- queues, tickets ------------------------------------------------------------------------------

@bp.get("/api/v1/queues/<department>")
def department_queue(department: str):
    user = need(Role.APPROVER, Role.DEPT_LEAD)
    if department not in queues.departments_for(user):
        raise Forbidden("只能查看本部门的审批队列", code="forbidden_department")
    page, per_page = page_params()
    status = request.args.get("status", "open")
    if status not in queues.STATUS_FILTERS:
        raise InvalidInput(f"status 只能是 {', '.join(queues.STATUS_FILTERS)}", code="invalid_field",
                           field="status")
    centre = inputs.parse_id(request.args.get("centre_id"), field="centre_id")
    with quanke().db.session() as db:
        rows, total = queues.queue(db, department, status=status, service=request.args.get("service"),
                                   centre_id=centre, user_id=user.id,
                                   page=page, per_page=per_page)
        out = paged([application_json(a) for a in rows], page, per_page, total)
        out["counts"] = queues.counts(db, [department], user.id)[department]
    return jsonify(out)


def _ticket_json(t) -> dict:
    return {"id": t.id, "number": t.number, "kind": t.kind, "status": t.status,
            "service_code": t.service_code, "taken_at": iso(t.taken_at), "window": t.window}


@bp.get("/api/v1/tickets")
def waiting_tickets():
    user = need(Role.COUNTER)
    with quanke().db.session() as db:
        items = [_ticket_json(t) for t in tickets.waiting(db, user.centre_id or -1)]
        current = tickets.current_for(db, user)
        return jsonify({"items": items, "current": _ticket_json(current) if current else None})


@bp.post("/api/v1/tickets")
def take_ticket():
    need(Role.COUNTER)
    data = body()
    service_code = s(data, "service_code", max_len=96)
    if service_code and service_code not in quanke().plugins.services:
        raise InvalidInput("未知的办理事项", code="unknown_service", field="service_code")
    with quanke().db.session() as db:
        centre = tickets.centre_by_code(db, s(data, "centre", max_len=32) or
                                        (db.get(Centre, me().centre_id).code if me().centre_id else ""))
        ticket = tickets.take_ticket(db, centre, service_code=service_code)
        return jsonify(_ticket_json(ticket)), 201


@bp.post("/api/v1/tickets/call")
def call_ticket():
    data = body()
    window = s(data, "window", max_len=16)
    with quanke().db.session() as db:
        ticket = tickets.call_next(db, me(), window=window)
        return jsonify({"ticket": _ticket_json(ticket) if ticket else None})


# -- statistics, follow-ups, audit -------------------------------------------------------------------

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
                    "satisfaction": result.satisfaction, "by_state": result.by_state})


@bp.get("/api/v1/follow-ups")
def list_follow_ups():
    with quanke().db.session() as db:
        rows = ratings.follow_ups(db, me(), status=None)
        items = [{"id": f.id, "application_id": f.application_id, "due_date": iso(f.due_date),
                  "status": f.status, "level": f.rating.level, "comment": f.rating.comment,
                  "resolution": f.resolution} for f in rows]
    return jsonify({"items": items})


@bp.post("/api/v1/follow-ups/<int:item_id>/close")
def close_follow_up(item_id: int):
    resolution = s(body(), "resolution")
    with quanke().db.session() as db:
        item = ratings.close_follow_up(db, me(), item_id, resolution=resolution)
        return jsonify({"id": item.id, "status": item.status})


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
            stmt = stmt.where(AuditEvent.subject == request.args["subject"].strip().upper()[:64])
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


# -- the description ----------------------------------------------------------------------------------

@bp.get("/api/openapi.json")
def openapi():
    from .openapi import spec
    from flask import current_app
    return jsonify(spec(request.host_url.rstrip("/"), current_app))

