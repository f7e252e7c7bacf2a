"""JSON API ``/api/v1/timebank/…`` for every action the pages offer.

Authentication: a staff API token (``Authorization: Bearer qk_…``, as the core API) or
the signed-in session; a session caller sends the page's CSRF token in ``X-CSRFToken``
for anything that changes data. Errors are ``{"error": code, "message": text}`` with the
right 4xx (the app's handler renders QuankeError that way for /api/ paths).
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from core.api import LOCAL_TZ, Forbidden, InvalidInput, NotFound, parse_int, user_for_token

from plugins.timebank import api_schemas as doc
from plugins.timebank.domain import access, interbank, ledger, matching, reports, statements, withdrawals
from plugins.timebank.domain import requests as reqs
from plugins.timebank.models import Holder, ServiceRequest, Volunteer

bp = Blueprint("timebank_api", __name__, url_prefix="/api/v1/timebank")


@bp.record_once
def _exempt_from_form_csrf(state):
    # Tokens carry no CSRF cookie; session callers are checked in _authenticate instead.
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


def quanke():
    from flask import current_app
    return current_app.extensions["quanke"]


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        with quanke().db.session() as session:
            user = user_for_token(session, token.strip())
        if user is None:
            return _unauthorized()
        g.tb_actor = user
        return None
    if not current_user.is_authenticated:
        return _unauthorized()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        from flask_wtf.csrf import ValidationError, validate_csrf
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError:
            return jsonify({"error": "csrf_failed", "message": "缺少或无效的安全校验码（X-CSRFToken）"}), 400
    g.tb_actor = getattr(current_user, "model", None)
    return None


def _unauthorized():
    return jsonify({"error": "unauthorized", "message": "请先登录或提供有效的接口令牌"}), 401


def actor():
    return g.tb_actor


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体必须是 JSON 对象", code="invalid_json")
    return data


def _int(data: dict, key: str, what: str, required: bool = True):
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}必须是整数", code="not_integer", field=key)
    return value


def _datetime(data: dict, key: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(str(data.get(key) or ""))
    except ValueError:
        raise InvalidInput("时间格式应为 ISO 8601，如 2026-12-01T09:00+08:00", code="invalid_window", field=key) from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def request_json(row: ServiceRequest) -> dict:
    return {"id": row.id, "number": row.number, "status": row.status, "recipient_id": row.recipient_id,
            "community": row.community, "category": row.category, "kind": row.kind, "place": row.place,
            "window_start": row.window_start.isoformat(), "window_end": row.window_end.isoformat(),
            "planned_minutes": row.planned_minutes, "payer": row.payer, "held_minutes": row.held_minutes,
            "volunteer_id": row.volunteer_id, "provider_id": row.provider_id,
            "confirmed_minutes": row.confirmed_minutes, "confirmer_role": row.confirmer_role or None,
            "rating": row.rating}


def _visible_holder(session, holder_id: int) -> Holder:
    holder = session.get(Holder, holder_id)
    if holder is None:
        raise NotFound("账户不存在", code="holder_not_found")
    own = access.holder_of(session, actor())
    if not (own is not None and own.id == holder.id) and not access.is_social_worker(actor()):
        raise NotFound("账户不存在", code="holder_not_found")  # no hint that it exists
    return holder


@bp.get("/holders/<int:holder_id>")
def get_holder(holder_id: int):
    with quanke().db.session() as s:
        holder = _visible_holder(s, holder_id)
        volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == holder.id))
        from plugins.timebank.domain.deposits import served_minutes
        return jsonify({"id": holder.id, "kind": holder.kind, "name": holder.name, "community": holder.community,
                        "status": holder.status, "balances": ledger.balances(s, holder.id),
                        "served_minutes": served_minutes(s, holder.id),
                        "volunteer": None if volunteer is None else {
                            "id": volunteer.id, "number": volunteer.number, "stars": volunteer.stars,
                            "categories": volunteer.categories, "kinds": volunteer.kinds,
                            "availability": volunteer.availability}})


@bp.get("/holders/<int:holder_id>/movements")
@doc.movements
def get_movements(holder_id: int):
    days = parse_int(request.args.get("days"), field="days", lo=1, hi=366, default=90, code="invalid_days")
    end = dt.datetime.now(LOCAL_TZ) + dt.timedelta(minutes=1)
    with quanke().db.session() as s:
        _visible_holder(s, holder_id)
        opening, moves, closing = statements.movements(s, holder_id, end - dt.timedelta(days=int(days)), end)
        return jsonify({"opening": opening, "closing": closing, "items": [
            {"journal_id": j.id, "at": j.at.isoformat(), "kind": j.kind, "account": kind, "amount": amount,
             "balance_after": balance, "memo": j.memo} for j, kind, amount, balance in moves]})


@bp.post("/requests")
@doc.new_request
def create_request():
    data = body()
    row = reqs.create(quanke(), actor(), recipient_id=_int(data, "recipient_id", "服务对象"), kind=str(data.get("kind", "")),
                      window_start=_datetime(data, "window_start"), window_end=_datetime(data, "window_end"),
                      planned_minutes=data.get("planned_minutes"), place=str(data.get("place", "")),
                      description=str(data.get("description", "")), payer=str(data.get("payer", "recipient")),
                      community=data.get("community"))
    return jsonify(request_json(row)), 201


def _request(session, request_id: int) -> ServiceRequest:
    row = session.get(ServiceRequest, request_id)
    if row is None:
        raise NotFound("服务需求不存在", code="request_not_found")
    own = access.holder_of(session, actor())
    mine = own is not None and (own.id in (row.recipient_id, row.provider_id)
                                or access.is_relative(session, row.recipient_id, own.id))
    if not mine and not access.is_social_worker(actor()):
        raise NotFound("服务需求不存在", code="request_not_found")
    return row


@bp.get("/requests/<int:request_id>")
def get_request(request_id: int):
    with quanke().db.session() as s:
        return jsonify(request_json(_request(s, request_id)))


@bp.get("/requests/<int:request_id>/matches")
def get_matches(request_id: int):
    with quanke().db.session() as s:
        row = _request(s, request_id)
        if not access.is_admin(actor()):
            raise Forbidden("只有社区时间银行管理员可以查看匹配", code="forbidden_role")
        return jsonify({"items": [{"volunteer_id": c.volunteer_id, "number": c.number, "name": c.name,
                                   "community": c.community, "same_community": c.same_community, "skill": c.skill,
                                   "available": c.available, "rating": c.rating, "ratings": c.ratings,
                                   "served": c.served, "reasons": c.reasons} for c in matching.rank(s, row)]})


@bp.post("/requests/<int:request_id>/offers")
@doc.offers
def post_offers(request_id: int):
    ids = body().get("volunteer_ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InvalidInput("volunteer_ids 应为整数列表", code="invalid_volunteers", field="volunteer_ids")
    return jsonify({"offered": reqs.propose(quanke(), actor(), request_id, ids)})


@bp.post("/requests/<int:request_id>/accept")
@doc.accept
def post_accept(request_id: int):
    return jsonify(request_json(reqs.accept(quanke(), actor(), request_id, _int(body(), "volunteer_id", "志愿者"))))


@bp.post("/requests/<int:request_id>/confirm")
@doc.confirm
def post_confirm(request_id: int):
    return jsonify(request_json(reqs.confirm(quanke(), actor(), request_id, body().get("minutes"))))


@bp.post("/requests/<int:request_id>/follow-up")
@doc.follow_up
def post_follow_up(request_id: int):
    data = body()
    return jsonify(request_json(reqs.follow_up(quanke(), actor(), request_id, rating=data.get("rating"),
                                               comment=str(data.get("comment", "")))))


@bp.post("/requests/<int:request_id>/cancel")
@doc.cancel
def post_cancel(request_id: int):
    data = body()
    return jsonify(request_json(reqs.close_unserved(quanke(), actor(), request_id, reason=str(data.get("reason", "")),
                                                    not_served=bool(data.get("not_served")))))


@bp.post("/withdrawals")
@doc.withdrawal
def post_withdrawal():
    data = body()
    journal = withdrawals.withdraw(quanke(), actor(), holder_id=_int(data, "holder_id", "账户"),
                                   bucket=str(data.get("bucket", "")), purpose=str(data.get("purpose", "")),
                                   minutes=data.get("minutes"), goods_id=_int(data, "goods_id", "商品", False),
                                   quantity=_int(data, "quantity", "数量", False),
                                   relative_id=_int(data, "relative_id", "亲属", False))
    return jsonify({"journal_id": journal}), 201


@bp.post("/loans")
@doc.loan
def post_loan():
    data = body()
    journal = withdrawals.grant_loan(quanke(), actor(), holder_id=_int(data, "holder_id", "账户"),
                                     minutes=data.get("minutes"), reason=str(data.get("reason", "")))
    return jsonify({"journal_id": journal}), 201


@bp.post("/transfers")
@doc.transfer
def post_transfer():
    data = body()
    journal = withdrawals.transfer_to_relative(quanke(), actor(), holder_id=_int(data, "holder_id", "账户"),
                                               relative_id=_int(data, "relative_id", "亲属"),
                                               minutes=data.get("minutes"))
    return jsonify({"journal_id": journal}), 201


@bp.get("/interbank")
@doc.interbank
def get_interbank():
    if not access.is_admin(actor()):
        raise Forbidden("只有时间银行管理员可以查看清算", code="forbidden_role")
    month = request.args.get("month")
    start = end = None
    if month:
        start, end = reports.month_bounds(month)
    with quanke().db.session() as s:
        report = interbank.report(s, start, end)
    as_list = lambda debts: [{"debtor": d.debtor, "creditor": d.creditor, "minutes": d.minutes} for d in debts]  # noqa: E731
    return jsonify({"gross": as_list(report["gross"]), "net": as_list(report["net"]), "positions": report["positions"]})


@bp.get("/ledger/verify")
def get_verify():
    if not access.is_admin(actor()):
        raise Forbidden("只有时间银行管理员可以核对账本", code="forbidden_role")
    with quanke().db.session() as s:
        problems = ledger.verify(s)
    return jsonify({"ok": not problems, "problems": problems})
