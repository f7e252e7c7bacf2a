"""The forms of the staff pages and of the applicant's online objection (Flask-WTF, with the
CSRF token; Chinese labels and messages)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
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
)

from core.api import today
from plugins.legal_aid.domain.law import TERMINATION_REASONS, URGENT_REASONS


class DecideForm(FlaskForm):
    grant = RadioField("决定", choices=[SelectChoice("yes", "给予法律援助"), SelectChoice("no", "不予法律援助")],
                       validators=[InputRequired("请选择决定")])
    reasons = TextAreaField("理由（不予法律援助时必填；以第二十四条“其他原因”给予时也须写明；将写入决定书）",
                            validators=[Optional(), Length(max=4000)])


class UrgentForm(FlaskForm):
    reason = SelectField("紧急情形", choices=[SelectChoice(k, v) for k, v in URGENT_REASONS.items()])
    deadline_on = DateField("时效或期限届满日", validators=[Optional()])
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    # Any id is accepted here; the service checks it against the roster and conflicts.
    lawyer_id = SelectField("律师（留空则按在办案件数自动选择）", choices=[], validate_choice=False,
                            validators=[Optional()])
    reason = TextAreaField("改派理由（改派时必填）", validators=[Optional(), Length(max=1000)])


class TerminateForm(FlaskForm):
    reason = SelectField("终止理由（第四十八条）", choices=[SelectChoice(k, v) for k, v in TERMINATION_REASONS.items()])
    basis = StringField("所依据的法律法规及条文（选“其他情形”时必填）", validators=[Optional(), Length(max=200)])
    facts = TextAreaField("查明的事实", validators=[DataRequired("请写明查明的事实"), Length(max=4000)])
    found_on = DateField("发现日期", default=today, validators=[DataRequired("请填写发现日期")])


class ObjectionForm(FlaskForm):
    grounds = TextAreaField("异议理由", validators=[DataRequired("请填写异议理由"), Length(max=4000)])
    received_on = DateField("收到异议日期", default=today, validators=[DataRequired("请填写收到日期")])


class ObjectionDecisionForm(FlaskForm):
    outcome = RadioField("审查决定", choices=[SelectChoice("uphold", "维持原决定"), SelectChoice("correct", "责令改正")],
                         validators=[InputRequired("请选择审查决定")])
    reasons = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=4000)])


class CorrectionForm(FlaskForm):
    note = TextAreaField("改正说明", validators=[Optional(), Length(max=2000)])


class LawyerForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    licence_no = StringField("执业证号（17位）", validators=[DataRequired("请填写执业证号"), Length(max=17)])
    firm = StringField("律师事务所", validators=[DataRequired("请填写律师事务所"), Length(max=128)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    max_active = IntegerField("同时承办上限", default=10, validators=[InputRequired(), NumberRange(1, 100)])


class ConflictForm(FlaskForm):
    party_name = StringField("利益冲突当事人", validators=[DataRequired("请填写当事人"), Length(max=128)])
    note = StringField("说明", validators=[Optional(), Length(max=200)])


class ActiveForm(FlaskForm):
    active = BooleanField("在册")
    reason = StringField("原因", validators=[DataRequired("请填写原因"), Length(max=500)])


class StandardsForm(FlaskForm):
    file = FileField("经济困难标准文件（CSV）")


class CitizenObjectionForm(FlaskForm):
    grounds = TextAreaField("异议理由", validators=[DataRequired("请填写异议理由"), Length(max=4000)])
