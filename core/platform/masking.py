"""Sensitive values masked by type wherever they are shown (issue 18, PIPL Art. 51).

A service's form says which fields hold what (``ServiceDef.sensitive_fields``: field →
kind); fields named ``*id_number`` / ``*phone`` are identifiers whatever it says. Pages, API
responses, CSV and PDFs other than the certificate show :func:`mask_form`'s copy unless the
viewer's role needs the values and asks (the audited 查看完整信息).
"""
from __future__ import annotations

from core.platform.identifiers import mask_id, mask_name, mask_phone

#: kind → what it holds; "people" is a list of {name, id_number, phone, …} (family members).
KINDS = {"id_number": "身份证号码", "phone": "电话号码", "name": "姓名",
         "text": "需保护的文字（收入、案情等）", "people": "人员名单（姓名、证件号码）"}
HIDDEN = "（已隐去）"


def kind_of(name: str, declared: dict[str, str]) -> str | None:
    if name in declared:
        return declared[name]
    if name.endswith("id_number"):
        return "id_number"
    if name.endswith("phone"):
        return "phone"
    return None


def mask_value(kind: str, value):
    """``value`` as someone without the right to see it in full may see it."""
    if value in (None, "", [], {}):
        return value
    if kind == "id_number":
        return mask_id(str(value))
    if kind == "phone":
        return mask_phone(str(value))
    if kind == "name":
        return mask_name(str(value))
    if kind == "people" and isinstance(value, list):
        return [mask_form(p, {"name": "name"}) if isinstance(p, dict) else HIDDEN for p in value]
    return HIDDEN


def mask_form(data: dict | None, declared: dict[str, str]) -> dict:
    """A copy of form ``data`` with every sensitive value masked by its kind."""
    out = {}
    for key, value in (data or {}).items():
        kind = kind_of(key, declared)
        out[key] = mask_value(kind, value) if kind else value
    return out
