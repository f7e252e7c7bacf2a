"""Request actions shared by the portal and the staff pages: confirm the hours, accept,
decline an offer, cancel or record that the service did not happen."""
from __future__ import annotations

from flask import request, url_for
from flask_login import login_required

from core.api import User
from plugins.timebank.domain import requests as reqs
from plugins.timebank.views.blueprint import (
    attempt,
    bp,
    citizen_required,
    form_int,
    me,
    quanke,
)


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
