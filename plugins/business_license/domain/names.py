"""Rules for individual-business names (个体工商户名称): 字号 + 行业 + 组织形式.

Pure functions, shared by the form (field errors), the checks (evidence) and the registry
(the key the conflict lookup uses). Sources: 《市场主体登记管理条例》《企业名称登记管理规定》
as applied to individual businesses — names use standard Chinese characters only, may not
contain the names of the state, parties, organs of power or the army, may not mislead the
public, and may not use words reserved for enterprises (公司, 有限, 集团 …).
"""
from __future__ import annotations

import re
import unicodedata

#: Words that may not appear anywhere in a name, with the reason shown to the applicant.
FORBIDDEN: dict[str, str] = {
    **{w: "不得使用国家或地区名称" for w in ("中国", "中华", "全国", "国家", "国际", "联合国")},
    **{w: "不得使用党政军机关、群团组织名称或部队番号"
       for w in ("中央", "国务院", "人大", "政府", "政协", "法院", "检察院", "公安", "部队", "军区",
                 "武警", "共产党", "党委", "妇联", "共青团")},
    **{w: "不得使用可能对公众造成欺骗或者误解的文字"
       for w in ("特供", "专供", "国宾", "国宴", "官方", "国营", "国有", "驰名", "老字号")},
    **{w: "个体工商户名称不得使用企业组织形式用语"
       for w in ("公司", "有限", "股份", "集团", "企业", "合作社", "控股")},
    **{w: "不得使用有损社会公共利益或违背公序良俗的文字" for w in ("赌场", "博彩", "黑社会", "色情")},
}

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """NFKC (full-width → half-width) and no spaces: what people mean when they type a name."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def compose(trade_name: str, industry: str, name_form: str) -> str:
    """The name's own part: 字号 + 行业 + 组织形式 (the district prefix is added on the licence)."""
    return clean(trade_name) + clean(industry) + clean(name_form)


def name_key(name: str) -> str:
    """The key the register is searched by (one name, however it was typed)."""
    return clean(name)


def forbidden_words(text: str) -> list[tuple[str, str]]:
    """Forbidden words in ``text`` with their reasons, in the order they appear."""
    text = clean(text)
    found = [(text.find(word), word, reason) for word, reason in FORBIDDEN.items() if word in text]
    return [(word, reason) for _, word, reason in sorted(found)]


def forbidden_message(text: str) -> str | None:
    hits = forbidden_words(text)
    if not hits:
        return None
    by_reason: dict[str, list[str]] = {}
    for word, reason in hits:
        by_reason.setdefault(reason, []).append(f"“{word}”")
    return "；".join(f"含有{'、'.join(words)}，{reason}" for reason, words in by_reason.items())


def chinese_only_message(text: str, what: str) -> str | None:
    """Names use standard Chinese characters: no letters, digits or punctuation."""
    text = clean(text)
    if text and not _CJK.match(text):
        bad = sorted({c for c in text if not _CJK.match(c)})
        return f"{what}只能使用规范汉字，不能含有“{''.join(bad)}”"
    return None


def full_name(district: str, own_name: str) -> str:
    """The registered name as printed on the licence: 行政区划 + 字号 + 行业 + 组织形式;
    empty for a business that uses no name (市场主体登记管理条例第八条)."""
    return f"{district}{own_name}" if own_name else ""


def register_key(own_name: str) -> str | None:
    """The register's ``name_key``: ``None`` without a name, so that any number of nameless
    businesses pass the unique index on the names of active businesses."""
    return name_key(own_name) or None


NO_NAME = "（未使用名称）"


def display_name(name: str, operator_name: str = "") -> str:
    """What lists show for a business: its name, or that it uses none and who operates it."""
    if name:
        return name
    return f"{NO_NAME}经营者：{operator_name}" if operator_name else NO_NAME
