"""The face-check job: queueing it, running it (rq, or inline without Redis), recording the
outcome, deleting the selfies, and recording the ``face`` step of a passed check."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select

from core import acceptance
from core.identity import REASONS, FaceEngineMissing, settings
from core.identity.models import FaceCheck, FaceFrame
from core.identity.verification.evaluation import Outcome, evaluate
from core.identity.verification.views import TERMINAL
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import QuankeError
from core.platform.models import Application, Citizen

log = logging.getLogger(__name__)

JOB = "core.identity.verification.run_face_check"


def _enqueue(quanke, check_id: int, run: int) -> None:
    try:
        quanke.jobs.enqueue(JOB, must_not_lose=True, job_id=f"face-check-{check_id}-{run}",
                            check_id=check_id, run=run)
    except Exception:  # noqa: BLE001 - the row exists; fail it visibly rather than leave it hanging
        log.exception("face check %s run %s could not be run/queued", check_id, run)
        _fail_visibly(quanke, check_id, run, "job_failed")


def run_face_check(quanke, *, check_id: int, run: int = 1) -> str:
    """The rq job: check the stored frames, record the outcome, delete the frames.

    Idempotent and safe to run twice: it works only while the check is ``pending``/``running``
    with this ``run`` number (a re-queued check has a higher one), and writes the outcome with
    the same condition. Returns the final status (or ``"skipped"``).
    """
    s = settings(quanke)
    claimed_at = now()
    with quanke.db.session() as session:
        row = _locked(session, quanke, check_id)
        if row is None:
            return "skipped"
        if row.run != run or row.status not in ("pending", "running"):
            status = row.status
            skip = True
        else:
            skip = False
            row.status = "running"
            row.started_at = row.started_at or claimed_at
            row.lease_until = claimed_at + dt.timedelta(seconds=s.face_job_lease_seconds)
            frames = [bytes(f.data) for f in session.scalars(
                select(FaceFrame).where(FaceFrame.check_id == check_id).order_by(FaceFrame.seq))]
            id_number, mode, created = row.id_number, row.mode, row.created_at
    if skip:
        if status == "passed":
            _ensure_step(quanke, check_id)
        return "skipped"
    from core.identity.enrolment import reference_encodings
    try:
        references, meta = reference_encodings(quanke, id_number)
    except Exception:
        if run < s.face_job_max_runs:
            raise  # the registry may be back soon: rq retries (must_not_lose)
        log.exception("identity provider failed for face check %s", check_id)
        _fail_visibly(quanke, check_id, run, "provider_failed")
        return "error"
    try:
        outcome = evaluate(frames, references, s, mode=mode)
    except FaceEngineMissing:
        _fail_visibly(quanke, check_id, run, "engine_missing")
        return "error"
    except Exception:  # noqa: BLE001 - a bug on one image must not retry forever
        log.exception("face check %s crashed while evaluating", check_id)
        _fail_visibly(quanke, check_id, run, "evaluation_crashed")
        return "error"
    outcome.timings["queue_wait_ms"] = round((claimed_at - created).total_seconds() * 1000, 1)
    status = _finish(quanke, check_id, run, outcome, meta)
    if status == "passed":
        _ensure_step(quanke, check_id)
    return status


def _locked(session, quanke, check_id: int) -> FaceCheck | None:
    stmt = select(FaceCheck).where(FaceCheck.id == check_id)
    if quanke.db.is_postgres:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def _finish(quanke, check_id: int, run: int, outcome: Outcome, meta: dict) -> str:
    at = now()
    with quanke.db.session() as session:
        row = _locked(session, quanke, check_id)
        if row is None or row.run != run or row.status != "running":
            return "skipped"  # a newer run took over
        row.status = outcome.status
        row.reasons = outcome.reasons
        row.message = outcome.message
        row.face_found, row.one_face = outcome.face_found, outcome.one_face
        row.quality = outcome.quality
        row.distance = None if outcome.distance is None else round(float(outcome.distance), 4)
        row.matched = outcome.matched
        row.liveness_passed = outcome.liveness.passed if outcome.liveness else None
        row.liveness = outcome.liveness.as_dict() if outcome.liveness else {}
        row.frame_hashes, row.burst_sha256 = outcome.frame_hashes, outcome.burst_sha256
        row.reference_ids = list(meta.get("reference_ids") or [])
        row.reference_source = str(meta.get("source") or "")[:32]
        row.timings = outcome.timings
        row.finished_at, row.lease_until = at, None
        _delete_frames(session, row, at)
        audit.record(session, actor="system", action="face_check", object_type="face_check",
                     object_id=row.id, application_id=row.application_id, subject=row.id_number,
                     data={"status": row.status, "mode": row.mode, "distance": row.distance,
                           "thresholds": row.thresholds, "match": row.matched,
                           "liveness": row.liveness_passed, "reasons": row.reasons,
                           "frames": row.frame_count, "burst_sha256": row.burst_sha256,
                           "selfies_deleted": True, "run": run}, at=at)
        return row.status


def _delete_frames(session, row: FaceCheck, at: dt.datetime) -> None:
    session.execute(delete(FaceFrame).where(FaceFrame.check_id == row.id))
    row.frames_deleted_at = at


def _fail_visibly(quanke, check_id: int, run: int | None, why: str) -> None:
    """End a check as ``error`` (not the citizen's fault: not counted against the limits)."""
    at = now()
    with quanke.db.session() as session:
        row = _locked(session, quanke, check_id)
        if row is None or row.status in TERMINAL or (run is not None and row.run != run):
            return
        row.status, row.reasons, row.message = "error", ["service_error"], REASONS["service_error"]
        row.finished_at, row.lease_until = at, None
        _delete_frames(session, row, at)
        audit.record(session, actor="system", action="face_check", object_type="face_check",
                     object_id=row.id, application_id=row.application_id, subject=row.id_number,
                     data={"status": "error", "why": why, "run": row.run, "frames": row.frame_count,
                           "selfies_deleted": True}, at=at)


def _evidence(row: FaceCheck) -> dict:
    return {"check_id": row.id, "mode": row.mode, "distance": row.distance,
            "thresholds": row.thresholds, "liveness": row.liveness_passed,
            "blinks": (row.liveness or {}).get("blinks"), "burst_sha256": row.burst_sha256,
            "reference_source": row.reference_source, "reviewed_by_id": row.reviewed_by_id}


def _ensure_step(quanke, check_id: int) -> None:
    """Record the face step for a passed check once (safe to call again after a crash)."""
    with quanke.db.session() as session:
        row = session.get(FaceCheck, check_id)
        if row is None or row.status != "passed" or row.step_recorded or not row.application_id:
            return
        app = session.get(Application, row.application_id)
        citizen = session.get(Citizen, row.citizen_id) if row.citizen_id else None
        already = "face" in (app.identity_passed or [])
        evidence = _evidence(row)
    note = ""
    if not already and citizen is not None:
        try:
            acceptance.record_identity_step(quanke, citizen, row.application_id, "face", evidence=evidence)
        except QuankeError as exc:  # withdrawn meanwhile, service changed, …: keep the evidence
            note = exc.message
            log.info("face check %s passed but the step was not recorded: %s", check_id, exc.message)
    with quanke.db.session() as session:
        row = session.get(FaceCheck, check_id)
        row.step_recorded = True
        if note:
            row.message = f"{row.message or '核验通过'}（{note}）"

