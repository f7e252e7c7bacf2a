"""JSON API under ``/api/v1/archive_query/``.

Authentication: a staff API token (``Authorization: Bearer qk_…``, as for the core API) or
the signed-in session (citizens use the portal session). Changes made with a session need
the CSRF token in the ``X-CSRFToken`` header; token calls need none. Errors are
``{"error": code, "message": 中文}`` with the right 4xx.

* ``GET  /categories`` — the five categories, their fields and CSV columns.
* ``GET  /records?id_number=&category=&reason=`` — archive staff: anyone's records (reason
  required); a citizen: only their own (another ID → 403, nothing disclosed, audited).
* ``GET  /records/<id>?reason=`` — one record (a citizen: only one naming them; 404 otherwise).
* ``GET  /search?name=&birth_year=&category=&reason=`` — archive staff, fuzzy.
* ``GET  /access-log?page=&per_page=`` — a citizen: who looked at their records.
* ``GET  /settings``, ``PUT /settings`` ``{"auto_approve_self": bool, "note": "…"}`` —
  the bureau switch (read: archive staff; change: its lead; audited).
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_wtf.csrf import ValidationError, validate_csrf

from core.api import Citizen, Forbidden, InvalidInput, QuankeError, api_doc, user_for_token

from plugins.archive_query import api_schemas as doc
from plugins.archive_query.domain import lookups, settings
from plugins.archive_query.domain.access import access_log_for, is_archive_staff, log_entry
from plugins.archive_query.domain.categories import CATEGORIES, COMMON_LABELS
from plugins.archive_query.views.common import quanke, signed_in

api = Blueprint("archive_query_api", __name__, url_prefix="/api/v1/archive_query")


@api.record_once
def _exempt_from_form_csrf(state):
    # Bearer-token clients cannot send a CSRF token; session calls are checked in _actor().
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(api)


class Unauthorized(QuankeError):
    code = "unauthorized"
    http_status = 401


def _error(exc: QuankeError):
    status = exc.http_status if 400 <= exc.http_status < 500 else 400
    return jsonify(exc.to_dict()), status


@api.errorhandler(QuankeError)
def _quanke_error(exc: QuankeError):
    return _error(exc)


@api.before_request
def _actor():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        with quanke().db.session() as session:
            user = user_for_token(session, token.strip())
        if user is None:
            return _error(Unauthorized("缺少或无效的接口令牌（Authorization: Bearer <token>）"))
        g.aq_actor = user
        return None
    me = signed_in()
    if me is None:
        return _error(Unauthorized("请先登录或提供接口令牌"))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            return _error(InvalidInput("缺少或无效的安全校验码（X-CSRFToken）", code="csrf_failed"))
    g.aq_actor = me
    return None


def _me():
    return g.aq_actor


def _arg(name: str, *, max_len: int = 200) -> str:
    value = request.args.get(name, "")
    if len(value) > max_len:
        raise InvalidInput(f"{name} 过长", code="invalid_field", field=name)
    return value


@api.get("/categories")
def categories():
    return jsonify({"items": [
        {"code": c.code, "label": c.label, "columns": c.columns,
         "persons": [{"role": r.role, "label": r.label, "required": r.required} for r in c.roles],
         "fields": [{"name": f.name, "label": f.label, "type": f.kind, "required": f.required,
                     "choices": list(f.choices), "public": f.public} for f in c.fields]}
        for c in CATEGORIES.values()], "common": COMMON_LABELS})


@api.get("/records")
@doc.records
def records():
    me = _me()
    id_number = _arg("id_number", max_len=32)
    category = _arg("category", max_len=32) or None
    if isinstance(me, Citizen):
        items = lookups.own_records(quanke(), me, id_number=id_number or None, category=category,
                                    channel="api")
    else:
        if not id_number and is_archive_staff(me):
            raise InvalidInput("请提供要检索的身份证号 id_number", code="id_number_required",
                               field="id_number")
        items = lookups.staff_by_id(quanke(), me, id_number=id_number, category=category,
                                    reason=_arg("reason"), channel="api")
    return jsonify({"items": items, "total": len(items)})


@api.get("/records/<int:record_id>")
@doc.record
def record(record_id: int):
    me = _me()
    if isinstance(me, Citizen):
        return jsonify(lookups.own_record(quanke(), me, record_id, channel="api"))
    return jsonify(lookups.staff_record(quanke(), me, record_id, reason=_arg("reason"),
                                        channel="api"))


@api.get("/search")
@doc.search
def search():
    me = _me()
    items = lookups.staff_by_name(quanke(), me, name=_arg("name", max_len=30),
                                  birth_year=_arg("birth_year", max_len=4),
                                  category=_arg("category", max_len=32) or None,
                                  reason=_arg("reason"), channel="api")
    return jsonify({"items": items, "total": len(items)})


@api.get("/access-log")
@doc.access_log
def access_log():
    me = _me()
    if not isinstance(me, Citizen):
        raise Forbidden("查阅记录只向档案当事人本人展示", code="forbidden_role")
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 20))
    except ValueError:
        raise InvalidInput("page、per_page 应为正整数", code="invalid_pagination") from None
    if not (1 <= page <= 100_000 and 1 <= per_page <= 100):
        raise InvalidInput("page ≥ 1，per_page 为 1 至 100", code="invalid_pagination")
    with quanke().db.session() as session:
        citizen = session.get(Citizen, me.id)
        if citizen is None or citizen.applicant is None:
            raise Forbidden("账户尚未实名登记身份证号", code="not_real_name")
        rows, total = access_log_for(session, citizen.applicant.id_number, page=page,
                                     per_page=per_page)
        items = [log_entry(r, f"citizen:{citizen.id}") for r in rows]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


@api.get("/settings")
def get_settings():
    if not is_archive_staff(_me()):
        raise Forbidden("只有区档案馆人员可以查看该设置", code="not_archive_staff")
    with quanke().db.session() as session:
        return jsonify(settings.read(session).as_dict())


@api.put("/settings")
@api_doc(body={"type": "object", "required": ["auto_approve_self"], "properties": {
    "auto_approve_self": {"type": "boolean"}, "note": {"type": "string", "maxLength": 500}}})
def put_settings():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象", code="invalid_json")
    result = settings.set_auto_approve(quanke(), _me(), enabled=data.get("auto_approve_self"),
                                       note=data.get("note") if isinstance(data.get("note"), str) else "")
    return jsonify(result.as_dict())
