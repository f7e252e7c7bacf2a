"""The food-business permit's form, and the joint licence + permit form (证照联办)."""
from __future__ import annotations

from wtforms import BooleanField, Form, HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from plugins.business_license.domain import catalog, law
from plugins.business_license.forms.fields import (
    Range,
    ZhIntegerField,
    ZhSelectField,
    ZhSelectMultipleField,
    credit_code,
)
from plugins.business_license.forms.registration import RegistrationForm


def _food_item_choices():
    return {code: label for code, (label, _) in catalog.FOOD_ITEMS.items()}


class FoodFields(Form):
    """The food-business permit's own fields (also part of the joint form)."""

    food_category = ZhSelectField("主体业态", choices={"": "请选择", **catalog.FOOD_CATEGORIES},
                                  what="主体业态", validators=[DataRequired("请选择主体业态")])
    food_items = ZhSelectMultipleField("经营项目", choices=_food_item_choices(), what="经营项目",
                                       validators=[DataRequired("请至少选择一项经营项目")])
    food_area = ZhIntegerField("经营场所面积（平方米）", what="面积", validators=[
        InputRequired("请填写经营场所面积"),
        Range(1, 5000, too_low="面积应为正数", too_high="个体食品经营场所面积超过5000平方米，明显不合理，请核对")])
    food_safety_manager = StringField("食品安全管理人员", validators=[
        DataRequired("请填写食品安全管理人员姓名"), Length(1, 30, "姓名应为1至30个字")])
    health_certified = ZhIntegerField("持有效健康证明的从业人员数", what="人数", validators=[
        InputRequired("从事接触直接入口食品工作的人员须持有效健康证明，请填写人数"),
        Range(1, 500, too_low="至少应有1名持健康证明的从业人员", too_high="人数明显不合理，请核对")])
    food_commitment = BooleanField("本人已知晓食品经营许可的条件和要求，承诺符合条件，并愿承担不实承诺的法律责任",
                                   validators=[DataRequired("告知承诺方式办理须作出承诺")])

    def check_food_items(self) -> bool:
        category = self.food_category.data
        if not category or self.food_category.errors or self.food_items.errors:
            return True
        wrong = [catalog.FOOD_ITEMS[i][0] for i in self.food_items.data or []
                 if category not in catalog.FOOD_ITEMS[i][1]]
        if wrong:
            self.food_items.errors = list(self.food_items.errors) + [
                f"“{catalog.FOOD_CATEGORIES[category]}”不能申请：{'、'.join(wrong)}"]
            return False
        return True


def _filing_message() -> str:
    return f"仅销售预包装食品的，不需要取得食品经营许可，应当备案（{law.FOOD_FILING.short}）"


class FoodPermitForm(FoodFields):
    """食品经营许可（告知承诺）申请表: for a registered business, or with a registration (联办)."""

    credit_code = StringField("统一社会信用代码", validators=[Optional(), credit_code],
                              description="已登记的个体工商户填写；与设立登记联办的不填")
    bundle_ref = HiddenField("联办编号")
    premises = StringField("经营场所", validators=[
        DataRequired("请填写经营场所"), Length(5, 200, "经营场所应为5至200个字")])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        ok = self.check_food_items() and ok
        if not self.food_items.errors and catalog.filing_only(self.food_items.data):
            # No permit for what the statute only asks to be filed.
            self.food_items.errors = list(self.food_items.errors) + [
                _filing_message() + "；请在设立登记时选择证照联办，一并办理备案"]
            ok = False
        self.bundle_ref.data = (self.bundle_ref.data or "").strip()
        if not self.credit_code.data and not self.bundle_ref.data:
            self.credit_code.errors = list(self.credit_code.errors) + [
                "请填写个体工商户的统一社会信用代码（尚未登记的，请选择与设立登记联办）"]
            ok = False
        return ok


class JointForm(RegistrationForm, FoodFields):
    """证照联办: one form for the licence and the food permit together — or, selling only
    prepackaged food, the licence and a filing (备案, 食品安全法第三十五条): then the permit's
    commitment and health-certificate count are not asked for."""

    def __init__(self, formdata=None, **kwargs):
        super().__init__(formdata, **kwargs)
        if self.is_filing():
            self.food_commitment.validators = [Optional()]
            self.health_certified.validators = [Optional(), Range(
                0, 500, too_low="人数不能为负数", too_high="人数明显不合理，请核对")]

    def is_filing(self) -> bool:
        return catalog.filing_only(self.food_items.data)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        ok = self.check_food_items() and ok
        if self.is_filing() and self.food_category.data == "catering":
            self.food_category.errors = list(self.food_category.errors) + [
                _filing_message() + "，主体业态请选择“食品销售经营者”；制售食品的，请选择相应的经营项目"]
            ok = False
        if self.is_filing():
            self.food_commitment.data = False  # a filing is not under 告知承诺
        category = self.food_category.data
        needed = catalog.FOOD_CATEGORY_SCOPE.get(category)
        if needed and not self.scopes.errors and needed not in (self.scopes.data or []):
            self.scopes.errors = list(self.scopes.errors) + [
                ("仅销售预包装食品办理备案" if self.is_filing() else f"申请“{catalog.FOOD_CATEGORIES[category]}”许可")
                + f"，经营范围须包含“{catalog.SCOPES[needed][0]}”"]
            ok = False
        return ok


REGISTRATION_FIELDS = tuple(RegistrationForm().data)
FOOD_FIELDS = tuple(f for f in FoodFields().data)


def split_joint(data: dict) -> tuple[dict, dict]:
    """Joint form data → (registration form data, food permit form data without bundle)."""
    registration = {k: data[k] for k in REGISTRATION_FIELDS if k in data}
    permit = {k: data[k] for k in FOOD_FIELDS if k in data}
    permit["premises"] = data.get("address", "")
    return registration, permit
