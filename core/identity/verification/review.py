"""Staff side of face checks: the video-check review of borderline checks (视频核验), the
recent failures, and every check of one application as evidence."""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from sqlalchemy import select

from core.identity.models import FaceCheck
from core.identity.steps import OPEN_STATES
from core.identity.verification.job import _ensure_step, _locked
from core.identity.verification.views import EVIDENCE_ROLES, REVIEW_ROLES, _is_staff, view
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.identifiers import mask_name
from core.platform.models import Applicant, Application, Citizen, User


def review_queue(quanke, actor: User, *, limit: int = 100) -> list[dict]:
    """Checks waiting for a counter worker's video check, oldest first."""
    with quanke.db.session() as session:
        if _is_staff(session, actor, REVIEW_ROLES) is None:
            raise Forbidden("只有窗口工作人员可以进行视频核验", code="forbidden_role")
        rows = session.execute(
            select(FaceCheck, Application.number, Applicant.name)
            .join(Application, Application.id == FaceCheck.application_id)
            .join(Applicant, Applicant.id == FaceCheck.applicant_id)
            .where(FaceCheck.status == "needs_review")
            .order_by(FaceCheck.finished_at, FaceCheck.id).limit(limit)).all()
        return [{**view(row, staff=True), "application_number": number, "name_masked": mask_name(name)}
                for row, number, name in rows]


def review_face_check(quanke, actor: User, check_id: int, *, passed: bool, note: str,
                      at: dt.datetime | None = None) -> dict:
    """A counter worker's decision after the video check (视频核验) of a borderline check.

    ``note`` (what was checked, e.g. "视频通话核对本人与证件一致") is required. Passing records
    the citizen's face step with the reviewer in the evidence."""
    if not (note or "").strip():
        raise InvalidInput("请填写视频核验情况", code="note_required", field="note")
    at = at or now()
    with quanke.db.session() as session:
        user = _is_staff(session, actor, REVIEW_ROLES)
        if user is None:
            raise Forbidden("只有窗口工作人员可以进行视频核验", code="forbidden_role")
        row = _locked(session, quanke, check_id)
        if row is None:
            raise NotFound("核验记录不存在", code="face_check_not_found")
        if row.status != "needs_review":
            raise InvalidState("该核验不需要人工核验或已处理", code="not_in_review")
        row.status = "passed" if passed else "failed"
        row.review_outcome = row.status
        row.reviewed_by_id, row.reviewed_at, row.review_note = user.id, at, note.strip()
        row.message = "工作人员视频核验通过" if passed else "工作人员视频核验未通过，请到便民服务中心办理"
        audit.record(session, actor=f"user:{user.id}", action="face_review", object_type="face_check",
                     object_id=row.id, application_id=row.application_id, subject=row.id_number,
                     data={"outcome": row.status, "note": row.review_note, "distance": row.distance},
                     at=at)
    if passed:
        _ensure_step(quanke, check_id)
    with quanke.db.session() as session:
        return view(session.get(FaceCheck, check_id), staff=True)


def recent_checks(quanke, actor: User, *, statuses: Sequence[str] = ("failed",),
                  limit: int = 50) -> list[dict]:
    """Finished checks of open applications in ``statuses``, newest first, for the counter's
    review page (metadata, scores and reasons only: the selfies are already deleted)."""
    with quanke.db.session() as session:
        if _is_staff(session, actor, REVIEW_ROLES) is None:
            raise Forbidden("只有窗口工作人员可以查看核验记录", code="forbidden_role")
        rows = session.execute(
            select(FaceCheck, Application.number, Applicant.name)
            .join(Application, Application.id == FaceCheck.application_id)
            .join(Applicant, Applicant.id == FaceCheck.applicant_id)
            .where(FaceCheck.status.in_(tuple(statuses)), Application.state.in_(OPEN_STATES))
            .order_by(FaceCheck.id.desc()).limit(limit)).all()
        return [{**view(row, staff=True), "application_number": number, "name_masked": mask_name(name)}
                for row, number, name in rows]


def face_checks_for(quanke, actor, app_id: int) -> list[dict]:
    """Every face check of an application, newest first (its citizen, or staff)."""
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        if app is None:
            raise NotFound("申请不存在", code="application_not_found")
        staff = _is_staff(session, actor, EVIDENCE_ROLES)
        if staff is None and not (isinstance(actor, Citizen) and app.citizen_id == actor.id):
            raise Forbidden("无权查看", code="forbidden_role")
        rows = session.scalars(select(FaceCheck).where(FaceCheck.application_id == app_id)
                               .order_by(FaceCheck.id.desc())).all()
        return [view(r, staff=staff is not None) for r in rows]
