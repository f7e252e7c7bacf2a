"""Applicants (申请人): find or register persons and enterprises by validated identifiers.

Registering someone already known never changes their contact data: the phone number is
where SMS login codes and notices go, so overwriting it would hand over the portal account.
Changing it is its own action (:func:`change_phone`): a counter worker, the person present
with their ID (re-checked against the record), audited, and the old number is told.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.jobs import outbox
from core.platform import audit
from core.platform.errors import Forbidden, NotFound
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
    return session.scalar(select(Applicant).where(Applicant.id_number_index == stored_number(kind, id_number),
                                                  Applicant.kind == kind))


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
            warnings.append("登记的手机号码与输入的不一致，未作修改；如需变更，请申请人本人持证件到窗口办理“变更手机号码”")
        return existing, warnings
    applicant = Applicant(kind=kind, id_number=number, name=name, phone=phone, **extra)
    session.add(applicant)
    session.flush()
    audit.record(session, actor=actor, action="applicant_registered", object_type="applicant",
                 object_id=applicant.id, subject=number, data={"kind": kind})
    return applicant, warnings


def change_phone(session: Session, *, applicant_id: int, id_number: str, phone: str, user) -> Applicant:
    """Change a person's phone at the counter: ``user`` must be a counter worker, ``id_number``
    the number read from the ID the person shows (must match the record). Audited; the old
    number gets an SMS saying the number was changed (so a takeover does not go unnoticed)."""
    from core.platform.models import Role
    if user is None or not getattr(user, "active", False) or not user.has_role(Role.COUNTER):
        raise Forbidden("只有全科社工可以在窗口为申请人变更手机号码", code="forbidden_role")
    applicant = session.get(Applicant, applicant_id, with_for_update=True)
    if applicant is None:
        raise NotFound("申请人不存在", code="applicant_not_found")
    if applicant.kind != "person":
        raise InvalidInput("企业的联系电话请在企业信息中维护", code="invalid_applicant_kind", field="kind")
    if not (id_number or "").strip():
        raise InvalidInput("请核验申请人本人的身份证件", code="identity_check_required", field="id_number")
    if validate_resident_id(id_number).number != applicant.id_number:
        raise Forbidden("出示的证件与申请人不一致，不能变更手机号码", code="recipient_mismatch")
    new = normalise_phone(phone)
    old = applicant.phone or ""
    if new == old:
        return applicant
    applicant.phone = new
    session.flush()
    from core.platform.identifiers import mask_phone
    audit.record(session, actor=f"user:{user.id}", action="applicant_phone_changed", object_type="applicant",
                 object_id=applicant.id, subject=applicant.id_number,
                 data={"old": mask_phone(old), "new": mask_phone(new), "identity_checked": True,
                       "centre_id": user.centre_id})
    from core.people.walk_ins import link_by_phone
    link_by_phone(session, applicant, actor=f"user:{user.id}")   # now verified: walk-ins join the portal
    if old:
        outbox.add(session, event="phone_changed", recipient_kind="applicant", recipient=old,
                   subject="手机号码已变更",
                   body=f"您在政务服务中心登记的手机号码已于窗口变更为{mask_phone(new)}。如非本人办理，请尽快持身份证件到服务中心处理。")
    return applicant
