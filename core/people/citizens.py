"""Portal accounts (市民账户): real-name registration links a phone account to an applicant.

The person states name and resident ID; the ID is validated. An applicant already known
with another phone, or already linked to another account, cannot be claimed online —
that person must have their identity checked at a counter (remote face verification will
lift this once it exists).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.people import applicants, walk_ins
from core.platform import audit
from core.platform.errors import Conflict, Forbidden, InvalidState
from core.platform.models import Citizen


def link_applicant(session: Session, citizen: Citizen, *, name: str, id_number: str) -> Citizen:
    citizen = session.get(Citizen, citizen.id)
    if citizen.applicant_id is not None:
        raise InvalidState("已完成实名登记", code="already_linked")
    existing = applicants.find(session, "person", (id_number or "").strip().upper())
    if existing is not None:
        other = session.scalar(select(Citizen).where(Citizen.applicant_id == existing.id,
                                                     Citizen.id != citizen.id))
        if other is not None:
            raise Conflict("该身份证号码已绑定其他手机号，请到窗口办理变更", code="applicant_taken")
        if existing.phone and existing.phone != citizen.phone:
            raise Forbidden("该身份证号码登记的手机号与本账户不一致，请到窗口核验身份",
                            code="phone_mismatch")
    applicant, _warnings = applicants.register(
        session, kind="person", id_number=id_number, name=name, phone=citizen.phone,
        actor=f"citizen:{citizen.id}")
    if existing is not None and existing.name != (name or "").strip():
        raise Forbidden("姓名与登记信息不一致，请核对", code="name_mismatch")
    citizen.applicant_id = applicant.id
    citizen.name = applicant.name
    audit.record(session, actor=f"citizen:{citizen.id}", action="citizen_linked",
                 object_type="citizen", object_id=citizen.id, subject=applicant.id_number)
    session.flush()
    walk_ins.link_walk_ins(session, citizen, actor=f"citizen:{citizen.id}")
    return citizen
