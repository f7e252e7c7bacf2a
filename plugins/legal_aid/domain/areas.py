"""Names of administrative divisions (行政区划, GB/T 2260) for what citizens read: a letter
says “江苏省自2025年1月1日起施行的经济困难标准”, never “320000地区”.

The provinces are all listed; below them only the reference district's city (南京市) and its
districts are. A code not listed is named by the nearest listed division above it
(“江苏省行政区划代码320999所指地区” only when nothing above it is known either).
"""
from __future__ import annotations

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
#: Cities (xxxx00) and districts (xxxxxx) below the province that are listed.
LOCAL = {
    "320100": "南京市", "320102": "玄武区", "320104": "秦淮区", "320105": "建邺区",
    "320106": "鼓楼区", "320111": "浦口区", "320113": "栖霞区", "320114": "雨花台区",
    "320115": "江宁区", "320116": "六合区", "320117": "溧水区", "320118": "高淳区",
}


def area_name(code: str) -> str:
    """``320113`` → 江苏省南京市栖霞区, ``320000`` → 江苏省; "" for no code."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return f"行政区划代码{code}所指地区" if code else ""
    province = PROVINCES.get(code[:2], "")
    if code.endswith("0000"):
        return province or f"行政区划代码{code}所指地区"
    city = LOCAL.get(code[:4] + "00", "")
    if code.endswith("00"):
        return province + city if city else f"{province}行政区划代码{code}所指地区"
    district = LOCAL.get(code, "")
    if district and city:
        return province + city + district
    return f"{province}{city}行政区划代码{code}所指地区"
