"""Where this plugin's rules come from (LAW.md): one :class:`core.api.Citation` per rule, shown
wherever the rule acts — a field's hint, a check's reason, a letter. Where the statutes the
system holds are silent, :meth:`Citation.silent` says so instead of inventing a rule.
"""
from __future__ import annotations

from core.api import Citation

REGULATION = "市场主体登记管理条例"
CIVIL_CODE = "中华人民共和国民法典"
FOOD_SAFETY_LAW = "中华人民共和国食品安全法"
LICENSING_LAW = "中华人民共和国行政许可法"
#: The State Council's 2020 guidance on notification-commitment (LAW.md § 告知承诺制).
COMMITMENT_GUIDANCE = "国务院办公厅关于全面推行证明事项告知承诺制的指导意见"

#: A 个体工商户 may, but need not, use a name; its registration items include the operator's
#: name and residence and the business premises.
NAME_OPTIONAL = Citation(REGULATION, "第八条", "个体工商户可以使用名称，也可以不使用名称；"
                                           "登记事项包括经营者姓名、住所和经营场所")
OPERATOR_RESIDENCE = Citation(REGULATION, "第八条", "个体工商户登记经营者的住所")
#: 16–17-year-olds living on their own labour income count as having full capacity.
FULL_CAPACITY = Citation(CIVIL_CODE, "第十八条", "十六周岁以上的未成年人，以自己的劳动收入为主要生活来源的，"
                                             "视为完全民事行为能力人")
#: Selling only prepackaged food needs a filing, not a licence.
FOOD_FILING = Citation(FOOD_SAFETY_LAW, "第三十五条", "仅销售预包装食品的，不需要取得许可，但应当备案")
#: Verification after issuing: correction within a period, revocation only when not corrected
#: (or the commitment was false), and a credit record.
RECTIFY = Citation(COMMITMENT_GUIDANCE, "（国办发〔2020〕42号）",
                   "核查发现不符合承诺条件的，责令限期整改")
NOT_RECTIFIED = Citation(COMMITMENT_GUIDANCE, "（国办发〔2020〕42号）",
                         "逾期未整改或整改后仍不符合条件的，依法撤销，并记入信用记录")
FALSE_COMMITMENT = Citation(LICENSING_LAW, "第六十九条", "以欺骗等不正当手段取得的行政许可，应当予以撤销")
CREDIT_RECORD = Citation(COMMITMENT_GUIDANCE, "（国办发〔2020〕42号）", "违反承诺的，记入信用记录")
#: No period is set by the guidance: the inspecting department fixes it in the order.
RECTIFY_PERIOD = Citation.silent("指导意见未规定整改期限的长短，由核查部门在整改通知书中确定")
#: Listing as abnormal after a broken premises commitment: its own rules are not among the
#: statutes this system holds.
ABNORMAL_LISTING = Citation.silent("列入经营异常名录的具体规定不在本系统收录的法规之内，以登记机关的规定为准")
#: The code is assigned by the national code system, not made up locally.
CREDIT_CODE_STANDARD = Citation("法人和其他组织统一社会信用代码编码规则（GB 32100-2015）", "",
                                "统一社会信用代码由赋码系统统一赋予")
