"""Applicants (申请人): find or register persons and enterprises by validated identifiers."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.errors import InvalidInput
from core.platform.identifiers import (ascii_resident_id, normalise_phone, to_ascii, validate_credit_code,
                                       validate_resident_id)
from core.platform.models import Applicant

KINDS = {"person": "自然人", "enterprise": "法人/企业"}


def stored_number(kind: str, id_number: str) -> str:
    """The number as it is stored (ASCII, upper case): :class:`InvalidInput` for any other character."""
    if kind == "enterprise":
        return to_ascii(id_number, allowed="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", code="invalid_credit_code",
                        field="id_number", message="统一社会信用代码只能包含数字和大写字母（请勿使用全角或其他文字的字符）")
    return ascii_resident_id(id_number)


def find(session: Session, kind: str, id_number: str) -> Applicant | None:
    return session.scalar(select(Applicant).where(Applicant.kind == kind,
                                                  Applicant.id_number == stored_number(kind, id_number)))


def register(session: Session, *, kind: str, id_number: str, name: str, phone: str = "",
             actor: str) -> tuple[Applicant, list[str]]:
    """Find the applicant or create it; returns it with any non-blocking warnings."""
    name = (name or "").strip()
    warnings: list[str] = []
    if kind == "person":
        rid = validate_resident_id(id_number)
        number, extra = rid.number, {"birth_date": rid.birth_date, "gender": rid.gender,
                                     "region_code": rid.region_code}
        warnings += rid.warnings
    elif kind == "enterprise":
        number, extra = validate_credit_code(id_number), {}
    else:
        raise InvalidInput(f"申请人类型 {kind!r} 未知", code="invalid_applicant_kind", field="kind")
    if not name:
        raise InvalidInput("请填写申请人姓名或名称", code="name_required", field="name")
    if len(name) > 128:
        raise InvalidInput("姓名或名称过长", code="name_too_long", field="name")
    phone = normalise_phone(phone) if (phone or "").strip() else ""
    existing = find(session, kind, number)
    if existing is not None:
        if existing.name != name:
            warnings.append(f"登记的姓名为“{existing.name}”，与输入的“{name}”不一致，请核对证件")
        if phone and existing.phone != phone:
            existing.phone = phone
        return existing, warnings
    applicant = Applicant(kind=kind, id_number=number, name=name, phone=phone, **extra)
    session.add(applicant)
    session.flush()
    audit.record(session, actor=actor, action="applicant_registered", object_type="applicant",
                 object_id=applicant.id, subject=number, data={"kind": kind})
    return applicant, warnings
