"""The plugin's web parts: blueprints (pages and API) and menu entries."""
from __future__ import annotations

from core.api import Citizen
from plugins.business_license.views.common import is_counter, is_supervisor


def blueprints():
    from plugins.business_license.api import bp as api_bp
    from plugins.business_license.views.pages import bp as pages_bp
    return [pages_bp, api_bp]


def menu_for(user) -> list[dict] | None:
    if user is None or isinstance(user, Citizen) or not getattr(user, "active", False):
        return None
    links = [{"href": "/business_license/registry", "label": "个体工商户名录"}]
    if is_counter(user):
        links.append({"href": "/business_license/joint", "label": "证照联办（执照+食品许可）"})
    if is_supervisor(user):
        links.append({"href": "/business_license/inspections", "label": "批管同步·核查任务"})
        links.append({"href": "/business_license/supervision", "label": "批管同步·推送记录"})
    return links


def panels_for(quanke, user) -> list[dict] | None:
    """Administrators and this plugin's staff see where credit codes come from, and a warning
    while they come from the demo generator (no query: the provider is asked, nothing read)."""
    from core.api import Role
    from plugins.business_license.domain import catalog, credit_codes
    if user is None or isinstance(user, Citizen) or not getattr(user, "active", False):
        return None
    if not (is_supervisor(user) or user.has_role(Role.SYS_ADMIN) or user.has_role(Role.CENTRE_ADMIN)):
        return None
    found = credit_codes.provider(quanke)
    value = credit_codes.provider_name(found) + ("（演示/离线，非赋码系统赋予）" if credit_codes.is_demo(found) else "")
    return [{"title": "统一社会信用代码赋码", "value": value, "href": "/business_license/registry",
             "department": catalog.MARKET_REGULATION[0]}]
