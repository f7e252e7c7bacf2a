"""The administrator's home page (requests by status, pools per community), the kinds of
service and the ledger check."""
from __future__ import annotations

import datetime as dt

from flask import request, url_for
from sqlalchemy import func, select

from core.api import LOCAL_TZ, Forbidden
from plugins.timebank.domain import access, ledger
from plugins.timebank.domain.catalog import CATEGORIES, set_kind
from plugins.timebank.domain.catalog import kinds as all_kinds
from plugins.timebank.domain.settings import settings
from plugins.timebank.models import ServiceRequest, Volunteer
from plugins.timebank.views.admin.scope import _in_scope, _scope
from plugins.timebank.views.blueprint import (
    attempt,
    bp,
    me,
    quanke,
    render,
    staff_required,
)


@bp.get("/admin")
@staff_required
def admin_home():
    q = quanke()
    now = dt.datetime.now(LOCAL_TZ)
    with q.db.session() as s:
        scope = _scope(s)
        base = _in_scope(select(ServiceRequest.status, func.count(ServiceRequest.id)), ServiceRequest.community, scope)
        counts = dict(s.execute(base.group_by(ServiceRequest.status)).all())
        to_confirm = s.scalar(_in_scope(select(func.count(ServiceRequest.id)).where(
            ServiceRequest.status == "assigned", ServiceRequest.window_start <= now), ServiceRequest.community, scope))
        rules = settings(q)
        pools = []
        for code, name in rules.communities:
            if scope is None or code in scope:
                ids = ledger.community_accounts(s, code)
                from plugins.timebank.models import Account
                pools.append((code, name, s.get(Account, ids["donation"]).balance, s.get(Account, ids["escrow"]).balance))
        volunteers_n = s.scalar(_in_scope(select(func.count(Volunteer.id)).where(Volunteer.status == "active"),
                                          Volunteer.community, scope))
    return render("admin_home.html", counts=counts, to_confirm=to_confirm, pools=pools, scope=scope,
                  volunteers_n=volunteers_n, is_admin=access.is_admin(me()))



@bp.route("/admin/kinds", methods=["GET", "POST"])
@staff_required
def admin_kinds():
    if request.method == "POST":
        def run():
            if not access.is_admin(me()):
                raise Forbidden("只有时间银行管理员可以调整服务内容", code="forbidden_role")
            with quanke().db.session() as s:
                return set_kind(s, actor=access.actor_key(me()), code=request.form.get("code", ""),
                                category=request.form.get("category", ""), name=request.form.get("name", ""),
                                active=request.form.get("active") == "1").name
        return attempt(run, "服务内容“{result}”已保存。", url_for(".admin_kinds"))
    with quanke().db.session() as s:
        kinds = all_kinds(s, include_inactive=True)
    return render("admin_kinds.html", kinds=kinds, category_list=CATEGORIES)


@bp.get("/admin/ledger")
@staff_required
def admin_ledger():
    with quanke().db.session() as s:
        problems = ledger.verify(s)
    return render("admin_ledger.html", problems=problems)
