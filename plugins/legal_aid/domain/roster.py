"""The lawyer roster and assignments (指派, Art. 43: within 3 days of the decision to grant).

Choosing a lawyer: active, under their caseload limit, no conflict of interest, then the
lightest current caseload (ties: fewer assignments ever, then roster order), so work is
spread evenly. A conflict of interest (利益冲突) excludes the lawyer and every colleague of the
same firm (律师事务所 conflicts are firm-wide) when

* the firm declared that it acts or acted for the opposing party (``la_lawyer_conflicts``), or
* the firm holds an active legal-aid case for the opposing party, or against the applicant.

Every assignment, reassignment and roster change is audited in its transaction.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.api import (
    Applicant,
    Application,
    Conflict,
    InvalidInput,
    InvalidState,
    NotFound,
    local_date,
    record_audit,
)
from core.api import now as utcnow

from plugins.legal_aid.models import Assignment, Lawyer, LawyerConflict

LICENCE_RE = re.compile(r"^\d{17}$")
_PUNCT = re.compile(r"[\s（）()【】\[\]·.,，。、]")


@functools.lru_cache(maxsize=8192)
def norm(name: str) -> str:
    """Party and firm names compared without spaces, brackets or punctuation."""
    return _PUNCT.sub("", (name or "").strip()).lower()


def _text(value, what: str, *, max_len: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidInput(f"{what}应为文字", code="invalid_field")
    if required and not text:
        raise InvalidInput(f"请填写{what}", code="invalid_field")
    if len(text) > max_len:
        raise InvalidInput(f"{what}过长（最多{max_len}字）", code="invalid_field")
    return text


# -- the roster ------------------------------------------------------------------------------

def add_lawyer(session: Session, *, actor: str, name: str, licence_no: str, firm: str,
               phone: str = "", max_active: int = 10) -> Lawyer:
    name = _text(name, "律师姓名", max_len=64)
    firm = _text(firm, "律师事务所", max_len=128)
    licence = _text(licence_no, "律师执业证号", max_len=17)
    if not LICENCE_RE.match(licence):
        raise InvalidInput("律师执业证号应为17位数字", code="invalid_licence_no", field="licence_no")
    phone = _text(phone, "联系电话", max_len=20, required=False)
    if isinstance(max_active, bool) or not isinstance(max_active, int) or not 1 <= max_active <= 100:
        raise InvalidInput("同时承办案件上限应为1至100件", code="invalid_field", field="max_active")
    if session.scalar(select(Lawyer.id).where(Lawyer.licence_no == licence)) is not None:
        raise Conflict(f"执业证号 {licence} 已在名册中", code="lawyer_exists")
    lawyer = Lawyer(name=name, licence_no=licence, firm=firm, phone=phone, max_active=max_active)
    session.add(lawyer)
    session.flush()
    record_audit(session, actor=actor, action="la_lawyer_added", object_type="la_lawyer",
                 object_id=lawyer.id, data={"name": name, "firm": firm, "licence_no": licence,
                                            "max_active": max_active})
    return lawyer


def set_active(session: Session, lawyer_id: int, *, active: bool, actor: str, reason: str) -> Lawyer:
    lawyer = session.get(Lawyer, lawyer_id)
    if lawyer is None:
        raise NotFound("律师不存在", code="lawyer_not_found")
    reason = _text(reason, "原因", max_len=500)
    lawyer.active = bool(active)
    record_audit(session, actor=actor, action="la_lawyer_active" if active else "la_lawyer_inactive",
                 object_type="la_lawyer", object_id=lawyer.id, data={"reason": reason})
    return lawyer


def add_conflict(session: Session, lawyer_id: int, *, party_name: str, note: str = "",
                 actor: str) -> LawyerConflict:
    lawyer = session.get(Lawyer, lawyer_id)
    if lawyer is None:
        raise NotFound("律师不存在", code="lawyer_not_found")
    party = _text(party_name, "利益冲突当事人", max_len=128)
    note = _text(note, "说明", max_len=200, required=False)
    row = LawyerConflict(lawyer_id=lawyer.id, party_name=party, note=note)
    session.add(row)
    session.flush()
    record_audit(session, actor=actor, action="la_conflict_declared", object_type="la_lawyer",
                 object_id=lawyer.id, data={"party": party, "note": note})
    return row


# -- choosing ---------------------------------------------------------------------------------

def caseloads(session: Session) -> dict[int, tuple[int, int]]:
    """lawyer id → (active assignments, all assignments)."""
    rows = session.execute(select(
        Assignment.lawyer_id,
        func.sum(case((Assignment.status == "active", 1), else_=0)),
        func.count(Assignment.id)).group_by(Assignment.lawyer_id)).all()
    return {lawyer_id: (int(active or 0), int(total)) for lawyer_id, active, total in rows}


def conflicts(session: Session, lawyers: list[Lawyer], *, applicant_name: str,
              opposing_party: str, exclude_app: int | None = None) -> dict[int, str]:
    """lawyer id → why they may not take a case of ``applicant_name`` against ``opposing_party``."""
    opposing, applicant = norm(opposing_party), norm(applicant_name)
    firm_reason: dict[str, str] = {}
    if opposing:
        for conflict, lawyer in session.execute(
                select(LawyerConflict, Lawyer).join(Lawyer, Lawyer.id == LawyerConflict.lawyer_id)):
            if norm(conflict.party_name) == opposing:
                firm_reason.setdefault(norm(lawyer.firm), f"{lawyer.firm}（{lawyer.name}律师）曾为对方当事人"
                                       f"“{conflict.party_name}”提供法律服务")
    # Only the three columns that matter, for every active case (hundreds to a few thousand).
    stmt = (select(Lawyer.firm, Applicant.name, Application.form_data["opposing_party"].as_string())
            .join(Assignment, Assignment.lawyer_id == Lawyer.id)
            .join(Application, Application.id == Assignment.application_id)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .where(Assignment.status == "active"))
    if exclude_app is not None:
        stmt = stmt.where(Assignment.application_id != exclude_app)
    for firm, client, other_opposing in session.execute(stmt):
        key = norm(firm)
        if key in firm_reason:
            continue
        if opposing and norm(client) == opposing:
            firm_reason[key] = f"{firm}正在为对方当事人承办法律援助案件"
        elif applicant and norm(other_opposing or "") == applicant:
            firm_reason[key] = f"{firm}正在承办以申请人为对方当事人的案件"
    return {lw.id: firm_reason[norm(lw.firm)] for lw in lawyers if norm(lw.firm) in firm_reason}


def candidates(session: Session, app: Application, *, exclude: set[int] = frozenset()
               ) -> tuple[list[Lawyer], dict[int, str]]:
    """Lawyers who may take ``app``, best first, and why the others may not."""
    lawyers = list(session.scalars(select(Lawyer).where(Lawyer.active.is_(True)).order_by(Lawyer.id)))
    loads = caseloads(session)
    why = conflicts(session, lawyers, applicant_name=app.applicant.name,
                    opposing_party=(app.form_data or {}).get("opposing_party", ""), exclude_app=app.id)
    for lawyer in lawyers:
        if lawyer.id in exclude:
            why.setdefault(lawyer.id, "原承办律师")
        elif loads.get(lawyer.id, (0, 0))[0] >= lawyer.max_active:
            why.setdefault(lawyer.id, f"在办案件已达上限（{lawyer.max_active}件）")
    ok = [lw for lw in lawyers if lw.id not in why]
    ok.sort(key=lambda lw: (loads.get(lw.id, (0, 0))[0], loads.get(lw.id, (0, 0))[1], lw.id))
    return ok, why


def active_assignment(session: Session, app_id: int) -> Assignment | None:
    return session.scalars(select(Assignment).where(
        Assignment.application_id == app_id, Assignment.status == "active")
        .order_by(Assignment.id.desc()).limit(1)).first()


def assign(session: Session, app: Application, *, kind: str, actor: str, due_on: dt.date | None,
           reason: str = "", lawyer_id: int | None = None, exclude: set[int] = frozenset()) -> Assignment:
    """Assign a lawyer (the best candidate, or the one named) in the caller's transaction."""
    ok, why = candidates(session, app, exclude=exclude)
    if lawyer_id is not None:
        lawyer = session.get(Lawyer, lawyer_id)
        if lawyer is None or not lawyer.active:
            raise InvalidInput("所选律师不在名册中或已停用", code="lawyer_not_available", field="lawyer_id")
        if lawyer.id in why:
            raise Conflict(f"不能指派{lawyer.name}律师：{why[lawyer.id]}", code="lawyer_conflict",
                           details={"reason": why[lawyer.id]})
    elif not ok:
        details = "；".join(why.values()) or "名册中没有在册律师"
        raise Conflict(f"没有可指派的法律援助律师（{details}），请补充名册后再指派", code="no_lawyer_available")
    else:
        lawyer = ok[0]
    row = Assignment(application_id=app.id, lawyer_id=lawyer.id, kind=kind, status="active",
                     assigned_at=utcnow(), due_on=due_on, assigned_by=actor, reason=reason)
    session.add(row)
    session.flush()
    on_time = due_on is None or local_date(row.assigned_at) <= due_on
    record_audit(session, actor=actor, action="la_lawyer_assigned", object_type="la_assignment",
                 object_id=row.id, application_id=app.id, subject=app.applicant.id_number,
                 data={"lawyer": lawyer.id, "lawyer_name": lawyer.name, "firm": lawyer.firm,
                       "kind": kind, "due_on": due_on.isoformat() if due_on else None,
                       "on_time": on_time, "reason": reason,
                       "excluded": {str(k): v for k, v in why.items()},
                       "basis": "《中华人民共和国法律援助法》第四十三条" if kind != "urgent"
                       else "《中华人民共和国法律援助法》第四十四条"})
    row.lawyer = lawyer
    return row


