"""JSON API of the legal-aid centre: ``/api/v1/legal_aid/…``.

Authentication: an API token (``Authorization: Bearer …``, see ``quanke user token``) or the
signed-in staff session; a session request that changes something must carry the CSRF token
(header ``X-CSRFToken``), a token request need not. Errors are ``{"error", "message"}`` with
the right 4xx, and nothing is changed.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user

from core.api import Forbidden, InvalidInput, QuankeError, User, today, user_for_token

from plugins.legal_aid.domain import access, decisions, objections, queries, roster, standards, termination
from plugins.legal_aid.domain.decisions import load
from plugins.legal_aid.domain.detail import case_detail
from plugins.legal_aid.domain.law import CATEGORIES
from plugins.legal_aid.models import Lawyer
from plugins.legal_aid.domain.status import LABELS

bp = Blueprint("legal_aid_api", __name__, url_prefix="/api/v1/legal_aid")
MAX_PER_PAGE = 100


@bp.record_once
def _no_global_csrf(state):
    # Token requests carry no CSRF token; session requests are checked in _authenticate.
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


def quanke():
    return current_app.extensions["quanke"]


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        with quanke().db.session() as session:
            user = user_for_token(session, token.strip())
        if user is None:
            return _error("unauthorized", "接口令牌无效", 401)
    elif current_user.is_authenticated and getattr(current_user, "is_staff", False):
        user = current_user.model
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf = current_app.extensions.get("csrf")
            if csrf is not None:
                from flask_wtf.csrf import CSRFError
                try:
                    csrf.protect()
                except CSRFError:
                    return _error("csrf_failed", "缺少或无效的安全校验码（X-CSRFToken）", 400)
    if user is None:
        return _error("unauthorized", "请先登录或提供接口令牌（Authorization: Bearer <token>）", 401)
    g.la_user = user
    return None


def _error(code: str, message: str, status: int):
    return jsonify({"error": code, "message": message}), status


@bp.errorhandler(QuankeError)
def _quanke_error(exc: QuankeError):
    status = exc.http_status if 400 <= exc.http_status < 500 else 400
    return jsonify(exc.to_dict()), status


def me() -> User:
    return g.la_user


def need(check) -> User:
    user = me()
    if not check(user):
        raise Forbidden("没有调用该接口的权限", code="forbidden_role")
    return user


def body() -> dict:
    data = request.get_json(silent=True) if request.data else {}
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象", code="invalid_json")
    return data


def text(data: dict, key: str, *, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{key} 应为字符串", code="invalid_field", field=key)
    return value


def flag(data: dict, key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} 应为 true 或 false", code="invalid_field", field=key)
    return value


def day(data: dict, key: str, *, required: bool = True) -> dt.date | None:
    value = data.get(key)
    if value in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} 应为 YYYY-MM-DD 格式的日期", code="invalid_date", field=key) from None


def integer(data: dict, key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key} 应为整数", code="invalid_field", field=key)
    return value


# -- cases ------------------------------------------------------------------------------------

@bp.get("/cases")
def list_cases():
    need(access.may_read)
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    if status and status not in LABELS:
        raise InvalidInput("status 无效，可选：" + "、".join(LABELS), code="invalid_field", field="status")
    if category and category not in CATEGORIES:
        raise InvalidInput("category 不属于法律援助事项类别", code="invalid_field", field="category")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = min(max(request.args.get("per_page", 20, type=int) or 20, 1), MAX_PER_PAGE)
    with quanke().db.session() as session:
        rows, total = queries.case_list(quanke(), session, status=status, category=category,
                                        q=request.args.get("q", "")[:50], page=page, per_page=per_page)
    items = [{**r.__dict__, **{k: getattr(r, k).isoformat() for k in ("accepted_on", "decide_by", "decided_on")
                               if getattr(r, k)}} for r in rows]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


@bp.get("/cases/<int:app_id>")
def get_case(app_id: int):
    need(access.may_read)
    with quanke().db.session() as session:
        return jsonify(case_detail(quanke(), session, load(session, app_id)))


def _case(app_id: int, status: int = 200):
    with quanke().db.session() as session:
        return jsonify(case_detail(quanke(), session, load(session, app_id))), status


@bp.post("/cases/<int:app_id>/decision")
def decide(app_id: int):
    user = need(access.is_centre)
    data = body()
    decisions.decide(quanke(), user, app_id, grant=flag(data, "grant"), reasons=text(data, "reasons"))
    return _case(app_id)


@bp.post("/cases/<int:app_id>/urgent")
def urgent(app_id: int):
    user = need(access.is_centre)
    data = body()
    decisions.give_urgent_aid(quanke(), user, app_id, reason=text(data, "reason"),
                              deadline_on=day(data, "deadline_on", required=False), note=text(data, "note"))
    return _case(app_id, 201)


@bp.post("/cases/<int:app_id>/assignment")
def assign(app_id: int):
    user = need(access.is_centre)
    decisions.assign_now(quanke(), user, app_id, lawyer_id=integer(body(), "lawyer_id"))
    return _case(app_id, 201)


@bp.post("/cases/<int:app_id>/reassignment")
def reassign(app_id: int):
    user = need(access.is_centre)
    data = body()
    decisions.reassign(quanke(), user, app_id, reason=text(data, "reason"), lawyer_id=integer(data, "lawyer_id"))
    return _case(app_id, 201)


@bp.post("/cases/<int:app_id>/termination")
def terminate(app_id: int):
    user = need(access.is_centre)
    data = body()
    termination.terminate(quanke(), user, app_id, reason=text(data, "reason"), facts=text(data, "facts"),
                          found_on=day(data, "found_on"))
    return _case(app_id, 201)


@bp.post("/cases/<int:app_id>/objections")
def lodge(app_id: int):
    user = me()
    data = body()
    obj = objections.lodge(quanke(), user, app_id, grounds=text(data, "grounds"),
                           received_on=day(data, "received_on"))
    return jsonify({"id": obj.id, "against": obj.against, "due_on": obj.due_on.isoformat(),
                    "status": obj.status}), 201


@bp.post("/objections/<int:objection_id>/decision")
def decide_objection(objection_id: int):
    user = need(access.is_bureau)
    data = body()
    obj = objections.decide(quanke(), user, objection_id, uphold=flag(data, "uphold"),
                            reasons=text(data, "reasons"))
    return jsonify({"id": obj.id, "status": obj.status, "document_id": obj.document_id})


@bp.post("/objections/<int:objection_id>/correction")
def correct(objection_id: int):
    user = need(access.is_centre)
    obj = objections.carry_out(quanke(), user, objection_id, note=text(body(), "note"))
    return _case(obj.application_id)


# -- statistics, roster, standards ------------------------------------------------------------

@bp.get("/stats")
def stats():
    need(access.may_read)
    end = day(request.args, "end", required=False) or today()
    start = day(request.args, "start", required=False) or end - dt.timedelta(days=89)
    if start > end:
        raise InvalidInput("start 不能晚于 end", code="invalid_range", field="start")
    with quanke().db.session() as session:
        return jsonify(queries.compute(quanke(), session, start, end).as_dict())


def _lawyer(lw: Lawyer, loads) -> dict:
    active, total = loads.get(lw.id, (0, 0))
    return {"id": lw.id, "name": lw.name, "licence_no": lw.licence_no, "firm": lw.firm, "phone": lw.phone,
            "max_active": lw.max_active, "on_roster": lw.active, "active_cases": active, "total_cases": total,
            "conflicts": [{"party_name": c.party_name, "note": c.note} for c in lw.conflicts]}


@bp.get("/lawyers")
def lawyers():
    need(lambda u: access.is_centre(u) or access.may_keep_roster(u))
    with quanke().db.session() as session:
        loads = roster.caseloads(session)
        return jsonify({"items": [_lawyer(lw, loads) for lw in session.query(Lawyer).order_by(Lawyer.id)]})


@bp.post("/lawyers")
def add_lawyer():
    from core.api import actor_key
    user = need(access.may_keep_roster)
    data = body()
    max_active = integer(data, "max_active")
    with quanke().db.session() as session:
        lawyer = roster.add_lawyer(session, actor=actor_key(user), name=text(data, "name"),
                                   licence_no=text(data, "licence_no"), firm=text(data, "firm"),
                                   phone=text(data, "phone"), max_active=10 if max_active is None else max_active)
        return jsonify(_lawyer(lawyer, {})), 201


@bp.post("/lawyers/<int:lawyer_id>/conflicts")
def add_conflict(lawyer_id: int):
    from core.api import actor_key
    user = need(access.may_keep_roster)
    data = body()
    with quanke().db.session() as session:
        roster.add_conflict(session, lawyer_id, party_name=text(data, "party_name"), note=text(data, "note"),
                            actor=actor_key(user))
        return jsonify(_lawyer(session.get(Lawyer, lawyer_id), roster.caseloads(session))), 201


@bp.get("/standards")
def list_standards():
    need(access.may_read)
    with quanke().db.session() as session:
        rows = standards.all_standards(session)
        return jsonify({"items": [{"area_code": r.area_code, "effective_from": r.effective_from.isoformat(),
                                   "monthly_per_head": str(r.monthly_per_head),
                                   "assets_per_head": None if r.assets_per_head is None else str(r.assets_per_head),
                                   "source": r.source} for r in rows]})


@bp.post("/standards")
def load_standards():
    """The CSV file as the request body (``text/csv``); all lines or none."""
    from core.api import actor_key
    user = need(access.may_keep_roster)
    raw = request.get_data(cache=False)
    if not raw or len(raw) > 1_000_000:
        raise InvalidInput("请求体应为不超过1MB的 CSV 文件", code="invalid_standards_file")
    with quanke().db.session() as session:
        report = standards.load_bytes(session, raw, filename="api-upload.csv", actor=actor_key(user))
    return jsonify({"inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged}), 201
