"""JSON API under ``/api/v1/business_license``: register, name check, filing, bundles,
supervision feed (JSON and CSV) and inspection results.

Authentication: ``Authorization: Bearer <token>`` (as the core API), or the signed-in staff
session — then every request that changes something must carry the CSRF token in the
``X-CSRFToken`` header. Errors are ``{"error": code, "message": text}`` with a 4xx.
"""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from core.api import (
    InvalidInput,
    NotFound,
    QuankeError,
    parse_date,
    parse_int,
    record_view,
)
from core.api import today as local_today
from plugins.business_license import api_schemas as doc
from plugins.business_license.domain import (
    catalog,
    filing,
    inspections,
    lookups,
    supervision,
)
from plugins.business_license.models import TASK_STATUSES
from plugins.business_license.views import api_bodies as bodies
from plugins.business_license.views.common import (
    api_user,
    is_counter,
    is_supervisor,
    json_error,
    page_args,
    require,
    runtime,
    session_user,
    token_user,
)

bp = Blueprint("business_license_api", __name__, url_prefix="/api/v1/business_license")


@bp.record_once
def _exempt_from_form_csrf(state):
    # Token clients have no CSRF token; session clients are checked in _authenticate instead.
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


@bp.before_request
def _authenticate():
    user = token_user()
    if user is None:
        user = session_user()
        if user is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except (ValidationError, CSRFError):
                return json_error("csrf_failed", "缺少或无效的安全校验码（X-CSRFToken）", 400)
    if user is None:
        return json_error("unauthorized", "请先登录，或提供接口令牌（Authorization: Bearer <token>）", 401)
    g.bl_user = user
    return None


@bp.errorhandler(QuankeError)
def _error(exc: QuankeError):
    status = exc.http_status if 400 <= exc.http_status < 500 else 400
    return jsonify(exc.to_dict()), status


# -- the register --------------------------------------------------------------------------

@bp.get("/businesses")
@doc.businesses
def businesses():
    user = api_user()
    args = request.args
    street = args.get("street", "")
    if street and street not in catalog.STREETS:
        raise InvalidInput(f"街道“{street}”不存在", code="invalid_field", field="street")
    status = args.get("status", "")
    if status not in ("", "active", "deregistered"):
        raise InvalidInput("status 只能是 active 或 deregistered", code="invalid_field", field="status")
    page, per_page = page_args()
    operator_id = args.get("operator_id", "")
    with runtime().db.session() as session:
        rows, total = lookups.search_businesses(session, name=args.get("name", ""),
                                                code=args.get("code", ""), operator_id=operator_id,
                                                street=street, status=status, page=page,
                                                per_page=per_page)
        if operator_id.strip():  # searching by a person's ID number is looking at personal data
            record_view(session, actor=f"user:{user.id}", object_type="bl_register",
                              object_id="search", subject=operator_id.strip().upper()[:64],
                              fields=["operator_id_number"], reason="名录按经营者身份证号码查询")
        items = [b.public() for b in rows]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


@bp.get("/businesses/<credit_code>")
def business(credit_code):
    with runtime().db.session() as session:
        found = lookups.business_by_code(session, credit_code)
        if found is None:
            raise NotFound("名录中没有该统一社会信用代码", code="business_not_found")
        return jsonify(found.public())


@bp.get("/name-check")
@doc.name_check
def name_check():
    """Is a name free? ``trade_name``, ``industry``, ``name_form`` → clash or not."""
    from plugins.business_license.domain import names
    args = request.args
    parts = {k: (args.get(k) or "").strip() for k in ("trade_name", "industry", "name_form")}
    missing = [k for k, v in parts.items() if not v]
    if missing:
        raise InvalidInput("请填写字号、行业和组织形式用字", code="invalid_field", field=missing[0])
    own = names.compose(parts["trade_name"], parts["industry"], parts["name_form"])
    problem = names.forbidden_message(own)
    if problem:
        return jsonify({"name": own, "available": False, "reason": f"名称“{own}”{problem}"})
    with runtime().db.session() as session:
        clash = lookups.name_clash(session, **parts)
    return jsonify({"name": own, "available": clash is None,
                    "reason": clash.message if clash else "", "clash": clash.evidence() if clash else None})


# -- filing and bundles --------------------------------------------------------------------

