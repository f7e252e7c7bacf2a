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
