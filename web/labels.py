"""The core's own labels for codes, and the ``label`` filter every page uses.

Plugins label their codes through the ``display_names`` hook (:mod:`core.contract.labels`); the
core's are here. :func:`label` looks in both and translates the result, so no page shows
``face_check``, ``timebank.request_filed`` or ``bl_business_registered``. A code nobody labelled
is shown as it is (tests/web/test_visible_words.py fails on it).
"""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l

from core.identity import REASONS

from .helpers import ACTION_NAMES, DOCUMENT_KINDS, DOCUMENT_STATUSES, OUTCOME_NAMES, STATE_NAMES

CORE_OPERATIONS = {
    **ACTION_NAMES,
    "face_check": _l("远程人脸核验"), "face_check_requeued": _l("人脸核验重新排队"),
    "face_review": _l("人工复核人脸核验"), "identity_enrolled": _l("人像登记"),
    "identity_import": _l("批量导入人像"), "identity_photo_purged": _l("删除到期人像照片"),
    "identity_reference_retired": _l("停用登记照片"), "commitment_signed": _l("签署告知承诺书"),
    "commitment_verified": _l("核查告知承诺"), "credit_import": _l("导入信用记录"),
    "data_keys_rotated": _l("轮换数据密钥"), "district_demo_loaded": _l("载入区级演示数据"),
    "enquiry_recorded": _l("登记咨询"), "enquiry_answered": _l("答复咨询"),
    "enquiry_handed_over": _l("转交咨询"), "login_refused_locked": _l("账号锁定期间拒绝登录"),
    "user_locked": _l("锁定账号"), "user_unlocked": _l("解锁账号"),
    "walk_in_linked": _l("窗口办件关联到网上账户"), "applicant_phone_changed": _l("修改申请人手机号"),
    "revoke_document": _l("作废文书"), "regenerate_document": _l("重新生成文书"),
    "supersede_document": _l("文书被新版本替代"),
}
CORE_OBJECTS = {
    "api_token": _l("接口令牌"), "applicant": _l("申请人"), "application": _l("申请"),
    "appointment": _l("预约"), "centre": _l("服务中心"), "citizen": _l("市民"),
    "commitment": _l("告知承诺"), "credit_import": _l("信用导入"), "credit_record": _l("信用记录"),
    "crypto_keys": _l("数据密钥"), "document": _l("文书"), "enquiry": _l("咨询"),
    "face_check": _l("人脸核验"), "face_import": _l("人像导入"), "face_reference": _l("登记照片"),
    "follow_up": _l("回访"), "queue_ticket": _l("排队号"), "rating": _l("评价"),
    "signed_commitment": _l("已签承诺书"), "staff": _l("工作人员"), "user": _l("用户"),
}
CORE_DATA_KEYS = {
    "from": _l("原状态"), "to": _l("新状态"), "reason": _l("理由"), "reasons": _l("原因"),
    "note": _l("备注"), "number": _l("编号"), "kind": _l("类别"), "name": _l("名称"),
    "status": _l("结果"), "outcome": _l("结果"), "version": _l("版本"), "channel": _l("渠道"),
    "mode": _l("方式"), "match": _l("人脸一致"), "liveness": _l("活体检测通过"),
    "frames": _l("画面数"), "state": _l("状态"), "role": _l("角色"), "roles": _l("角色"),
    "username": _l("用户名"), "service_code": _l("事项"), "service": _l("事项"),
    "rating": _l("评价"), "comment": _l("意见"), "passed": _l("通过"), "document": _l("文书"),
    "by": _l("经办人"), "decision": _l("决定"), "resolution": _l("处理结果"), "title": _l("标题"),
    "changed_checks": _l("结果有变化的核查"), "unchanged_checks": _l("结果未变的核查（项）"),
}
CORE_RESULTS = {**REASONS, **OUTCOME_NAMES, "passed": _l("通过"), "failed": _l("未通过"),
                "error": _l("出错"), "pending": _l("处理中"), "remote": _l("网上"),
                "counter": _l("窗口"), "video": _l("视频"),
                "camera": _l("摄像头拍摄"), "upload": _l("上传照片")}