@bp.post("/applications")
@doc.application
def file_application():
    """File one of the four services with the register checked first (no half-saved input)."""
    user = api_user()
    require(user, is_counter(user), "代为登记申请")
    data = bodies.body()
    code = data.get("service_code")
    if code not in lookups.SERVICES:
        raise InvalidInput("service_code 应为本插件的事项编码", code="invalid_field", field="service_code")
    app = filing.file(runtime(), user, service_code=code, applicant_id=bodies.applicant_id(data),
                      form_data=bodies.form(data), paper=bodies.strings(data, "paper"), uploads=bodies.uploads(data),
                      **bodies.filing_options(data))
    return jsonify(bodies.app_json(app)), 201


@bp.post("/bundles")
@doc.bundle
def file_bundle():
    """证照联办: one joint form → two applications and their bundle reference."""
    user = api_user()
    require(user, is_counter(user), "代为登记申请")
    data = bodies.body()
    joint = filing.file_joint(runtime(), user, applicant_id=bodies.applicant_id(data), form_data=bodies.form(data),
                              paper=bodies.strings(data, "paper"), uploads=bodies.uploads(data),
                              **bodies.filing_options(data))
    return jsonify(bodies.joint_json(joint)), 201


@bp.get("/bundles/<reference>")
def get_bundle(reference):
    return jsonify(bodies.joint_json(filing.bundle(runtime(), reference)))


@bp.post("/bundles/<reference>/accept")
@doc.accept_bundle
def accept_bundle(reference):
    user = api_user()
    data = bodies.body()
    reason = data.get("warn_reason", "")
    if not isinstance(reason, str) or len(reason) > 2000:
        raise InvalidInput("warn_reason 应为不超过2000字的字符串", code="invalid_field", field="warn_reason")
    return jsonify(bodies.joint_json(filing.accept_bundle(runtime(), user, reference, warn_reason=reason)))


# -- supervision feed ----------------------------------------------------------------------

def _feed_args():
    user = api_user()
    require(user, is_supervisor(user), "查看监管推送数据")
    args = request.args
    since = parse_date(args.get("since"), field="since")
    after = parse_int(args.get("after_id"), field="after_id", lo=0, default=0)
    limit = parse_int(args.get("limit"), field="limit", lo=1, hi=5000, default=500)
    street = args.get("street") or None
    if street and street not in catalog.STREETS:
        raise InvalidInput(f"街道“{street}”不存在", code="invalid_field", field="street")
    return {"since": since, "after_id": after, "limit": limit, "street": street}


@bp.get("/supervision")
@doc.supervision
def supervision_feed():
    options = _feed_args()
    with runtime().db.session() as session:
        rows, total = supervision.feed(session, **options)
    return jsonify({"items": rows, "total": total,
                    "next_after_id": rows[-1]["id"] if rows else options["after_id"]})


@bp.get("/supervision.csv")
@doc.supervision_csv
def supervision_csv():
    options = _feed_args()
    with runtime().db.session() as session:
        rows, _total = supervision.feed(session, **options)
    name = f"supervision-{local_today():%Y%m%d}.csv"
    return Response(supervision.feed_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- inspections ---------------------------------------------------------------------------

@bp.get("/inspections")
@doc.inspections
def inspection_list():
    user = api_user()
    require(user, is_supervisor(user), "查看核查任务")
    status = request.args.get("status", "open")
    if status not in (*TASK_STATUSES, "all"):
        raise InvalidInput("status 取值不正确", code="invalid_field", field="status")
    with runtime().db.session() as session:
        found = inspections.tasks(session, status=None if status == "all" else status,
                                  street=request.args.get("street") or None)
        return jsonify({"items": [inspections.task_dict(session, t) for t in found]})


@bp.post("/inspections/<int:task_id>/result")
@doc.inspection_result
def inspection_result(task_id):
    user = api_user()
    data = bodies.body()
    outcome, note, deadline = data.get("outcome"), data.get("note", ""), data.get("deadline")
    if not isinstance(outcome, str) or not isinstance(note, str):
        raise InvalidInput("outcome 和 note 应为字符串", code="invalid_field", field="outcome")
    if deadline is not None and not isinstance(deadline, str):
        raise InvalidInput("deadline 应为 YYYY-MM-DD 格式的字符串", code="invalid_deadline", field="deadline")
    task = inspections.record_result(runtime(), user, task_id, outcome=outcome, note=note, deadline=deadline)
    with runtime().db.session() as session:
        return jsonify(inspections.task_dict(session, session.merge(task)))
