"""The application form for individual-business registration (个体工商户设立登记)."""
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

ORGANISATION_FORMS = [("individual", "个人经营"), ("family", "家庭经营")]
SCOPES = [
    ("retail", "日用百货零售"), ("catering", "餐饮服务（需食品经营许可）"),
    ("repair", "家电维修"), ("hairdressing", "美容美发"), ("tailoring", "服装加工"),
]


class IndividualBusinessForm(Form):
    business_name = StringField("个体工商户名称", validators=[DataRequired("请填写名称"), Length(2, 50)],
                                description="字号 + 行业 + 组织形式，如：老王（玄武区）便利店")
    operator_name = StringField("经营者姓名", validators=[DataRequired("请填写经营者姓名"), Length(1, 30)])
    organisation_form = SelectField("组织形式", choices=ORGANISATION_FORMS,
                                    validators=[DataRequired("请选择组织形式")])
    address = StringField("经营场所", validators=[DataRequired("请填写经营场所"), Length(5, 200)])
    scope = SelectField("经营范围", choices=SCOPES, validators=[DataRequired("请选择经营范围")])
    capital = IntegerField("资金数额（元）", validators=[
        DataRequired("请填写资金数额"), NumberRange(1000, 100_000_000, "资金数额应在1千元至1亿元之间")])
    employees = IntegerField("从业人数", validators=[
        Optional(), NumberRange(0, 500, "个体工商户从业人数应在0至500之间")])
    phone = StringField("联系电话", validators=[
        DataRequired("请填写联系电话"), Regexp(r"^1\d{10}$", message="手机号码应为11位数字")])
