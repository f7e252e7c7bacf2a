"""WTForms fields and validators that speak Chinese (WTForms' own messages are English).

Also the family-members field: one person a line (HTML textarea) or a list of lines (JSON),
parsed into ``[{"name", "id_number", "relation"}]``.
"""
from __future__ import annotations

import re

from wtforms import Field, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import TextArea

from core.api import InvalidInput, age_on, today, validate_credit_code, validate_resident_id


class ZhSelectField(SelectField):
    """A select whose "not a valid choice" message is Chinese and names the value."""

    def __init__(self, label=None, validators=None, *, what: str = "选项", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what

    def pre_validate(self, form):
        if self.data in (None, ""):
            return  # DataRequired / Optional decide about empty values
        if not any(self.data == value for value, *_ in self.iter_choices()):
            raise ValidationError(f"{self.what}“{self.data}”不在可选范围内")


class ZhSelectMultipleField(SelectMultipleField):
    def __init__(self, label=None, validators=None, *, what: str = "选项", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what

    def process_formdata(self, valuelist):
        # Keep the raw values (no coercion error in English); order kept, duplicates dropped.
        seen: list[str] = []
        for value in valuelist:
            value = str(value).strip()
            if value and value not in seen:
                seen.append(value)
        self.data = seen

    def pre_validate(self, form):
        allowed = {value for value, *_ in self.iter_choices()}
        unknown = [v for v in self.data or [] if v not in allowed]
        if unknown:
            raise ValidationError(f"{self.what}“{'、'.join(unknown)}”不在可选范围内")


class ZhIntegerField(IntegerField):
    def __init__(self, label=None, validators=None, *, what: str = "数值", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what

    def process_formdata(self, valuelist):
        if not valuelist or str(valuelist[0]).strip() == "":
            self.data = None
            return
        raw = str(valuelist[0]).strip().replace(",", "").replace("，", "")
        if not re.fullmatch(r"[+-]?\d{1,15}", raw):
            self.data = None
            raise ValueError(f"{self.what}应为整数（只填数字）")
        self.data = int(raw)


class Range:
    """NumberRange with one Chinese message per side."""

    def __init__(self, low: int | None, high: int | None, *, too_low: str, too_high: str):
        self.low, self.high, self.too_low, self.too_high = low, high, too_low, too_high

    def __call__(self, form, field):
        if field.data is None:
            return
        if self.low is not None and field.data < self.low:
            raise ValidationError(self.too_low)
        if self.high is not None and field.data > self.high:
            raise ValidationError(self.too_high)


def resident_id(*, min_age: int | None = None, who: str = "经营者"):
    """Validator: a resident ID with a valid checksum and birth date (and an age floor)."""
    def check(form, field):
        if not (field.data or "").strip():
            return
        try:
            rid = validate_resident_id(field.data)
        except InvalidInput as exc:
            raise ValidationError(exc.message) from None
        field.data = rid.number
        if min_age is not None:
            age = age_on(rid.birth_date, today())
            if age < min_age:
                raise ValidationError(f"{who}须年满{min_age}周岁（按身份证号码出生日期计算，现为{age}周岁）")
    return check


def credit_code(form, field):
    """Validator: a unified social credit code with a correct check character."""
    if not (field.data or "").strip():
        return
    try:
        field.data = validate_credit_code(field.data)
    except InvalidInput as exc:
        raise ValidationError(exc.message) from None


def mobile(form, field):
    value = (field.data or "").strip()
    if value and not re.fullmatch(r"1[3-9]\d{9}", value):
        raise ValidationError("手机号码应为11位数字，以13至19开头")
    field.data = value


RELATIONS = ("配偶", "子女", "父母", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女", "其他近亲属")


def parse_members(value) -> list[dict]:
    """Family members from form data: canonical lines ("姓名 身份证号码 关系") or dicts."""
    out = []
    for item in value or []:
        if isinstance(item, dict):
            out.append({"name": item.get("name", ""), "id_number": item.get("id_number", ""),
                        "relation": item.get("relation", "")})
            continue
        parts = re.split(r"[\s,，、;；]+", str(item).strip())
        if len(parts) == 3:
            out.append({"name": parts[0], "id_number": parts[1].upper(), "relation": parts[2]})
    return out


class FamilyMembersField(Field):
    """家庭经营的参加经营家庭成员: one a line, "姓名 身份证号码 关系".

    ``data`` is a list of canonical lines, so the cleaned data can be fed back through the
    form (the core's counter page does) and still validate; :func:`parse_members` reads it.
    """

    widget = TextArea()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.data = []
        self.line_errors: list[str] = []

    def _value(self):
        return "\n".join(self.data) if isinstance(self.data, list) else (self.data or "")

    def process_formdata(self, valuelist):
        lines = [line.strip() for value in valuelist for line in str(value).splitlines()]
        self.data, self.line_errors = [], []
        for n, line in enumerate((x for x in lines if x), 1):
            parts = re.split(r"[\s,，、;；]+", line)
            if len(parts) != 3:
                self.line_errors.append(f"第{n}行应为“姓名 身份证号码 关系”三项，用空格分开")
                continue
            self.data.append(" ".join((parts[0], parts[1].upper(), parts[2])))

    def pre_validate(self, form):
        if self.line_errors:
            raise ValidationError("；".join(self.line_errors))
        seen = set()
        canonical = []
        for n, member in enumerate(parse_members(self.data), 1):
            if not 1 <= len(member["name"]) <= 30:
                raise ValidationError(f"第{n}位家庭成员的姓名应为1至30个字")
            try:
                rid = validate_resident_id(member["id_number"])
            except InvalidInput as exc:
                raise ValidationError(f"第{n}位家庭成员（{member['name']}）：{exc.message}") from None
            if age_on(rid.birth_date, today()) < 16:
                raise ValidationError(f"第{n}位家庭成员（{member['name']}）未满16周岁，不能参加经营")
            if member["relation"] not in RELATIONS:
                raise ValidationError(f"第{n}位家庭成员的关系应为：{'、'.join(RELATIONS)}")
            if rid.number in seen:
                raise ValidationError(f"第{n}位家庭成员的身份证号码重复")
            seen.add(rid.number)
            canonical.append(f"{member['name']} {rid.number} {member['relation']}")
        self.data = canonical
