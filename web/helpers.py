"""Small things every blueprint uses: the runtime, paging, labels, masking, flashing errors."""
from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlsplit

from flask import current_app, flash, request
from flask_babel import get_locale, lazy_gettext as _l
from markupsafe import Markup

from core.platform.clock import local
from core.platform.errors import QuankeError
from core.platform import inputs
from core.platform.identifiers import mask_id, mask_name, mask_phone
from core.platform.models import State

from .deadline_text import clock_summary, extension_text
from .error_names import ERROR_NAMES

STATE_NAMES = {
    State.DRAFT.value: _l("草稿"), State.SUBMITTED.value: _l("已提交待受理"),
    State.CORRECTION_REQUESTED.value: _l("待补正"), State.NOT_ACCEPTED.value: _l("不予受理"),
    State.ACCEPTED.value: _l("已受理"), State.IN_REVIEW.value: _l("审批中"),
    State.APPROVED.value: _l("已批准"), State.REJECTED.value: _l("不予批准"),
    State.ISSUED.value: _l("已出证"), State.DELIVERED.value: _l("已送达"),
    State.WITHDRAWN.value: _l("已撤回"),
}
ROLE_NAMES = {
    "counter": _l("全科社工"), "agent": _l("代办员"), "approver": _l("审批人员"),
    "dept_lead": _l("部门负责人"), "centre_admin": _l("中心管理员"), "sys_admin": _l("系统管理员"),
    "auditor": _l("审计人员"), "inspector": _l("执法检查人员"),
}
OUTCOME_NAMES = {"pass": _l("通过"), "warn": _l("提示"), "block": _l("阻止")}
MATERIAL_STATUS_NAMES = {"paper": _l("纸质原件"), "scan": _l("电子件"), "missing": _l("缺少"),
                         "defective": _l("需补正")}
CHANNEL_NAMES = {"counter": _l("窗口"), "remote": _l("网上"), "agent": _l("代办")}
ACTION_NAMES = {
    "file": _l("登记申请"), "submit": _l("提交"), "accept": _l("受理"), "return": _l("一次性告知补正"),
    "refuse": _l("不予受理"), "resubmit": _l("补正后重新提交"), "claim": _l("认领"),
    "release": _l("退回待认领"), "assign": _l("分派"), "approve": _l("批准"), "reject": _l("不予批准"),
    "issue": _l("出证"), "deliver": _l("送达"), "withdraw": _l("撤回"), "pause": _l("中止计时"),
    "resume": _l("恢复计时"), "extend": _l("延长期限"), "mark_overdue": _l("标记超期"),
    "recheck": _l("重新核查"), "attach_material": _l("补充材料"), "identity_step": _l("身份核验"),
    "update_draft": _l("修改草稿"), "deem_accept": _l("视为受理"), "recompute_due": _l("重新计算期限"),
    "hand_over": _l("移交（首问负责）"), "walk_in_linked": _l("窗口申请关联到网上账号"),
    "view_personal_data": _l("查看个人信息"), "rated": _l("评价"),
    "follow_up_closed": _l("差评回访办结"), "rating_appealed": _l("评价申诉"),
    "rating_appeal_decided": _l("评价申诉复核"), "document_revoked": _l("文书作废"),
    "document_render_failed": _l("文书生成失败"),
    "applicant_identified": _l("核验申请人证件"), "many_personal_data_views": _l("大量查看个人信息（预警）"),
    "login": _l("登录"), "login_failed": _l("登录失败"), "citizen_login": _l("市民登录"),
    "citizen_linked": _l("市民实名登记"), "applicant_registered": _l("登记申请人"),
    "user_created": _l("创建用户"), "user_updated": _l("修改用户"), "password_reset": _l("重置密码"),
    "password_changed": _l("修改密码"), "api_token_created": _l("创建接口令牌"),
    "api_token_revoked": _l("作废接口令牌"), "centre_services_updated": _l("调整中心授权事项"),
    "ticket_called": _l("叫号"), "appointment_booked": _l("预约"), "appointment_cancelled": _l("取消预约"),
}
DOCUMENT_KINDS = {
    "receipt": _l("受理回执"), "correction_notice": _l("一次性补正告知书"),
    "refusal_notice": _l("不予受理通知书"), "decision_approve": _l("准予许可决定书"),
    "decision_reject": _l("不予许可决定书"), "certificate": _l("证照"),
}
DOCUMENT_STATUSES = {"valid": _l("有效"), "revoked": _l("已作废"), "superseded": _l("已被新版本替代")}


