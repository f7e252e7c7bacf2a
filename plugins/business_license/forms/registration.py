"""Forms of registration, change and deregistration (登记、变更、注销) and their parts."""
from __future__ import annotations

from wtforms import BooleanField, Form, HiddenField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from core.api import today
from plugins.business_license.domain import capacity, catalog, law, names
from plugins.business_license.forms.fields import (
    FamilyMembersField,
    Range,
    ZhIntegerField,
    ZhSelectField,
    ZhSelectMultipleField,
    credit_code,
    mobile,
    parse_members,
    resident_id,
)

MAX_CAPITAL = 100_000_000   # yuan: above this a "个体工商户" figure is a typo (万元 vs 元)
MAX_EMPLOYEES = 200


def _chinese(what: str):
    def check(form, field):
        message = names.chinese_only_message(field.data, what)
        if message:
            raise ValidationError(message)
        field.data = names.clean(field.data)
    return check


def _no_forbidden(form, field):
    message = names.forbidden_message(field.data)
    if message:
        raise ValidationError(message)


def _operator_age(form, field):
    """Full capacity: 18, or 16 with the labour income proof the register asks for (民法典第十八条)."""
    if field.errors or not field.data:
        return  # the resident ID itself is wrong: that message says enough
    years = capacity.age(field.data, today())
    if years is not None and years < capacity.WORKING_MINOR_AGE:
        raise ValidationError(capacity.too_young_message(years))


def _name_form_choices():
    return {"": "请选择", **{w: w for w in catalog.NAME_FORMS}}


class NameFields(Form):
    """字号 + 行业 + 组织形式, composed into ``business_name`` (never taken from the input).

    A 个体工商户 need not use a name (市场主体登记管理条例第八条): all three parts left empty
    means no name; one part given means the name is used and every part is needed.
    """

    trade_name = StringField("字号", validators=[
        Optional(), _chinese("字号"), Length(2, 10, "字号应为2至10个汉字"), _no_forbidden],
        description="2至10个汉字，如“老王”“悦来”；不得使用国家、党政机关名称和企业用语。"
                    f"个体工商户可以不使用名称（{law.NAME_OPTIONAL.short}）：不使用的，字号、行业和组织形式用字都不填")
    industry = StringField("行业或经营特点", validators=[
        Optional(), _chinese("行业或经营特点"), Length(1, 10, "行业或经营特点应为1至10个汉字"),
        _no_forbidden], description="如“便利”“面食”“理发”“五金”")
    name_form = ZhSelectField("组织形式用字", choices=_name_form_choices(), what="组织形式用字",
                              validators=[Optional()])
    business_name = HiddenField("个体工商户名称")

    MISSING = {"trade_name": "请填写字号", "industry": "请填写行业或经营特点",
               "name_form": "请选择组织形式用字，如“店”“馆”“部”"}

    def compose_name(self, *, required: bool = False) -> bool:
        """Compose the name from its parts; a forbidden word spanning two parts is caught here.

        Without ``required`` (设立登记) three empty parts mean the business uses no name."""
        parts = {name: self[name] for name in self.MISSING}
        empty = [name for name, f in parts.items() if not (f.data or "").strip() and not f.errors]
        if len(empty) == len(parts) and not required:
            self.business_name.data = ""
            return True
        for name in empty:
            hint = self.MISSING[name] if required else "使用名称的，" + self.MISSING[name]
            parts[name].errors = list(parts[name].errors) + [hint]
        self.business_name.data = names.compose(self.trade_name.data, self.industry.data,
                                                self.name_form.data)
        if any(f.errors for f in parts.values()):
            return False
        message = names.forbidden_message(self.business_name.data)
        if message:
            self.trade_name.errors = list(self.trade_name.errors) + [f"名称“{self.business_name.data}”{message}"]
            return False
        return True


class OperatorFields(Form):
    operator_name = StringField("经营者姓名", validators=[
        DataRequired("请填写经营者姓名"), Length(1, 30, "经营者姓名应为1至30个字")])
    operator_id_number = StringField("经营者身份证号码", validators=[
        DataRequired("请填写经营者身份证号码"), resident_id(who="经营者"), _operator_age],
        description="经营者须为申请人本人，年满18周岁；16、17周岁以自己的劳动收入为主要生活来源的，"
                    f"须同时提交劳动收入证明（{law.FULL_CAPACITY.short}）")
    operator_residence = StringField("经营者住所", validators=[
        DataRequired("请填写经营者住所"), Length(5, 200, "经营者住所应为5至200个字，写明省市区、路名门牌号")],
        description=f"经营者本人的住所，如“江苏省南京市玄武区长江路12号3幢201室”；登记事项之一（{law.OPERATOR_RESIDENCE.short}）")
    organisation_form = ZhSelectField("组成形式", choices=dict(catalog.ORGANISATION_FORMS),
                                      what="组成形式", validators=[DataRequired("请选择组成形式")])
    family_members = FamilyMembersField(
        "参加经营的家庭成员",
        description="家庭经营时填写，每行一人：姓名 身份证号码 关系（如：李梅 320102199002021234 配偶）")

    def check_family(self) -> bool:
        members = parse_members(self.family_members.data)
        if self.organisation_form.data == "family" and not members and not self.family_members.errors:
            self.family_members.errors = list(self.family_members.errors) + ["家庭经营须填写参加经营的家庭成员"]
            return False
        if self.organisation_form.data == "individual" and members:
            self.family_members.errors = list(self.family_members.errors) + ["个人经营不填写家庭成员；如家庭成员参加经营，请选择“家庭经营”"]
            return False
        operator = (self.operator_id_number.data or "").upper()
        if any(m["id_number"] == operator for m in members):
            self.family_members.errors = list(self.family_members.errors) + ["经营者本人不需要填写在家庭成员中"]
            return False
        return True


