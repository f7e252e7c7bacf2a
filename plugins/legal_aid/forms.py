"""The legal aid application form (法律援助申请表)."""
from wtforms import BooleanField, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .eligibility import ART31_CATEGORIES


class LegalAidForm(Form):
    category = SelectField("申请事项类别", choices=list(ART31_CATEGORIES.items()),
                           validators=[DataRequired("请选择申请事项类别")])
    opposing_party = StringField("对方当事人", validators=[DataRequired("请填写对方当事人"), Length(1, 100)])
    matter = TextAreaField("案情简述", validators=[DataRequired("请简述案情"), Length(10, 2000)])
    household_size = IntegerField("家庭人口", validators=[
        InputRequired("请填写家庭人口"), NumberRange(1, 30, "家庭人口应为1至30人")])
    monthly_household_income = IntegerField("家庭月收入（元）", validators=[
        InputRequired("请填写家庭月收入"), NumberRange(0, 10_000_000, "收入不能为负数")])
    has_agent = BooleanField("已委托律师或其他代理人")