def end_assignments(session: Session, app: Application, *, reason: str, actor: str) -> list[Assignment]:
    rows = list(session.scalars(select(Assignment).where(
        Assignment.application_id == app.id, Assignment.status == "active")))
    for row in rows:
        row.status, row.ended_at, row.end_reason = "ended", utcnow(), reason
        record_audit(session, actor=actor, action="la_assignment_ended", object_type="la_assignment",
                     object_id=row.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"lawyer": row.lawyer_id, "reason": reason})
    return rows


def reassign(session: Session, app: Application, *, actor: str, reason: str,
             lawyer_id: int | None = None) -> Assignment:
    """改派: end the current assignment and assign another lawyer (never the same one)."""
    reason = _text(reason, "改派理由", max_len=1000)
    current = active_assignment(session, app.id)
    if current is None:
        raise InvalidState("该案件没有在办的指派，不能改派", code="no_active_assignment")
    if lawyer_id is not None and lawyer_id == current.lawyer_id:
        raise InvalidInput("改派的律师与原承办律师相同", code="same_lawyer", field="lawyer_id")
    kind, due = current.kind, current.due_on
    # Choose first: when nobody else can take the case, nothing changes.
    new = assign(session, app, kind=kind, actor=actor, due_on=due, reason=f"改派：{reason}",
                 lawyer_id=lawyer_id, exclude={current.lawyer_id})
    current.status, current.ended_at, current.end_reason = "ended", utcnow(), f"改派：{reason}"
    record_audit(session, actor=actor, action="la_lawyer_reassigned", object_type="la_assignment",
                 object_id=current.id, application_id=app.id, subject=app.applicant.id_number,
                 data={"from": current.lawyer_id, "to": new.lawyer_id, "reason": reason})
    return new
