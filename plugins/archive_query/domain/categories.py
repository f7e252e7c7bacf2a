"""The five archive categories (档案类别): their persons, their own fields, their CSV columns.

Each category is declared once here; the importer, the search pages, the certificate and the
README all read these declarations, so a category's columns cannot drift between them.

A record always has the common columns (全宗号, 案卷号, 件号, date, issuing body) and names
the persons it concerns by resident ID (one or two *roles* per category); the category's own
values live in the record's JSON ``fields`` column and are validated by :func:`clean_fields`.
``public=False`` marks a field the archive keeps for itself (e.g. internal remarks): it is
never shown to a requester on a certificate or in the citizen's own view.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.api import InvalidInput, today


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"            # "text" | "date" | "int" | "choice"
    required: bool = True
    choices: tuple[str, ...] = ()
    max_len: int = 100
    public: bool = True


@dataclass(frozen=True)
class PersonRole:
    """A person a record concerns: CSV columns ``<role>_id_number`` and ``<role>_name``."""

    role: str
    label: str
    required: bool = True


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    roles: tuple[PersonRole, ...]
    fields: tuple[FieldSpec, ...]
    issuing_example: str = ""
    #: The result certificate names every person of the record in full, as the record has
    #: them: a marriage record proves a relation between two people, and a certificate with
    #: one spouse masked proves nothing in a property or inheritance matter. Lists and the
    #: public verification page stay masked.
    certificate_names_everyone: bool = False

    @property
    def person_columns(self) -> list[str]:
        out = []
        for role in self.roles:
            out += [f"{role.role}_id_number", f"{role.role}_name"]
        return out

    @property
    def columns(self) -> list[str]:
        """The CSV header, in this order (documented in the README)."""
        return COMMON_COLUMNS + self.person_columns + [f.name for f in self.fields]

    def role_label(self, role: str) -> str:
        return next((r.label for r in self.roles if r.role == role), role)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


#: Columns every category file starts with.
COMMON_COLUMNS = ["fonds_no", "file_no", "item_no", "record_date", "issuing_body"]
COMMON_LABELS = {"fonds_no": "全宗号", "file_no": "案卷号", "item_no": "件号",
                 "record_date": "形成日期", "issuing_body": "形成机关"}
REMARKS = FieldSpec("remarks", "馆内备注", required=False, max_len=200, public=False)

CATEGORIES: dict[str, Category] = {c.code: c for c in (
    Category(
        "family_planning", "计生档案",
        roles=(PersonRole("holder", "持证人"), PersonRole("spouse", "配偶", required=False)),
        fields=(
            FieldSpec("document_type", "证件类型", "choice",
                      choices=("独生子女父母光荣证", "生育服务证", "节育手术证明", "计划生育奖励审批表")),
            FieldSpec("certificate_no", "证件编号", max_len=40),
            FieldSpec("children", "子女数", "int"),
            REMARKS,
        ),
        issuing_example="玄武区计划生育委员会",
    ),
    Category(
        "marriage", "婚姻档案",
        roles=(PersonRole("male", "男方"), PersonRole("female", "女方")),
        fields=(
            FieldSpec("registration_type", "登记类型", "choice",
                      choices=("结婚登记", "离婚登记", "补发结婚证", "补发离婚证", "撤销婚姻登记")),
            FieldSpec("certificate_no", "证书字号", max_len=40),
            REMARKS,
        ),
        issuing_example="玄武区民政局婚姻登记处",
        certificate_names_everyone=True,
    ),
    Category(
        "employment", "招工档案",
        roles=(PersonRole("person", "招工人员"),),
        fields=(
            FieldSpec("employer", "招工单位", max_len=100),
            FieldSpec("employment_form", "用工形式", "choice",
                      choices=("全民所有制固定工", "全民合同制工", "集体所有制职工", "农民合同制工", "临时工")),
            FieldSpec("position", "工种岗位", max_len=60),
            FieldSpec("approval_no", "招工审批表编号", max_len=40),
            REMARKS,
        ),
        issuing_example="玄武区劳动局",
    ),
    Category(
        "appointment", "人事任免档案",
        roles=(PersonRole("person", "任免人员"),),
        fields=(
            FieldSpec("action", "任免类别", "choice", choices=("任命", "免职", "聘任", "解聘")),
            FieldSpec("position", "职务", max_len=60),
            FieldSpec("unit", "任职单位", max_len=100),
            FieldSpec("document_no", "任免文号", max_len=40),
            REMARKS,
        ),
        issuing_example="中共玄武区委组织部",
    ),
    Category(
        "veteran", "退伍军人档案",
        roles=(PersonRole("person", "退役军人"),),
        fields=(
            FieldSpec("enlist_date", "入伍时间", "date"),
            FieldSpec("discharge_date", "退役时间", "date"),
            FieldSpec("discharge_type", "退役方式", "choice", choices=("退伍", "复员", "转业")),
            FieldSpec("military_unit", "原部队代号", max_len=40),
            FieldSpec("resettlement", "安置去向", required=False, max_len=100),
            REMARKS,
        ),
        issuing_example="玄武区人民武装部",
    ),
)}

#: Chinese names accepted wherever a category code is (``quanke archive import 婚姻档案 …``).
ALIASES = {**{c.label: c.code for c in CATEGORIES.values()},
           **{c.label.removesuffix("档案"): c.code for c in CATEGORIES.values()}}
CHOICES = [(c.code, c.label) for c in CATEGORIES.values()]

_REF_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,31}$")


def category(code: str) -> Category:
    """The category for a code or its Chinese name; a clear error for anything else."""
    raw = (code or "").strip()
    found = CATEGORIES.get(raw) or CATEGORIES.get(ALIASES.get(raw, ""))
    if found is None:
        known = "、".join(f"{c.code}（{c.label}）" for c in CATEGORIES.values())
        raise InvalidInput(f"档案类别“{raw}”不存在，可选：{known}", code="unknown_category",
                           field="category")
    return found


def parse_date(value: str, label: str, today_: dt.date | None = None) -> dt.date:
    """``YYYY-MM-DD`` (also ``YYYY/MM/DD`` and ``YYYY.MM.DD`` as old ledgers write it);
    ``today_`` saves looking the date up again for every row of an import."""
    text = (value or "").strip().replace("/", "-").replace(".", "-")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}“{value}”不是有效日期（应为 YYYY-MM-DD）") from None
    if day.year < 1900 or day > (today_ or today()):
        raise ValueError(f"{label}“{value}”不合理（应在1900年至今之间）")
    return day


def check_reference_part(value: str, label: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValueError(f"缺少{label}")
        return ""
    if not _REF_PART.match(text):
        raise ValueError(f"{label}“{text}”格式不正确（只能含字母、数字和连字符，最长32位）")
    return text


def clean_fields(cat: Category, raw: dict[str, str], today_: dt.date | None = None) -> dict:
    """Validate a category's own values; return them typed for the JSON column.

    Raises ValueError with a Chinese reason naming the first bad field.
    """
    out: dict = {}
    for spec in cat.fields:
        value = (raw.get(spec.name) or "").strip()
        if not value:
            if spec.required:
                raise ValueError(f"缺少{spec.label}")
            continue
        if spec.kind == "date":
            out[spec.name] = parse_date(value, spec.label, today_).isoformat()
        elif spec.kind == "int":
            if not (value.isascii() and value.isdigit()) or int(value) > 50:
                raise ValueError(f"{spec.label}“{value}”应为0至50的整数")
            out[spec.name] = int(value)
        elif spec.kind == "choice":
            if value not in spec.choices:
                raise ValueError(f"{spec.label}“{value}”不在可选范围内（{'、'.join(spec.choices)}）")
            out[spec.name] = value
        else:
            if len(value) > spec.max_len:
                raise ValueError(f"{spec.label}过长（最多{spec.max_len}字）")
            out[spec.name] = value
    if cat.code == "veteran" and "enlist_date" in out and "discharge_date" in out \
            and out["discharge_date"] < out["enlist_date"]:
        raise ValueError("退役时间早于入伍时间")
    return out


def visible_fields(cat: Category, fields: dict) -> list[tuple[str, str]]:
    """(label, value) of the fields a requester may see, in declaration order."""
    return [(spec.label, str(fields[spec.name])) for spec in cat.fields
            if spec.public and spec.name in fields and fields[spec.name] not in (None, "")]
