"""The left-hand menu: what each signed-in user may open, with work counts as badges."""
from __future__ import annotations

import logging

from flask import g, request, url_for
from flask_babel import gettext as _

from core.platform.models import Role

from .helpers import department_name, quanke

log = logging.getLogger(__name__)


def home_for(identity) -> str:
    if identity.is_citizen:
        return url_for("portal.home")
    if identity.has_any(Role.COUNTER):
        return url_for("counter.home")
    if identity.has_any(Role.APPROVER, Role.DEPT_LEAD):
        return url_for("approvals.home")
    if identity.has_any(Role.AGENT):
        return url_for("counter.home")
    if identity.has_any(Role.AUDITOR):
        return url_for("admin.audit_log")
    if identity.has_any(Role.SYS_ADMIN, Role.CENTRE_ADMIN):
        return url_for("admin.stats")
    return url_for("auth.account")


def _item(endpoint: str, label: str, badge=None, **values) -> dict:
    href = url_for(endpoint, **values)
    return {"href": href, "label": label, "badge": badge,
            "active": request.path == href or (href != "/" and request.path.startswith(href + "/"))}


def panels_for(identity, department: str | None = None) -> list[dict]:
    """Dashboard panels plugins offer this user (``dashboard_panels`` hook); on a department's
    queue page (``department``) only the panels that name that department."""
    from markupsafe import Markup, escape
    out = []
    try:
        answers = quanke().plugins.collect("dashboard_panels", quanke=quanke(), user=identity.model)
    except Exception:  # noqa: BLE001 - a plugin must not break the home page
        log.exception("dashboard_panels hook failed")
        return out
    for panel in answers:
        if not isinstance(panel, dict) or not panel.get("title"):
            continue
        if department is not None and panel.get("department") != department:
            continue
        html = panel.get("html")
        body = html if isinstance(html, Markup) else (escape(html) if html is not None else None)
        out.append({"title": panel["title"], "html": body, "value": panel.get("value"),
                    "href": panel.get("href"), "department": panel.get("department")})
    return out


def queue_counts(user) -> dict[str, dict]:
    """:func:`core.approval.queues.counts` for the user's departments, once per request: the menu's
    badges and the queue page show the same numbers, and on a large database the count is
    the dearest query of the page."""
    if "queue_counts" not in g:
        from core.approval.queues import counts, departments_for
        with quanke().db.session() as session:
            g.queue_counts = counts(session, departments_for(user), user.id)
    return g.queue_counts


def menu_for(identity) -> list[dict]:
    items: list[dict] = []
    if identity.is_citizen:
        items += [_item("portal.home", _("我的办件")), _item("portal.services", _("网上办事")),
                  _item("portal.appointments", _("预约取号")), _item("portal.profile", _("实名信息")),
                  _item("portal.consents", _("授权窗口协助"))]
    else:
        if identity.has_any(Role.COUNTER, Role.AGENT):
            items.append(_item("counter.home", _("窗口工作台")))
            items.append(_item("counter.applicant", _("申请人登记")))
        if identity.has_any(Role.COUNTER):
            items.append(_item("counter.queue", _("叫号")))
            items.append(_item("counter.pickup", _("取件交付")))
            items.append(_item("counter.my_ratings", _("我的评价")))
            items.append(_item("remote_identity.reviews", _("视频核验")))
        if identity.has_any(Role.APPROVER, Role.DEPT_LEAD):
            from core.approval.queues import departments_for
            depts = departments_for(identity.model)
            try:
                numbers = queue_counts(identity.model)
            except Exception:  # noqa: BLE001 - a menu badge must never break a page
                log.exception("queue counts failed")
                numbers = {}
            items.append({"heading": _("审批队列")})
            for dept in depts:
                n = numbers.get(dept, {})
                badge = n.get("waiting", 0) or None
                items.append(_item("approvals.queue", department_name(dept), badge=badge, department=dept)
                             | {"overdue": n.get("overdue", 0)})
            items.append({"heading": _("其他")})
        if identity.has_any(Role.CENTRE_ADMIN, Role.SYS_ADMIN):
            items.append(_item("admin.follow_ups", _("差评回访")))
        if identity.has_any(Role.CENTRE_ADMIN):
            items.append(_item("admin.appeals", _("评价申诉")))
        if identity.has_any(Role.SYS_ADMIN, Role.CENTRE_ADMIN, Role.AUDITOR):
            items.append(_item("admin.stats", _("统计分析")))
        if identity.has_any(Role.SYS_ADMIN):
            items.append(_item("admin.users", _("用户与角色")))
            items.append(_item("admin.centres", _("中心授权事项")))
        if identity.has_any(Role.AUDITOR):
            items.append(_item("admin.audit_log", _("审计日志")))
        items.append(_item("auth.account", _("我的账号")))
    try:
        for link in quanke().plugins.collect("menu_links", user=identity.model):
            if isinstance(link, dict) and link.get("href") and link.get("label"):
                items.append({"href": link["href"], "label": link["label"],
                              "badge": link.get("badge"), "active": request.path == link["href"]})
    except Exception:  # noqa: BLE001
        log.exception("menu_links hook failed")
    return items
