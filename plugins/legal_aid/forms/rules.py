"""The application form's rules that look at more than one field: what each kind of matter
needs (a civil claim, a criminal application, an organ's notification), each message citing
its article. :class:`plugins.legal_aid.forms.LegalAidForm` runs them after the field validators.
"""
from __future__ import annotations

from core.api import today

from plugins.legal_aid.domain.law import (
    CATEGORIES,
    NOTIFICATION,
    NOTIFICATION_GROUNDS,
    STATUSES,
    STATUSES_NEEDING_BASIS,
    URGENT_DAYS,
    cite,
)


def kind_of(form) -> str:
    category = CATEGORIES.get(form.category.data or "")
    return category.kind if category else ""


def means_tested(form) -> bool:
    """Whether the household and savings are needed: not for Art. 32 matters, notifications or
    an Art. 24 application for "other reasons" (no economic test applies to them)."""
    category = CATEGORIES.get(form.category.data or "")
    if category is None:
        return True
    if category.code == "criminal_defence" and form.criminal_reason.data == "other":
        return False
    return category.means_tested


def _blank(field) -> bool:
    return not str(field.data or "").strip()


def check(form) -> bool:
    """Every cross-field rule; each failure is put on its field. True when all pass."""
    fail = form.fail
    ok = True
    category = CATEGORIES.get(form.category.data or "")
    kind = kind_of(form)
    if kind != NOTIFICATION and form.incident_date.data is None and not form.incident_date.errors:
        ok = fail(form.incident_date, "请填写事由发生日期（YYYY-MM-DD）")
    # A defence (Art. 24) or a notification has no opposing party of its own: the prosecution.
    if kind != NOTIFICATION and form.category.data != "criminal_defence" and _blank(form.opposing_party):
        ok = fail(form.opposing_party, "请填写对方当事人")
    if means_tested(form):
        if _blank(form.household) and not form.household.errors:
            ok = fail(form.household, "请填写家庭成员及月收入（含申请人本人）")
        if form.savings.data is None and not form.savings.errors:
            ok = fail(form.savings, "请填写家庭存款等资产（没有填0）")
    if form.category.data == "injury" and not form.injury_kind.data:
        ok = fail(form.injury_kind, "人身损害赔偿须选择事故类型（" + cite("第三十一条第（七）项") + "）")
    if category is not None and category.needs_basis and _blank(form.other_basis):
        ok = fail(form.other_basis, f"请写明规定该事项的法律、法规、规章（{category.citation}）")
    if form.status.data in STATUSES_NEEDING_BASIS and _blank(form.status_basis):
        item = STATUSES[form.status.data].item
        ok = fail(form.status_basis, f"请写明规定免予核查经济困难状况的法律、法规、规章（{cite(item)}）")
    if form.category.data == "criminal_defence":
        ok = _criminal_defence(form) and ok
    if kind == NOTIFICATION:
        ok = _notification(form) and ok
    return _urgent(form) and ok


def _criminal_defence(form) -> bool:
    if not form.criminal_reason.data:
        return form.fail(form.criminal_reason, "请选择没有委托辩护人的原因（" + cite("第二十四条") + "）")
    if form.criminal_reason.data == "other" and _blank(form.criminal_reason_note):
        return form.fail(form.criminal_reason_note, "因其他原因申请的，请写明具体原因（" + cite("第二十四条") + "）")
    return True


def _notification(form) -> bool:
    ok = True
    if not form.notifying_organ_kind.data:
        ok = form.fail(form.notifying_organ_kind, "请选择通知的办案机关（" + cite("第二十五条") + "）")
    if _blank(form.notifying_organ):
        ok = form.fail(form.notifying_organ, "请填写通知机关的名称")
    if _blank(form.criminal_case_no):
        ok = form.fail(form.criminal_case_no, "请填写案号或通知文号")
    ground = NOTIFICATION_GROUNDS.get(form.notification_ground.data or "")
    if ground is None:
        if not form.notification_ground.errors:
            ok = form.fail(form.notification_ground, "请选择通知的法定情形（" + cite("第二十五条、第二十八条") + "）")
    else:
        organ = form.notifying_organ_kind.data
        if organ and organ not in ground.organs:
            ok = form.fail(form.notification_ground, f"“{ground.label}”由人民法院通知（{ground.citation}）")
        if ground.needs_basis and _blank(form.other_basis):
            ok = form.fail(form.other_basis, f"请写明规定该人员应当通知指派律师的法律法规（{ground.citation}）")
    if form.urgent.data:
        ok = form.fail(form.urgent, "通知指派无需申请先行援助：法律援助机构收到通知后三日内指派律师（"
                       + cite("第三十六条") + "）")
    return ok


def _urgent(form) -> bool:
    if not form.urgent.data or kind_of(form) == NOTIFICATION:
        return True
    if not form.urgent_reason.data:
        return form.fail(form.urgent_reason, "申请先行提供法律援助须选择紧急情形（" + cite("第四十四条") + "）")
    if form.urgent_reason.data != "limitation":
        return True
    day, deadline = today(), form.urgent_deadline.data
    if deadline is None:
        return form.fail(form.urgent_deadline, "请填写时效或期限届满日")
    if deadline < day:
        return form.fail(form.urgent_deadline, "时效或期限届满日不能早于今天")
    if (deadline - day).days >= URGENT_DAYS:
        return form.fail(form.urgent_deadline, f"距时效或期限届满尚有{(deadline - day).days}日，"
                         f"不足{URGENT_DAYS}日的才属于紧急情形（" + cite("第四十四条第（一）项") + "）")
    return True
