"""Flask-WTF forms of the web pages (CSRF on every one of them)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, PasswordField,
                     RadioField, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from core.people.passwords import MIN_LENGTH
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码")), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class PhoneForm(FlaskForm):
    phone = StringField(_l("手机号码"), validators=[DataRequired(_l("请填写手机号码")),
                                                Regexp(r"^[\s\d+-]{11,20}$", message=_l("请输入11位手机号码"))],
                        render_kw={"autocomplete": "tel", "inputmode": "numeric", "autofocus": True})


class CodeForm(FlaskForm):
    phone = HiddenField()
    code = StringField(_l("短信验证码"), validators=[DataRequired(_l("请填写验证码")),
                                                Regexp(r"^\s*[0-9]{6}\s*$", message=_l("请输入6位数字验证码"))],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True})


#: The staff password rule (core.people.passwords) in one line, shown under every field that
#: sets one, so the person knows it before the server refuses.
PASSWORD_RULE = _l("至少%(n)s位，包含字母、数字、符号中的两类；不能是用户名、手机号或常见密码", n=MIN_LENGTH)


class PasswordChangeForm(FlaskForm):
    old_password = PasswordField(_l("原密码"), validators=[DataRequired(_l("请填写原密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码")), Length(MIN_LENGTH, 256, _l("新密码至少%(n)s位", n=MIN_LENGTH))],
                                 description=PASSWORD_RULE, render_kw={"autocomplete": "new-password"})


class ApplicantForm(FlaskForm):
    # SelectChoice, not tuples (deprecated in WTForms 3.3) nor a dict (lazy labels are not str)
    kind = SelectField(_l("申请人类型"), choices=[SelectChoice("person", _l("自然人（居民身份证）")),
                                              SelectChoice("enterprise", _l("法人/企业（统一社会信用代码）"))])
    id_number = StringField(_l("证件号码"), validators=[DataRequired(_l("请填写证件号码")), Length(max=32)],
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    name = StringField(_l("姓名/名称"), validators=[Optional(), Length(max=128)])
    phone = StringField(_l("手机号码"), validators=[Optional(), Length(max=20)])


class ProfileForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=64)])
    id_number = StringField(_l("居民身份证号码"), validators=[DataRequired(_l("请填写身份证号码")), Length(max=32)],
                            render_kw={"autocomplete": "off"})


class ReasonForm(FlaskForm):
    reasons = TextAreaField(_l("理由"), validators=[Length(max=4000)])


class RatingForm(FlaskForm):
    level = RadioField(_l("满意度"), choices=[SelectChoice(5, _l("非常满意")), SelectChoice(4, _l("满意")),
                                           SelectChoice(3, _l("基本满意")), SelectChoice(2, _l("不满意")),
                                           SelectChoice(1, _l("非常不满意"))], coerce=int,
                       validators=[InputRequired(_l("请选择评价等级"))])
    comment = TextAreaField(_l("意见建议（选填）"), validators=[Optional(), Length(max=1000)])


class AppointmentForm(FlaskForm):
    centre = SelectField(_l("服务中心"), validators=[DataRequired(_l("请选择服务中心"))])
    day = DateField(_l("日期"), validators=[DataRequired(_l("请选择日期"))])
    slot = SelectField(_l("时段"), validators=[DataRequired(_l("请选择时段"))])
    service_code = SelectField(_l("办理事项（选填）"), validators=[Optional()])


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)])
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=64)])
    password = PasswordField(_l("初始密码"), validators=[Optional(), Length(MIN_LENGTH, 256, _l("密码至少%(n)s位", n=MIN_LENGTH))],
                             description=PASSWORD_RULE, render_kw={"autocomplete": "new-password"})
    centre = SelectField(_l("所属中心"), validators=[Optional()])
    roles = SelectMultipleField(_l("角色"), validators=[DataRequired(_l("请至少选择一个角色"))])
    phone = StringField(_l("手机号码"), validators=[Optional(), Length(max=20)])
    active = BooleanField(_l("启用"), default=True)


class TokenForm(FlaskForm):
    name = StringField(_l("令牌用途"), validators=[DataRequired(_l("请填写用途")), Length(max=64)])


class FollowUpForm(FlaskForm):
    resolution = TextAreaField(_l("回访整改情况"), validators=[DataRequired(_l("请填写回访整改情况")), Length(max=4000)])


class AppealDecisionForm(FlaskForm):
    decision = RadioField(_l("复核结论"), choices=[SelectChoice("uphold", _l("申诉成立（该评价不计入满意度统计）")),
                                               SelectChoice("reject", _l("申诉不成立"))],
                          validators=[InputRequired(_l("请选择复核结论"))])
    reasons = TextAreaField(_l("复核意见"), validators=[DataRequired(_l("请写明复核意见")), Length(max=2000)])


class ExtendForm(FlaskForm):
    days = IntegerField(_l("延长工作日数"), validators=[InputRequired(_l("请填写天数")), NumberRange(1, 60)])
    reason = TextAreaField(_l("延长理由"), validators=[DataRequired(_l("请填写延长理由")), Length(max=4000)])
