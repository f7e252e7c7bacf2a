"""The archive query form (档案查询申请) and the archive staff's own forms.

``ArchiveQueryForm`` is a plain WTForms form: the core validates applications with it.
The staff search and settings forms are Flask-WTF forms (CSRF) used by the plugin's pages.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.api import InvalidInput, validate_resident_id

from plugins.archive_query.domain.basis import INVESTIGATORS, RELATION_LABELS, RELATIONS, relation_error
from plugins.archive_query.domain.categories import CHOICES

BASES = [("self", "本人查询"), ("attorney", "受托查询（附经公证的委托书）"),
         ("deceased_relative", "查询已故亲属档案（附死亡证明及亲属关系证明）"),
         ("investigation", "法院/律师调查（附调查函；律师另附法院或案件文书）")]
BASIS_LABELS = dict(BASES)   # {value: label}: the form's choices (WTForms 3.3 deprecates tuples)
NOT_APPLICABLE = ("", "（不适用）")


def resident_id(form, field):
    """The subject's resident ID must be a valid one (checksum, birth date) — in Chinese."""
    try:
        field.data = validate_resident_id(field.data or "").number
    except InvalidInput as exc:
        raise ValidationError(exc.message) from None


class ArchiveQueryForm(Form):
    category = SelectField("档案类别", choices=dict(CHOICES), validators=[DataRequired("请选择档案类别")],
                           invalid_choice_message="档案类别不存在，请从计生、婚姻、招工、人事任免、退伍军人档案中选择")
    subject_name = StringField("档案当事人姓名", validators=[DataRequired("请填写当事人姓名"),
                                                      Length(1, 30, "当事人姓名最多30字")])
    subject_id_number = StringField("档案当事人身份证号", validators=[
        DataRequired("请填写当事人身份证号"), resident_id])
    basis = SelectField("查询依据", choices=BASIS_LABELS, validators=[DataRequired("请选择查询依据")],
                        invalid_choice_message="查询依据无效，请选择本人查询、受托查询、已故亲属或调查函")
    purpose = TextAreaField("查询用途", validators=[DataRequired("请填写查询用途"),
                                                Length(2, 200, "查询用途应为2至200字")])
    # Asked only for some bases; the inline validators below say when. ``default=""`` so that
    # an application without them (API, older clients) reads as "not given", not as a bad choice.
    relation = SelectField("申请人是已故当事人的（近亲属关系）", choices=dict([NOT_APPLICABLE] + list(RELATIONS)),
                           default="", validate_choice=False)
    investigator = SelectField("调查人", choices=dict([NOT_APPLICABLE] + list(INVESTIGATORS)), default="",
                               invalid_choice_message="调查人只能是人民法院或律师")
    case_number = StringField("案号", default="", validators=[
        Length(max=60, message="案号最多60字")])

    def validate_relation(self, field):
        """近亲属 only (民法典 Art. 1045), and only where the basis is a deceased relative."""
        value = (field.data or "").strip()
        if self.basis.data != "deceased_relative":
            if value:
                raise ValidationError("只有查询已故亲属档案时才选择亲属关系")
            return
        if not value:
            raise ValidationError("查询已故亲属档案，请选择申请人与档案当事人的近亲属关系")
        if value not in RELATION_LABELS:
            raise ValidationError(relation_error(value))

    def validate_investigator(self, field):
        if self.basis.data != "investigation":
            if field.data:
                raise ValidationError("只有法院或律师调查时才选择调查人")
        elif not field.data:
            raise ValidationError("法院或律师调查，请选择调查人是人民法院还是律师")

    def validate_case_number(self, field):
        field.data = (field.data or "").strip()
        if self.investigator.data == "lawyer" and self.basis.data == "investigation":
            if not field.data:
                raise ValidationError("律师调查须填写案号（立案通知书、法院调查令或委托代理合同上载明的案号）")
        elif field.data:
            raise ValidationError("只有律师调查时才填写案号")


# -- staff pages (Flask-WTF: CSRF) ----------------------------------------------------------------

class SearchForm(FlaskForm):
    mode = SelectField("检索方式", choices={"id": "按身份证号（精确）", "name": "按姓名和出生年份（模糊）"},
                       invalid_choice_message="检索方式无效")
    id_number = StringField("身份证号", validators=[Optional(), Length(max=18, message="身份证号应为18位")])
    name = StringField("姓名", validators=[Optional(), Length(max=30, message="姓名最多30字")])
    birth_year = IntegerField("出生年份", validators=[Optional(), NumberRange(1900, 2100, "出生年份应为四位数字")])
    category = SelectField("档案类别", choices={"": "全部类别", **dict(CHOICES)},
                           invalid_choice_message="档案类别不存在")
    reason = StringField("查档事由", validators=[DataRequired("请填写查档事由（如申请编号、来函编号）"),
                                             Length(2, 200, "查档事由应为2至200字")])


class SettingsForm(FlaskForm):
    auto_approve_self = BooleanField("本人查询且身份已核验的，自动审批办结")
    note = TextAreaField("调整原因", validators=[DataRequired("请填写调整原因"),
                                             Length(2, 500, "调整原因应为2至500字")])
