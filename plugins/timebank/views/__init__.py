"""Pages of the time bank: the portal view for volunteers and recipients (``/timebank/me``),
shared request actions, and the public check of statements and star certificates.
Administrator pages live in :mod:`.admin_views` on the same blueprint.

Views only parse input and call the operations (which check roles themselves); an error
is flashed in Chinese and nothing changes. Forms carry the CSRF token (Flask-WTF's
CSRFProtect is active app-wide).
"""
from __future__ import annotations

import datetime as dt
import functools
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from core.api import (
    LOCAL_TZ,
    Citizen,
    InvalidInput,
    parse_int,
    QuankeError,
    User,
    local,
    mask_id,
    mask_name,
    today,
)

from plugins.timebank.domain import access, availability, ledger, statements, withdrawals
from plugins.timebank.domain import requests as reqs
from plugins.timebank.domain.catalog import CATEGORY_NAMES
from plugins.timebank.domain.catalog import kinds as all_kinds
from plugins.timebank.models import Holder, Offer, Relation, ServiceRequest, StarAward, Statement, Volunteer
from plugins.timebank.domain.settings import RELATION_LABELS, settings

bp = Blueprint("timebank", __name__, url_prefix="/timebank", template_folder="../templates")  # the plugin root's templates/


# --------------------------------------------------------------------------- helpers


def quanke():
    return current_app.extensions["quanke"]


def me():
    return getattr(current_user, "model", None)


def staff_required(view):
    @functools.wraps(view)
    @login_required
    def inner(*args, **kwargs):
        if not access.is_social_worker(me()):
            abort(403)
        return view(*args, **kwargs)
    return inner


def citizen_required(view):
    @functools.wraps(view)
    @login_required
    def inner(*args, **kwargs):
        if not isinstance(me(), Citizen):
            abort(403)
        return view(*args, **kwargs)
    return inner


def back(default: str):
    target = request.form.get("next") or ""
    if target.startswith("/timebank/") and "//" not in target:
        return redirect(target)
    return redirect(default)


def attempt(fn, success: str, default: str):
    """Run an operation; flash its message or the Chinese error; redirect back."""
    try:
        result = fn()
    except QuankeError as exc:
        flash(exc.message, "error")
        return back(default)
    if success:
        flash(success.format(result=result), "success")
    return back(default)


def form_int(name: str, what: str, *, required: bool = True) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw and not required:
        return None
    return parse_int(raw, field=name, code="not_integer", what=what)


