"""The archive query form (档案查询申请)."""
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

CATEGORIES = [
    ("family_planning", "计生档案"), ("marriage", "婚姻档案"), ("employment", "招工档案"),
    ("appointment", "人事任免档案"), ("veteran", "退伍军人档案"),
]
BASES = [("self", "本人查询"), ("attorney", "受托查询（附委托书）"),
         ("deceased_relative", "已故亲属档案（附死亡证明及亲属关系证明）"),
         ("investigation", "法院/律师调查（附调查函）")]


class ArchiveQueryForm(Form):
    category = SelectField("档案类别", choices=CATEGORIES, validators=[DataRequired("请选择档案类别")])
    subject_name = StringField("档案当事人姓名", validators=[DataRequired("请填写当事人姓名"), Length(1, 30)])
    subject_id_number = StringField("档案当事人身份证号", validators=[
        DataRequired("请填写当事人身份证号"), Length(18, 18, "身份证号应为18位")])
    basis = SelectField("查询依据", choices=BASES, validators=[DataRequired("请选择查询依据")])
    purpose = TextAreaField("查询用途", validators=[DataRequired("请填写查询用途"), Length(2, 200)])
