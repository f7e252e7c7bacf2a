"""居住证明申请表 (residence certificate application form).

字段名是数据的键：申请数据、证照（documents.py）与示例数据（plugin.py 的 ``example``）都用它。
"""
from wtforms import DateField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from core.api import today

#: 社区（编码与核心演示数据的社区便民服务站一致）。value → 中文名称。
COMMUNITIES = {"C011": "丹凤街社区", "C012": "估衣廊社区", "C021": "大行宫社区", "C031": "姚坊门社区"}
HOUSING = {"own": "自有住房", "rent": "租赁住房", "relative": "借住亲友住房", "dormitory": "单位宿舍"}
PURPOSES = {"residence_permit": "申领居住证", "school": "子女入学", "employment": "就业",
            "social_security": "社保医保", "other": "其他"}


class ResidenceForm(Form):
    community = SelectField("所在社区", choices=COMMUNITIES, validators=[DataRequired("请选择所在社区")])
    address = StringField("居住地址", validators=[DataRequired("请填写居住地址"), Length(5, 200)],
                          description="写到门牌号，如：尧佳路8号3栋502室")
    since = DateField("起始居住日期", format="%Y-%m-%d",
                      validators=[DataRequired("请填写起始居住日期（年-月-日）")])
    housing = SelectField("住房性质", choices=HOUSING, validators=[DataRequired("请选择住房性质")])
    purpose = SelectField("证明用途", choices=PURPOSES, validators=[DataRequired("请选择证明用途")])
    purpose_other = StringField("其他用途说明", validators=[Length(max=100)],
                                description="用途选“其他”时必填")
    remarks = TextAreaField("情况说明", validators=[Optional(), Length(max=500)])

    def validate_since(self, field):
        if field.data and field.data > today():
            raise ValidationError("起始居住日期不能晚于今天")

    def validate_purpose_other(self, field):
        if self.purpose.data == "other" and not (field.data or "").strip():
            raise ValidationError("用途选“其他”时，请说明具体用途")