def form_date(name: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat((request.form.get(name) or "").strip())
    except ValueError:
        raise InvalidInput(f"请填写正确的{what}（年-月-日）", code="invalid_date", field=name) from None


def form_window() -> tuple[dt.datetime, dt.datetime]:
    day = form_date("day", "服务日期")
    try:
        start = dt.time.fromisoformat((request.form.get("start") or "").strip())
        end = dt.time.fromisoformat((request.form.get("end") or "").strip())
    except ValueError:
        raise InvalidInput("请填写服务的开始和结束时间（时:分）", code="invalid_window", field="start") from None
    return (dt.datetime.combine(day, start, tzinfo=LOCAL_TZ), dt.datetime.combine(day, end, tzinfo=LOCAL_TZ))


def render(template: str, **context):
    rules = settings(quanke())
    return render_template(f"timebank/{template}", rules=rules, fmt=ledger.fmt_minutes, local=local,
                           labels=ledger.ACCOUNT_LABELS, journal_labels=ledger.JOURNAL_LABELS,
                           status_labels=reqs.STATUS_LABELS, payers=reqs.PAYERS, categories=CATEGORY_NAMES,
                           relation_labels=RELATION_LABELS, mask_name=mask_name, mask_id=mask_id,
                           community_name=rules.community_name, **context)


def recent_movements(session, holder_id: int, days: int = 90):
    end = dt.datetime.now(LOCAL_TZ) + dt.timedelta(minutes=1)
    _, moves, _ = statements.movements(session, holder_id, end - dt.timedelta(days=days), end)
    return list(reversed(moves[-50:]))


def kinds_by_category(session):
    out: dict[str, list] = {}
    for k in all_kinds(session):
        out.setdefault(k.category, []).append(k)
    return out


# --------------------------------------------------------------------------- portal


@bp.get("/me")
@citizen_required
def my_account():
    q = quanke()
    with q.db.session() as s:
        holder = access.holder_of(s, me())
        if holder is None:
            return render("me.html", holder=None)
        volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == holder.id))
        relatives = s.execute(select(Relation, Holder).join(Holder, Holder.id == Relation.relative_id)
                              .where(Relation.holder_id == holder.id)).all()
        relative_ids = [h.id for _, h in relatives]
        family_requests = s.scalars(select(ServiceRequest).where(
            ServiceRequest.recipient_id.in_(relative_ids), ServiceRequest.status.in_(("open", "assigned")))
            .order_by(ServiceRequest.window_start)).all() if relative_ids else []
        mine = s.scalars(select(ServiceRequest).where(ServiceRequest.recipient_id == holder.id)
                         .order_by(ServiceRequest.window_start.desc()).limit(30)).all()
        offers = serving = []
        if volunteer is not None:
            offers = s.execute(select(Offer, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Offer.request_id)
                               .where(Offer.volunteer_id == volunteer.id, Offer.status == "offered",
                                      ServiceRequest.status == "open")).all()
            serving = s.scalars(select(ServiceRequest).where(or_(ServiceRequest.provider_id == holder.id,
                                                                 ServiceRequest.volunteer_id == volunteer.id))
                                .order_by(ServiceRequest.window_start.desc()).limit(30)).all()
        from plugins.timebank.domain.deposits import served_minutes
        return render("me.html", holder=holder, volunteer=volunteer, balances=ledger.balances(s, holder.id),
                      moves=recent_movements(s, holder.id), relatives=relatives, family_requests=family_requests,
                      mine=mine, offers=offers, serving=serving, served=served_minutes(s, holder.id),
                      held=sum(r.held_minutes for r in mine if r.payer == "recipient"),
                      awards=s.scalars(select(StarAward).where(StarAward.volunteer_id == (volunteer.id if volunteer else -1))
                                       .order_by(StarAward.year.desc())).all(),
                      kinds=kinds_by_category(s), slots=availability.ALL_SLOTS, slot_label=availability.slot_label,
                      now=dt.datetime.now(LOCAL_TZ), today=today())


@bp.post("/me/request")
@citizen_required
def my_new_request():
    def run():
        with quanke().db.session() as s:
            holder = access.holder_of(s, me())
            if holder is None:
                raise InvalidInput("您还没有时间银行账户", code="holder_not_found")
            holder_id = holder.id
        recipient = form_int("recipient_id", "服务对象", required=False) or holder_id
        start, end = form_window()
        return reqs.create(quanke(), me(), recipient_id=recipient, kind=request.form.get("kind", ""),
                           window_start=start, window_end=end,
                           planned_minutes=ledger.parse_minutes(request.form.get("planned"), what="预计服务时长"),
                           place=request.form.get("place", ""), description=request.form.get("description", "")).number
    return attempt(run, "服务需求 {result} 已提交，社区将为您匹配志愿者。", url_for(".my_account"))


@bp.post("/me/transfer")
@citizen_required
def my_transfer():
    def run():
        with quanke().db.session() as s:
            holder = access.holder_of(s, me())
        return withdrawals.transfer_to_relative(quanke(), me(), holder_id=holder.id if holder else -1,
                                                relative_id=form_int("relative_id", "受赠亲属"),
                                                minutes=request.form.get("minutes"))
    return attempt(run, "转赠成功。", url_for(".my_account"))


