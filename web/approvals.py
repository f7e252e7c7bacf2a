"""审批 — the department's back office: queues, claim/release, assign, decide, the clock."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from core.approval import queues
from core.approval.powers import handled_for_applicant
from core import approval
from core.platform import inputs
from core.platform.errors import QuankeError
from core.platform.models import Application, Centre, Role, RoleGrant, State, User

from .access import may_reveal
from .common import details, load_app, run_action
from .helpers import db_id, page_args, quanke
from .identity import actor, staff_required
from .menu import queue_counts

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
APPROVER_ROLES = (Role.APPROVER, Role.DEPT_LEAD)
VIEW_ROLES = (Role.APPROVER, Role.DEPT_LEAD, Role.AUDITOR, Role.CENTRE_ADMIN)
STATUS_NAMES = {"open": _l("全部在办"), "waiting": _l("待认领"), "in_review": _l("审批中"),
                "mine": _l("我认领的"), "overdue": _l("已超期"), "paused": _l("已中止计时")}


def approvers_of(db, department: str) -> list[User]:
    return list(db.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                           .where(RoleGrant.role == Role.APPROVER.value,
                                  RoleGrant.department_code == department, User.active.is_(True))
                           .order_by(User.name)).unique())


@bp.get("/")
@staff_required(*APPROVER_ROLES)
def home():
    departments = queues.departments_for(current_user.model)
    if not departments:
        abort(403)
    return redirect(url_for("approvals.queue", department=departments[0]))


@bp.get("/<department>")
@staff_required(*APPROVER_ROLES)
def queue(department: str):
    user = current_user.model
    if department not in queues.departments_for(user):
        abort(403)
    status = request.args.get("status", "open")
    if status not in queues.STATUS_FILTERS:
        status = "open"
    service = request.args.get("service") or None
    if service and service not in quanke().plugins.services:
        service = None
    centre = request.args.get("centre", "")
    centre_id = db_id(centre)
    page, per_page = page_args()
    with quanke().db.session() as db:
        rows, total = queues.queue(db, department, status=status, service=service,
                                   centre_id=centre_id, user_id=user.id, page=page,
                                   per_page=per_page)
        counts = queue_counts(user)[department]
        centres = db.scalars(select(Centre).order_by(Centre.code)).all()
        is_lead = user.has_role(Role.DEPT_LEAD, department)
        assignees = approvers_of(db, department) if is_lead else []
        names = dict(db.execute(select(User.id, User.name).where(
            User.id.in_({a.claimed_by_id for a in rows if a.claimed_by_id} or {-1}))).all())
        services = sorted((s for s in quanke().plugins.services.values() if s.department == department),
                          key=lambda s: s.name)
        return render_template("approvals/queue.html", department=department, rows=rows,
                               total=total, page=page, per_page=per_page, status=status,
                               service=service, centre_id=centre_id, centres=centres,
                               counts=counts, is_lead=is_lead, assignees=assignees, names=names,
                               services=services, statuses=STATUS_NAMES)


@bp.post("/<department>/assign")
@staff_required(Role.DEPT_LEAD)
def assign(department: str):
    user = current_user.model
    if not user.has_role(Role.DEPT_LEAD, department):
        abort(403)
    ids = [i for i in (db_id(x) for x in request.form.getlist("app_id")) if i][:200]
    target = db_id(request.form.get("approver_id", ""))
    if not ids or not target:
        flash(_("请选择申请和被分派的审批人员"), "warning")
        return redirect(url_for("approvals.queue", department=department))
    done, failed = 0, []
    for app_id in ids:
        try:
            approval.assign(quanke(), user, app_id, approver_id=target)
            done += 1
        except QuankeError as exc:
            failed.append(f"#{app_id}：{exc.message}")
    if done:
        flash(_("已分派 %(n)s 件", n=done), "success")
    for message in failed[:10]:
        flash(message, "error")
    return redirect(url_for("approvals.queue", department=department))


@bp.get("/applications/<int:app_id>")
@staff_required(*VIEW_ROLES)
def application(app_id: int):
    who = current_user.model
    with quanke().db.session() as db:
        app = load_app(db, app_id, who)
        reveal = request.args.get("reveal") == "1" and may_reveal(who, app, db)
        info = details(db, app, who, reveal=reveal)
        dept = app.department_code
        is_approver = who.has_role(Role.APPROVER, dept)
        is_lead = who.has_role(Role.DEPT_LEAD, dept)
        # 受审分离: whoever worked the case for the applicant sees it but gets no button the
        # workflow would refuse (core.approval.powers says the same when asked)
        handled = (is_approver or is_lead) and handled_for_applicant(app, who)
        assignees = approvers_of(db, dept) if (is_lead or is_approver) else []
        assignees = [u for u in assignees if not handled_for_applicant(app, u)]
        return render_template("approvals/application.html", is_approver=is_approver,
                               is_lead=is_lead, assignees=assignees, handled=handled,
                               can_reveal=may_reveal(who, app, db), show_scans=True,
                               **info)


def _act(app_id: int, fn, success):
    return run_action(app_id, fn, success, url_for("approvals.application", app_id=app_id))


@bp.post("/applications/<int:app_id>/claim")
@staff_required(*APPROVER_ROLES)
def claim(app_id: int):
    return _act(app_id, lambda: approval.claim(quanke(), actor(), app_id), _("已认领"))


@bp.post("/applications/<int:app_id>/release")
@staff_required(*APPROVER_ROLES)
def release(app_id: int):
    to_user = db_id(request.form.get("to_user_id")) if request.form.get("to_user_id") else None
    note = request.form.get("note", "")
    return _act(app_id, lambda: approval.release(quanke(), actor(), app_id, to_user_id=to_user, note=note),
                _("已转交指定的审批人员") if to_user else _("已退回部门队列待认领"))


@bp.post("/applications/<int:app_id>/assign")
@staff_required(Role.DEPT_LEAD)
def assign_one(app_id: int):
    target = db_id(request.form.get("approver_id", ""))
    if not target:
        flash(_("请选择被分派的审批人员"), "warning")
        return redirect(url_for("approvals.application", app_id=app_id))
    return _act(app_id, lambda: approval.assign(quanke(), actor(), app_id, approver_id=target),
                _("已分派"))


@bp.post("/applications/<int:app_id>/approve")
@staff_required(*APPROVER_ROLES)
def approve(app_id: int):
    reasons = request.form.get("reasons", "")
    and_issue = request.form.get("issue") == "y"

    def run():
        if and_issue:
            approval.approve_and_issue(quanke(), actor(), app_id, reasons=reasons)
        else:
            approval.approve(quanke(), actor(), app_id, reasons=reasons)
        with quanke().db.session() as db:   # the service's plugin may have issued on approval
            return db.get(Application, app_id).state

    def said(state):
        return _("已批准并出证") if state in (State.ISSUED.value, State.DELIVERED.value) else _("已批准")
    return _act(app_id, run, said)


@bp.post("/applications/<int:app_id>/reject")
@staff_required(*APPROVER_ROLES)
def reject(app_id: int):
    reasons = request.form.get("reasons", "")
    return _act(app_id, lambda: approval.reject(quanke(), actor(), app_id, reasons=reasons),
                _("已作出不予批准决定"))


@bp.post("/applications/<int:app_id>/recheck")
@staff_required(*APPROVER_ROLES)
def recheck(app_id: int):
    def said(done):
        if done["changed"]:
            return _("已重新核查：%(names)s 的结果有变化，已记录", names="、".join(done["changed"]))
        return _("已重新核查：结果与上次相同，未新增记录")
    return _act(app_id, lambda: approval.recheck(quanke(), actor(), app_id, report=True), said)


@bp.post("/applications/<int:app_id>/pause")
@staff_required(*APPROVER_ROLES)
def pause(app_id: int):
    reason = request.form.get("reason", "")
    return _act(app_id, lambda: approval.pause(quanke(), actor(), app_id, reason=reason),
                _("已中止计时"))


@bp.post("/applications/<int:app_id>/resume")
@staff_required(*APPROVER_ROLES)
def resume(app_id: int):
    return _act(app_id, lambda: approval.resume(quanke(), actor(), app_id), _("已恢复计时"))


@bp.post("/applications/<int:app_id>/extend")
@staff_required(Role.DEPT_LEAD)
def extend(app_id: int):
    raw = request.form.get("days", "")
    reason = request.form.get("reason", "")

    def run():
        try:
            days = inputs.parse_int(raw, field="days", lo=-1000, hi=1000, default=0)
        except QuankeError:
            days = 0          # core.approval.extend says what the number must be (延长天数…)
        return approval.extend(quanke(), actor(), app_id, days=days, reason=reason)
    return _act(app_id, run, _("已延长办理期限"))


@bp.post("/applications/<int:app_id>/issue")
@staff_required(*APPROVER_ROLES)
def issue(app_id: int):
    return _act(app_id, lambda: approval.issue(quanke(), actor(), app_id), _("已出证，等待领取或邮寄"))
