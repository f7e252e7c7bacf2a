"""Volunteer certification application (志愿者认证申请单)."""
from wtforms import Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from plugins.timebank.domain.catalog import CATEGORIES, DEFAULT_KINDS
from plugins.timebank.domain.settings import DEFAULT_COMMUNITIES

COMMUNITIES = list(DEFAULT_COMMUNITIES)
# choices are {value: label} dicts: WTForms 3.3 deprecates lists of tuples


class VolunteerForm(Form):
    community = SelectField("所在社区", choices=dict(COMMUNITIES), validators=[DataRequired("请选择社区")])
    categories = SelectMultipleField("可提供的服务类别", choices=dict(CATEGORIES),
                                     validators=[DataRequired("请至少选择一类服务")])
    kinds = SelectMultipleField("擅长的服务内容", choices={c: n for c, _, n in DEFAULT_KINDS},
                                validators=[Optional()], description="可多选，便于匹配服务需求")
    skills = TextAreaField("技能特长", validators=[DataRequired("请填写技能特长"), Length(2, 500)])
    availability = StringField("可服务时间", validators=[DataRequired("请填写可服务时间"), Length(2, 100)],
                               description="如：工作日晚上、周末全天")