@bp.post("/me/availability")
@citizen_required
def my_availability():
    def run():
        with quanke().db.session() as s:
            holder = access.holder_of(s, me())
            volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == (holder.id if holder else -1)))
        if volunteer is None:
            raise InvalidInput("您还不是认证志愿者", code="volunteer_not_found")
        from plugins.timebank.domain.volunteers import update_profile
        return update_profile(quanke(), me(), volunteer.id, slots=request.form.getlist("slots"),
                              skills=request.form.get("skills"))
    return attempt(run, "可服务时间已更新。", url_for(".my_account"))


@bp.post("/me/statement")
@citizen_required
def my_statement():
    with quanke().db.session() as s:
        holder = access.holder_of(s, me())
    return _statement(holder.id if holder else -1, url_for(".my_account"))


def _statement(holder_id: int, default: str):
    try:
        row, pdf = statements.issue(quanke(), me(), holder_id=holder_id, start=form_date("start", "开始日期"),
                                    end=form_date("end", "结束日期"))
    except QuankeError as exc:
        flash(exc.message, "error")
        return back(default)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{row.number}.pdf")


# --------------------------------------------------------------------------- request actions (portal and staff)


def _request_page(request_id: int) -> str:
    return url_for(".admin_request", request_id=request_id) if isinstance(me(), User) else url_for(".my_account")


@bp.post("/requests/<int:request_id>/confirm")
@login_required
def confirm(request_id: int):
    return attempt(lambda: reqs.confirm(quanke(), me(), request_id, request.form.get("minutes")).confirmed_minutes,
                   "已确认服务时长 {result} 分钟，时长已存入志愿者账户。", _request_page(request_id))


@bp.post("/requests/<int:request_id>/accept")
@login_required
def accept(request_id: int):
    return attempt(lambda: reqs.accept(quanke(), me(), request_id, form_int("volunteer_id", "志愿者")).number,
                   "已接单：{result}。", _request_page(request_id))


@bp.post("/requests/<int:request_id>/decline")
@citizen_required
def decline(request_id: int):
    return attempt(lambda: reqs.decline(quanke(), me(), request_id, form_int("volunteer_id", "志愿者")),
                   "已婉拒该派单。", url_for(".my_account"))


@bp.post("/requests/<int:request_id>/close")
@login_required
def close(request_id: int):
    not_served = request.form.get("not_served") == "1"
    return attempt(lambda: reqs.close_unserved(quanke(), me(), request_id, reason=request.form.get("reason", ""),
                                               not_served=not_served).number,
                   "服务需求 {result} 已" + ("登记为未服务" if not_served else "取消") + "，冻结的时长已退回。",
                   _request_page(request_id))


# --------------------------------------------------------------------------- public check


@bp.get("/verify/<code>")
def verify(code: str):
    """Public check of a statement or star certificate (what its QR code opens): masked
    facts only, one indexed lookup, 404 for anything unknown."""
    code = (code or "").strip().upper()
    if not code.isalnum() or len(code) > 32:
        abort(404)
    with quanke().db.session() as s:
        statement = s.scalar(select(Statement).where(Statement.verification_code == code))
        award = None if statement else s.scalar(select(StarAward).where(StarAward.verification_code == code))
        if statement is None and award is None:
            abort(404)
        if statement is not None:
            holder = s.get(Holder, statement.holder_id)
            facts = [("文件", "时间银行对账单"), ("编号", statement.number), ("账户", mask_name(holder.name)),
                     ("对账期间", f"{statement.period_start} 至 {statement.period_end}"),
                     ("出具时间", f"{local(statement.at):%Y-%m-%d %H:%M}"), ("文件摘要(SHA-256)", statement.sha256)]
        else:
            volunteer = s.get(Volunteer, award.volunteer_id)
            holder = s.get(Holder, volunteer.holder_id)
            facts = [("文件", "星级志愿者证书"), ("志愿者", mask_name(holder.name)), ("编号", volunteer.number),
                     ("星级", "★" * award.stars), ("评定年度", str(award.year)),
                     ("累计服务", ledger.fmt_minutes(award.cumulative_minutes))]
    return render("verify.html", facts=facts)


from plugins.timebank.views import admin as admin_views  # noqa: E402,F401 - registers the administrator pages on bp
