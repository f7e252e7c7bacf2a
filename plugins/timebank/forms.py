"""Volunteer certification application (志愿者认证申请)."""
from wtforms import Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

CATEGORIES = [("housekeeping", "家政服务"), ("nursing", "护理照料"), ("companionship", "陪伴聊天"),
              ("errands", "代办跑腿"), ("repairs", "维修服务"), ("other", "其他")]
COMMUNITIES = [("C011", "丹凤街社区"), ("C012", "估衣廊社区"), ("C021", "大行宫社区"),
               ("C031", "姚坊门社区")]


class VolunteerForm(Form):
    community = SelectField("所在社区", choices=COMMUNITIES, validators=[DataRequired("请选择社区")])
    categories = SelectMultipleField("可提供的服务类别", choices=CATEGORIES,
                                     validators=[DataRequired("请至少选择一类服务")])
    skills = TextAreaField("技能特长", validators=[DataRequired("请填写技能特长"), Length(2, 500)])
    availability = StringField("可服务时间", validators=[DataRequired("请填写可服务时间"), Length(2, 100)],
                               description="如：工作日晚上、周末全天")