def quanke():
    return current_app.extensions["quanke"]


def is_english() -> bool:
    locale = get_locale()
    return bool(locale and locale.language == "en")


def error_text(exc: QuankeError) -> str:
    """The error for the person at the screen, in their language where we know it."""
    if is_english() and exc.code in ERROR_NAMES:
        return str(ERROR_NAMES[exc.code])
    return exc.message


def flash_error(exc: QuankeError) -> None:
    flash(error_text(exc), "error")
    fields = (exc.details or {}).get("fields") if isinstance(exc.details, dict) else None
    if fields:
        # the label the user sees on the form, never the field's code (premises_proof: …)
        labels = exc.details.get("labels") or {}
        for name, messages in fields.items():
            for message in messages:
                flash(f"{labels[name]}：{message}" if name in labels else message, "error")


def page_args(default_per_page: int = 20, max_per_page: int = 100) -> tuple[int, int]:
    """``page`` / ``per_page`` of a page's query string (core.platform.inputs: ASCII, bounded)."""
    page = inputs.parse_int(request.args.get("page"), field="page", lo=1, hi=100_000, default=1,
                            code="invalid_pagination")
    per_page = inputs.parse_int(request.args.get("per_page"), field="per_page", lo=1, hi=max_per_page,
                                default=default_per_page, code="invalid_pagination")
    return page, per_page


MAX_ID = 2**31 - 1


def db_id(raw) -> int | None:
    """A database id typed by someone (form, query string): digits, 1 … 2**31-1, else None."""
    return inputs.try_id(raw.strip() if isinstance(raw, str) else None)


def new_key() -> str:
    return uuid.uuid4().hex


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative redirects (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def data_text(value):
    """A stored Chinese string (a service, department or material name, a form label, a
    plugin's menu entry) in the reader's language: its entry in the catalogues — the core's
    and the ones plugins ship (``<plugin>/translations``) — else unchanged. The template
    filter ``t``; only whole strings are looked up, so a name is never half translated."""
    if not isinstance(value, str) or not value.strip() or isinstance(value, Markup):
        return value
    from flask_babel import gettext
    return gettext(value)


def service_name(code: str) -> str:
    try:
        return data_text(quanke().service(code).name)
    except QuankeError:
        return code


def department_name(code: str) -> str:
    return data_text(quanke().plugins.departments.get(code, code))


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return local(value).strftime(fmt)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        mask_id=mask_id, mask_phone=mask_phone, mask_name=mask_name, local_time=local_time,
        state_name=lambda s: STATE_NAMES.get(s, s), role_name=lambda r: ROLE_NAMES.get(r, r),
        outcome_name=lambda o: OUTCOME_NAMES.get(o, o),
        material_status=lambda s: MATERIAL_STATUS_NAMES.get(s, s),
        channel_name=lambda c: CHANNEL_NAMES.get(c, c),
        action_name=lambda a: ACTION_NAMES.get(a, a),
        doc_kind=lambda k: DOCUMENT_KINDS.get(k, k), doc_status=lambda s: DOCUMENT_STATUSES.get(s, s),
        service_name=service_name, department_name=department_name, t=data_text,
        clock_summary=clock_summary, extension_text=extension_text,
        nl2br=lambda text: Markup("<br>").join((text or "").splitlines()),
    )