CORE = {
    "audit_operation": CORE_OPERATIONS, "event": {}, "document_kind": {**DOCUMENT_KINDS},
    "check_result": CORE_RESULTS, "object_type": CORE_OBJECTS, "data_key": CORE_DATA_KEYS,
    "status": {**STATE_NAMES, **DOCUMENT_STATUSES, "person": _l("自然人"), "enterprise": _l("法人/企业"),
               "individual_business": _l("个体工商户")},
    "field": {},
}
#: values in an audit summary are looked up in these kinds, in order
VALUE_KINDS = ("status", "check_result", "audit_operation", "document_kind")
_CODE = re.compile(r"^[a-z][a-z0-9_.]*$")


def _plugin_labels() -> dict:
    try:
        return current_app.extensions["quanke"].plugins.labels
    except (KeyError, AttributeError, RuntimeError):
        return {}


def find(code, kind: str) -> str | None:
    """The translated label of ``code`` (of ``kind``), or ``None`` when nobody labelled it."""
    if code is None:
        return None
    code = str(code)
    kinds = ("event", "audit_operation") if kind == "event" else (kind,)
    for k in kinds:
        name = CORE.get(k, {}).get(code)
        if name is None:
            name = _plugin_labels().get(k, {}).get(code)
        if name is not None:
            return gettext(str(name))
    return None


def label(code, kind: str = "audit_operation") -> str:
    """``{{ e.action|label }}``, ``{{ doc.kind|label("document_kind") }}`` — a code as words."""
    found = find(code, kind)
    return found if found is not None else ("" if code is None else str(code))


def role_text(role: str) -> str:
    """``approver:sample_dept`` → 审批人员（样例部门）."""
    from .deadline_text import _english
    from .helpers import ROLE_NAMES, data_text, department_name
    name, _, dept = str(role).partition(":")
    shown = gettext(str(ROLE_NAMES[name])) if name in ROLE_NAMES else name
    if not dept:
        return shown
    department = data_text(department_name(dept))
    return f"{shown} ({department})" if _english() else f"{shown}（{department}）"


def _value(value, key: str = "") -> str:
    if key in ("role", "roles"):
        roles = value if isinstance(value, (list, tuple)) else [value]
        return "、".join(role_text(r) for r in roles if r)
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{find(k, 'data_key') or k}：{_value(v)}" for k, v in value.items()
                        if find(k, "data_key"))
    if isinstance(value, str) and _CODE.match(value):
        for kind in VALUE_KINDS:
            found = find(value, kind)
            if found is not None:
                return found
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def reason_text(value) -> str:
    """Reasons as recorded (a text, codes such as ``["no_reference"]``, or ``{material: text}``)."""
    if isinstance(value, dict):
        return "；".join(_value(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return "；".join(reason_text(v) for v in value)
    return label(value, "check_result") if isinstance(value, str) and _CODE.match(value) else _value(value)


def audit_summary(data) -> dict:
    """An audit event's details as ``{"items": [(label, value)], "hidden": n}``: the labelled
    keys in words; the rest (hashes, thresholds …) counted, to be read through /api/v1/audit."""
    items, hidden = [], 0
    for key, value in (data or {}).items() if isinstance(data, dict) else ():
        name = find(key, "data_key")
        if name is None or value in (None, "", [], {}):
            hidden += name is None and value not in (None, "", [], {})
            continue
        items.append((name, _value(value, key)))
    return {"items": items, "hidden": hidden}


def actor_name(actor: str, names: dict) -> str:
    """``user:5`` → the person's name, ``citizen:3`` → 市民, ``system`` → 系统."""
    actor = actor or ""
    kind, _, ident = actor.partition(":")
    if kind == "user":
        return names.get(actor) or names.get(int(ident) if ident.isdigit() else ident) or gettext("工作人员")
    if kind == "citizen":
        return gettext("市民")
    if actor in ("system", "demo"):
        return gettext("系统")
    if actor == "anonymous":
        return gettext("未登录访客")
    return actor


def register(app) -> None:
    app.jinja_env.filters.update(label=label, audit_summary=audit_summary, reason_text=reason_text, actor_name=actor_name)
    app.jinja_env.filters.update(action_name=label,
                                 doc_kind=lambda k: label(k, "document_kind"))
    app.jinja_env.globals.update(label=label)
