"""The legal aid application form (法律援助申请表).

A plain WTForms form (the core validates it with :func:`core.acceptance.forms.validate_form`, the
counter and portal render it). Household members are one text field, a member a line
(``关系,姓名,月收入``), because that survives every path the core uses (HTML forms, JSON,
re-validation of stored data) unchanged; :func:`.eligibility.parse_household` reads it.
"""
from __future__ import annotations

import datetime as dt

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Form,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from core.api import InvalidInput, today, validate_credit_code, validate_resident_id

from plugins.legal_aid.domain.eligibility import HouseholdError, parse_household
from plugins.legal_aid.domain.law import ART31, ART32, CATEGORIES, INJURY_KINDS, STATUSES, URGENT_DAYS, URGENT_REASONS, cite

#: How far back the applicant may date the application (a paper form signed earlier).
MAX_APPLICATION_AGE_DAYS = 30


def _group(category) -> str:
    if category in ART31:
        return "第三十一条（须经济困难）"
    if category in ART32:
        return "第三十二条（不受经济困难条件限制）"
    return "第三十三条（申诉、再审）"


CATEGORY_CHOICES = [SelectChoice(c.code, f"{c.label}（{c.article}）", optgroup=_group(c))
                    for c in CATEGORIES.values()]


def _choices(pairs, empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [SelectChoice(code, label) for code, label in pairs]


class StrictSelectField(SelectField):
    """A select whose "not a valid choice" message says what is wrong, in Chinese."""

    def __init__(self, *args, invalid_message: str = "选项无效", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        if self.data not in {str(c[0]) for c in self.iter_choices()}:
            raise ValidationError(self.invalid_message)


def _not_future(what: str):
    def check(form, field):
        if field.data and field.data > today():
            raise ValidationError(f"{what}不能晚于今天")
    return check


def _opposing_id(form, field):
    """A resident ID or a unified social credit code (an 18-digit number may be either)."""
    value = (field.data or "").strip().upper()
    if not value:
        return
    errors = []
    for validate in (validate_resident_id, validate_credit_code):
        try:
            validate(value)
            return
        except InvalidInput as exc:
            errors.append(exc.message)
    raise ValidationError("对方当事人证件号码无效：" + "；".join(errors))


def _household(form, field):
    try:
        parse_household(field.data or "")
    except HouseholdError as exc:
        raise ValidationError("；".join(exc.errors)) from None


class LegalAidForm(Form):
    class Meta:
        locales = ("zh_CN", "zh")  # WTForms' own messages (dates, numbers) in Chinese

    application_date = DateField("申请日期", default=today, validators=[
        Optional(), _not_future("申请日期")],
        description="经济困难标准按申请日适用（" + cite("第三十四条") + "），默认今天")
    area_code = StringField("办案机关所在地或事由发生地（行政区划代码）", validators=[
        DataRequired("请填写行政区划代码"), Regexp(r"^\d{6}$", message="行政区划代码应为6位数字")],
        description="如 320113（南京市栖霞区）；确定受理机构和适用的经济困难标准（"
                    + cite("第三十八条") + "、第三十四条）")
    category = StrictSelectField(
        "申请事项类别", choices=CATEGORY_CHOICES, validators=[DataRequired("请选择申请事项类别")],
        invalid_message="申请事项类别不属于法律援助的范围（" + cite("第三十一条、第三十二条、第三十三条") + "）")
    injury_kind = StrictSelectField("事故类型（人身损害赔偿时填写）",
                                    choices=_choices(INJURY_KINDS.items(), "—"),
                                    validators=[Optional()], invalid_message="事故类型无效")
    retrial_ordered = BooleanField("人民法院已决定、裁定再审或者人民检察院已提出抗诉（申诉、再审时勾选）")
    other_basis = StringField("规定该事项可申请法律援助的法律、法规、规章（“其他情形”时填写）",
                              validators=[Optional(), Length(max=200)])
    matter = TextAreaField("案情及申请事项简述", validators=[
        DataRequired("请简述案情及申请事项"), Length(10, 2000, "案情简述应为10至2000字")])
    incident_date = DateField("事由发生日期", validators=[
        DataRequired("请填写事由发生日期（YYYY-MM-DD）"), _not_future("事由发生日期")])
    handling_organ = StringField("办案机关或争议处理机关", validators=[Optional(), Length(max=100)])
    opposing_party = StringField("对方当事人（姓名或名称）", validators=[
        DataRequired("请填写对方当事人"), Length(1, 100, "对方当事人最多100字")])
    opposing_party_id = StringField("对方当事人证件号码或统一社会信用代码（选填）",
                                    validators=[Optional(), Length(max=18), _opposing_id])
    status = StrictSelectField(
        "申请人身份（" + cite("第四十二条") + "，须提交证明材料）",
        choices=_choices(((s.code, s.label) for s in STATUSES.values()), "不属于以下人员"),
        validators=[Optional()], invalid_message="申请人身份不属于第四十二条规定的人员")
    household = TextAreaField("家庭成员及月收入", validators=[
        DataRequired("请填写家庭成员及月收入（含申请人本人）"), _household],
        description="每行一人：关系,姓名,月收入（元，无收入填0），须有一行关系为“本人”")
    savings = DecimalField("家庭存款、现金等资产（元）", places=2, validators=[
        InputRequired("请填写家庭存款等资产（没有填0）"),
        NumberRange(0, 100_000_000, "资产金额不能为负数")])
    other_assets = StringField("房产、车辆等其他财产（选填）", validators=[Optional(), Length(max=200)])
    has_agent = BooleanField("已委托律师或其他代理人")
    urgent = BooleanField("情况紧急，申请先行提供法律援助（" + cite("第四十四条") + "）")
    urgent_reason = StrictSelectField("紧急情形", choices=_choices(URGENT_REASONS.items(), "—"),
                                      validators=[Optional()], invalid_message="紧急情形无效")
    urgent_deadline = DateField("时效或期限届满日", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self._cross_checks() and ok

    def _fail(self, field, message: str) -> bool:
        field.errors = list(field.errors) + [message]
        return False

    def _cross_checks(self) -> bool:
        ok = True
        day = self.application_date.data or today()
        if day < today() - dt.timedelta(days=MAX_APPLICATION_AGE_DAYS):
            ok = self._fail(self.application_date, f"申请日期不能早于{MAX_APPLICATION_AGE_DAYS}日前")
        if self.incident_date.data and self.incident_date.data > day:
            ok = self._fail(self.incident_date, "事由发生日期不能晚于申请日期")
        if self.category.data == "injury" and not self.injury_kind.data:
            ok = self._fail(self.injury_kind, "人身损害赔偿须选择事故类型（" + cite("第三十一条第（七）项") + "）")
        if self.category.data == "other_statutory" and not (self.other_basis.data or "").strip():
            ok = self._fail(self.other_basis, "请写明规定该事项的法律、法规、规章（" + cite("第三十一条第（九）项") + "）")
        if self.urgent.data:
            if not self.urgent_reason.data:
                ok = self._fail(self.urgent_reason, "申请先行提供法律援助须选择紧急情形（" + cite("第四十四条") + "）")
            elif self.urgent_reason.data == "limitation":
                deadline = self.urgent_deadline.data
                if deadline is None:
                    ok = self._fail(self.urgent_deadline, "请填写时效或期限届满日")
                elif deadline < day:
                    ok = self._fail(self.urgent_deadline, "时效或期限届满日不能早于申请日期")
                elif (deadline - day).days >= URGENT_DAYS:
                    ok = self._fail(self.urgent_deadline, f"距时效或期限届满尚有{(deadline - day).days}日，"
                                    f"不足{URGENT_DAYS}日的才属于紧急情形（" + cite("第四十四条第（一）项") + "）")
        return ok
