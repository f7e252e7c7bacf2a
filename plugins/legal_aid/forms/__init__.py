"""The legal aid application form (法律援助申请表), also used to register an organ's
notification (通知辩护, Art. 25, 28) on its behalf.

A plain WTForms form (the core validates it with :func:`core.acceptance.forms.validate_form`, the
counter and portal render it). Household members are one text field, a member a line
(``关系,姓名,月收入``), because that survives every path the core uses (HTML forms, JSON,
re-validation of stored data) unchanged; :func:`..domain.household.parse_household` reads it.

The day of receipt and the area whose hardship standard applies are not on the form: the
system records them (:mod:`.system_fields`, :mod:`..domain.receipt`).
"""
from __future__ import annotations

from wtforms import BooleanField, DateField, DecimalField, Form, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from plugins.legal_aid.domain.household import HouseholdError, parse_household
from plugins.legal_aid.domain.law import (
    CRIMINAL_REASONS,
    INJURY_KINDS,
    NOTIFICATION_GROUNDS,
    NOTIFYING_ORGANS,
    STATUSES,
    URGENT_REASONS,
    cite,
)
from plugins.legal_aid.forms import rules
from plugins.legal_aid.forms.fields import (
    CATEGORY_CHOICES,
    CATEGORY_INVALID,
    StrictSelectField,
    choices,
    not_future,
    opposing_id,
)
from plugins.legal_aid.forms.system_fields import refuse, typed_system_fields


def _household(form, field):
    if not (field.data or "").strip():
        return  # required only where a means test applies (rules.check says so)
    try:
        parse_household(field.data)
    except HouseholdError as exc:
        raise ValidationError("；".join(exc.errors)) from None


class LegalAidForm(Form):
    class Meta:
        locales = ("zh_CN", "zh")  # WTForms' own messages (dates, numbers) in Chinese

    category = StrictSelectField(
        "申请事项类别", choices=CATEGORY_CHOICES, validators=[DataRequired("请选择申请事项类别")],
        invalid_message=CATEGORY_INVALID)
    injury_kind = StrictSelectField("事故类型（人身损害赔偿时填写）",
                                    choices=choices(INJURY_KINDS.items(), "—"),
                                    validators=[Optional()], invalid_message="事故类型无效")
    retrial_ordered = BooleanField("人民法院已决定、裁定再审或者人民检察院已提出抗诉（申诉、再审时勾选）")
    other_basis = StringField("规定该情形的法律、法规、规章（选“其他情形”“其他人员”时填写）",
                              validators=[Optional(), Length(max=200)])
    criminal_reason = StrictSelectField(
        "没有委托辩护人的原因（犯罪嫌疑人、被告人申请时填写，" + cite("第二十四条") + "）",
        choices=choices(CRIMINAL_REASONS.items(), "—"), validators=[Optional()],
        invalid_message="没有委托辩护人的原因无效")
    criminal_reason_note = StringField("其他原因的说明", validators=[Optional(), Length(max=300)])
    notifying_organ_kind = StrictSelectField(
        "通知机关（通知辩护时填写，" + cite("第二十五条") + "）",
        choices=choices(NOTIFYING_ORGANS.items(), "—"), validators=[Optional()],
        invalid_message="通知机关只能是人民法院、人民检察院或者公安机关")
    notifying_organ = StringField("通知机关名称", validators=[Optional(), Length(max=100)],
                                  description="如 南京市栖霞区人民法院")
    criminal_case_no = StringField("案号或通知文号", validators=[Optional(), Length(max=60)])
    notification_ground = StrictSelectField(
        "通知的法定情形（" + cite("第二十五条、第二十八条") + "）",
        choices=choices(((g.code, f"{g.label}（{g.article}）") for g in NOTIFICATION_GROUNDS.values()), "—"),
        validators=[Optional()], invalid_message="通知情形不属于第二十五条、第二十八条规定的情形")
    matter = TextAreaField("案情及申请事项简述", validators=[
        DataRequired("请简述案情及申请事项"), Length(10, 2000, "案情简述应为10至2000字")])
    incident_date = DateField("事由发生日期", validators=[Optional(), not_future("事由发生日期")])
    handling_organ = StringField("办案机关或争议处理机关", validators=[Optional(), Length(max=100)])
    opposing_party = StringField("对方当事人（姓名或名称；刑事辩护、通知辩护可不填）",
                                 validators=[Optional(), Length(max=100, message="对方当事人最多100字")])
    opposing_party_id = StringField("对方当事人证件号码或统一社会信用代码（选填）",
                                    validators=[Optional(), Length(max=18), opposing_id])
    status = StrictSelectField(
        "申请人身份（" + cite("第四十二条") + "，须提交证明材料）",
        choices=choices(((s.code, s.label) for s in STATUSES.values()), "不属于以下人员"),
        validators=[Optional()], invalid_message="申请人身份不属于第四十二条规定的人员")
    status_basis = StringField("规定免予核查的法律、法规、规章（身份选“其他人员”时填写）",
                               validators=[Optional(), Length(max=200)])
    household = TextAreaField("家庭成员及月收入", validators=[_household],
                              description="每行一人：关系,姓名,月收入（元，无收入填0），须有一行关系为“本人”；"
                                          "不审查经济困难状况的事项可不填")
    savings = DecimalField("家庭存款、现金等资产（元）", places=2, validators=[
        Optional(), NumberRange(0, 100_000_000, "资产金额不能为负数")])
    other_assets = StringField("房产、车辆等其他财产（选填）", validators=[Optional(), Length(max=200)])
    has_agent = BooleanField("已委托律师或其他代理人（辩护人）")
    urgent = BooleanField("情况紧急，申请先行提供法律援助（" + cite("第四十四条") + "）")
    urgent_reason = StrictSelectField("紧急情形", choices=choices(URGENT_REASONS.items(), "—"),
                                      validators=[Optional()], invalid_message="紧急情形无效")
    urgent_deadline = DateField("时效或期限届满日", validators=[Optional()])

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        # Remember what was posted for the system's own fields; refused in validate().
        self._typed_system_fields = typed_system_fields(formdata, self._prefix)
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        if getattr(self, "_typed_system_fields", None):
            refuse(self._typed_system_fields)
        ok = super().validate(extra_validators)
        return rules.check(self) and ok

    def fail(self, field, message: str) -> bool:
        field.errors = list(field.errors) + [message]
        return False
