"""A check's status as the portal polls it, and healing: a check whose worker died is queued
again, one stuck too long fails visibly (also swept by a periodic job)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.identity import Settings, settings
from core.identity.models import FaceCheck
from core.identity.verification.job import _enqueue, _ensure_step, _fail_visibly, _locked
from core.identity.verification.views import EVIDENCE_ROLES, _is_staff, view
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import Forbidden, NotFound
from core.platform.models import Citizen


def _heal(quanke, row: FaceCheck, s: Settings, at: dt.datetime) -> str | None:
    """Decide what a stuck check needs: ``"requeue"``, ``"fail"`` or None."""
    if row.status == "running" and row.lease_until is not None and row.lease_until < at:
        return "requeue" if row.run < s.face_job_max_runs else "fail"
    if row.status == "pending" and row.created_at + dt.timedelta(seconds=s.face_pending_timeout_seconds) < at:
        return "fail"
    return None


def _apply_heal(quanke, check_id: int, s: Settings, at: dt.datetime) -> None:
    with quanke.db.session() as session:
        row = _locked(session, quanke, check_id)
        if row is None:
            return
        action = _heal(quanke, row, s, at)
        if action == "requeue":
            row.run += 1
            row.status, row.lease_until = "pending", None
            run = row.run
            audit.record(session, actor="system", action="face_check_requeued", object_type="face_check",
                         object_id=row.id, application_id=row.application_id, subject=row.id_number,
                         data={"run": run, "reason": "worker lease expired"}, at=at)
    if action == "requeue":
        _enqueue(quanke, check_id, run)
    elif action == "fail":
        _fail_visibly(quanke, check_id, None, "stuck")


def face_check_status(quanke, actor, check_id: int, *, at: dt.datetime | None = None) -> dict:
    """The check as the portal (its citizen) or staff see it; heals a stuck check first.

    ``done`` is False while ``pending``/``running``. A check whose worker died is queued
    again (up to ``FACE_JOB_MAX_RUNS``), one queued too long fails visibly.
    """
    s = settings(quanke)
    at = at or now()
    with quanke.db.session() as session:
        row = session.get(FaceCheck, check_id)
        if row is None:
            raise NotFound("核验记录不存在", code="face_check_not_found")
        staff = _is_staff(session, actor, EVIDENCE_ROLES)
        if staff is None and not (isinstance(actor, Citizen) and row.citizen_id == actor.id):
            raise Forbidden("无权查看该核验记录", code="forbidden_role")
        heal = _heal(quanke, row, s, at)
        needs_step = row.status == "passed" and not row.step_recorded
    if heal:
        _apply_heal(quanke, check_id, s, at)
    if needs_step:
        _ensure_step(quanke, check_id)
    with quanke.db.session() as session:
        return view(session.get(FaceCheck, check_id), staff=staff is not None)


def recover_stale_checks(quanke, *, at: dt.datetime | None = None) -> int:
    """Sweep (a periodic job): requeue or fail every check stuck by a dead worker or lost job."""
    s = settings(quanke)
    at = at or now()
    with quanke.db.session() as session:
        ids = session.scalars(select(FaceCheck.id).where(FaceCheck.status.in_(("pending", "running")))).all()
        stuck = [i for i in ids if _heal(quanke, session.get(FaceCheck, i), s, at)]
    for check_id in stuck:
        _apply_heal(quanke, check_id, s, at)
    return len(stuck)
