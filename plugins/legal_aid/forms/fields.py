"""The pieces of the application form: a select whose errors speak Chinese, the choice lists
built from the law data, and field validators."""
from __future__ import annotations

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from core.api import InvalidInput, today, validate_credit_code, validate_resident_id

from plugins.legal_aid.domain.law import ART31, ART32, CATEGORIES, CRIMINAL, NOTIFICATION, cite


def _group(category) -> str:
    if category in ART31:
        return "第三十一条（须经济困难）"
    if category in ART32:
        return "第三十二条（不受经济困难条件限制）"
    if category.kind == CRIMINAL:
        return "第二十四条、第二十九条（刑事案件申请）"
    if category.kind == NOTIFICATION:
        return "第二十五条、第二十八条（办案机关通知，由工作人员登记）"
    return "第三十三条（申诉、再审）"


CATEGORY_CHOICES = [SelectChoice(c.code, f"{c.label}（{c.article}）", optgroup=_group(c))
                    for c in CATEGORIES.values()]
CATEGORY_INVALID = ("申请事项类别不属于法律援助的范围（"
                    + cite("第二十四条、第二十五条、第二十八条、第二十九条、第三十一条、第三十二条、第三十三条") + "）")


def choices(pairs, empty: str) -> list[SelectChoice]:
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


def not_future(what: str):
    def check(form, field):
        if field.data and field.data > today():
            raise ValidationError(f"{what}不能晚于今天")
    return check


def opposing_id(form, field):
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