def _street_choices():
    return {"": "请选择", **catalog.STREETS}


class PremisesFields(Form):
    street = ZhSelectField("所在街道", choices=_street_choices(), what="街道",
                           validators=[DataRequired("请选择经营场所所在街道")])
    address = StringField("经营场所", validators=[
        DataRequired("请填写经营场所"), Length(5, 200, "经营场所应为5至200个字，写明路名门牌号")],
        description="写明路名、门牌号和楼层，如“中山路88号一层102室”")


class RegistrationForm(NameFields, OperatorFields, PremisesFields):
    """个体工商户设立登记申请表."""

    scopes = ZhSelectMultipleField(
        "经营范围", choices=dict(catalog.scope_choices()), what="经营范围",
        validators=[DataRequired("请至少选择一项经营范围")],
        description="标注“需取得……”的项目须取得相应许可后方可经营；餐饮、食品销售可同时申请食品经营许可（证照联办）")
    capital = ZhIntegerField("资金数额（元）", what="资金数额", validators=[
        InputRequired("请填写资金数额"),
        Range(1, MAX_CAPITAL, too_low="资金数额应为正数（单位：元）",
              too_high="资金数额超过1亿元，明显不合理，请核对单位（应以“元”填写）")])
    employees = ZhIntegerField("从业人数", what="从业人数", validators=[
        Optional(), Range(0, MAX_EMPLOYEES, too_low="从业人数不能为负数",
                          too_high=f"个体工商户从业人数超过{MAX_EMPLOYEES}人，明显不合理，请核对")],
        description="不含经营者本人和参加经营的家庭成员")
    phone = StringField("联系电话", validators=[DataRequired("请填写联系电话"), mobile])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        ok = self.compose_name() and ok
        ok = self.check_family() and ok
        return ok


class ChangeForm(NameFields, PremisesFields):
    """个体工商户变更登记申请表: only the items that change are filled in."""

    credit_code = StringField("统一社会信用代码", validators=[
        DataRequired("请填写个体工商户的统一社会信用代码"), credit_code])
    change_name = BooleanField("变更名称")
    change_premises = BooleanField("变更经营场所")
    change_residence = BooleanField("变更经营者住所")
    operator_residence = StringField("变更后的经营者住所", validators=[
        DataRequired("请填写变更后的经营者住所"), Length(5, 200, "经营者住所应为5至200个字，写明省市区、路名门牌号")])
    new_scopes = ZhSelectMultipleField("变更后的经营范围", choices=dict(catalog.scope_choices()), what="经营范围",
                                       description="不变更经营范围的不选")
    new_phone = StringField("变更后的联系电话", validators=[Optional(), mobile])
    reason = TextAreaField("变更原因", validators=[Optional(), Length(max=500, message="变更原因最多500字")])

    def __init__(self, formdata=None, **kwargs):
        super().__init__(formdata, **kwargs)
        # The name and premises parts are required only for the items being changed.
        if not self.change_name.data:
            for f in (self.trade_name, self.industry, self.name_form):
                f.validators = [Optional()]
        if not self.change_premises.data:
            for f in (self.street, self.address):
                f.validators = [Optional()]
        if not self.change_residence.data:
            self.operator_residence.validators = [Optional()]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.change_name.data:
            ok = self.compose_name(required=True) and ok
        else:
            self.trade_name.data = self.industry.data = self.name_form.data = ""
            self.business_name.data = ""
        if not self.change_premises.data:
            self.street.data = self.address.data = ""
        if not self.change_residence.data:
            self.operator_residence.data = ""
        if not (self.change_name.data or self.change_premises.data or self.change_residence.data
                or self.new_scopes.data or self.new_phone.data):
            self.change_name.errors = list(self.change_name.errors) + [
                "请至少填写一项变更内容（名称、经营场所、经营者住所、经营范围或联系电话）"]
            ok = False
        return ok


class DeregistrationForm(Form):
    """个体工商户注销登记申请表."""

    credit_code = StringField("统一社会信用代码", validators=[
        DataRequired("请填写个体工商户的统一社会信用代码"), credit_code])
    reason = ZhSelectField("注销原因", choices={"": "请选择", **catalog.DEREGISTRATION_REASONS},
                           what="注销原因", validators=[DataRequired("请选择注销原因")])
    reason_detail = TextAreaField("情况说明", validators=[Optional(), Length(max=500, message="情况说明最多500字")])
    settled = BooleanField("本人承诺：债权债务已清理完结，无未结清的税款、罚款及其他未了结事务",
                           validators=[DataRequired("注销须承诺债权债务已清理完结")])
