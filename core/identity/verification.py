"""Face verification of a remote applicant (人脸核验): a burst of frames, checked as a job.

Flow for the portal (see docs/identity.md):

1. :func:`start_face_check` — the browser sends a burst of JPEG/PNG frames taken while the
   page asks for a blink (``mode="camera"``), or one uploaded photo (``mode="upload"``, a
   fallback that can never pass liveness). Attempt limits are enforced here; the frames are
   stored with a ``pending`` check and :func:`run_face_check` is enqueued (rq with
   ``REDIS_URL``, inline otherwise). Returns :func:`face_check_status`'s dict.
2. :func:`face_check_status` — polled by the page until ``done``. It also heals: a check
   whose worker died (lease expired) is queued again, up to ``FACE_JOB_MAX_RUNS`` runs, then
   fails visibly (``error``, not counted against the limits); so no application waits on a
   lost job.
3. A ``passed`` check records the ``face`` step through
   :func:`core.acceptance.filing.record_identity_step`. A ``needs_review`` check (borderline distance,
   or a matching uploaded photo) waits for a counter worker's video check:
   :func:`review_queue`, :func:`review_face_check`.

The selfies are deleted when a check ends, whatever the outcome; the row keeps the frame
hashes, the scores and the reasons, and an audit event records the outcome.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import delete, func, select

from core.platform import audit
from core import acceptance
from core.platform.clock import now
from core.platform.errors import (Conflict, Forbidden, InvalidInput, InvalidState, NotFound, QuankeError)
from core.platform.identifiers import mask_id, mask_name
from core.platform.models import Applicant, Application, Citizen, Role, User

from core.identity import (REASONS, FaceEngineMissing, FrameProblem, Settings, TooManyAttempts, faces_module,
               reason, settings)
from core.identity.liveness import LivenessResult, detect_blink

# The face engine (numpy, dlib) is imported inside the functions that need it, so the portal
# and the counter can import this module — and the sms/esign steps work — without it.
from core.identity.models import FaceCheck, FaceFrame
from core.identity.steps import OPEN_STATES, require_own_open_application

log = logging.getLogger(__name__)

JOB = "core.identity.verification.run_face_check"
TERMINAL = ("passed", "failed", "needs_review", "error")
REVIEW_ROLES = (Role.COUNTER,)
EVIDENCE_ROLES = (Role.COUNTER, Role.APPROVER, Role.DEPT_LEAD, Role.AUDITOR, Role.CENTRE_ADMIN,
                  Role.SYS_ADMIN)
STATUS_LABELS = {"pending": "排队中", "running": "核验中", "passed": "通过", "failed": "未通过",
                 "needs_review": "待人工视频核验", "error": "核验出错"}
#: When frames show different problems, the one that explains most of them is reported.
_PROBLEM_ORDER = ("too_dark", "too_bright", "face_too_small", "no_face")


# --------------------------------------------------------------------------- pure evaluation


@dataclass
class Outcome:
    """The result of checking one burst against the reference encodings."""

    status: str                                   # passed / failed / needs_review / error
    reasons: list[str] = field(default_factory=list)
    face_found: bool | None = None
    one_face: bool | None = None
    quality: dict = field(default_factory=dict)
    distance: float | None = None
    decision: str | None = None                   # match / review / no_match
    liveness: LivenessResult | None = None
    frame_hashes: list[str] = field(default_factory=list)
    burst_sha256: str = ""
    timings: dict = field(default_factory=dict)

    @property
    def matched(self) -> bool | None:
        return None if self.decision is None else self.decision == "match"

    @property
    def message(self) -> str:
        return reason(self.reasons[0]) if self.reasons else ("核验通过" if self.status == "passed" else "")

    def as_dict(self) -> dict:
        return {"status": self.status, "reasons": list(self.reasons), "message": self.message,
                "face_found": self.face_found, "one_face": self.one_face, "quality": self.quality,
                "distance": None if self.distance is None else round(self.distance, 4),
                "decision": self.decision, "match": self.matched,
                "liveness": self.liveness.as_dict() if self.liveness else None,
                "frame_hashes": self.frame_hashes, "burst_sha256": self.burst_sha256,
                "timings": self.timings}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dominant(checks: Sequence["FrameCheck"]) -> str:
    counts = Counter(c.problem for c in checks if c.problem)
    if not counts:
        return "face_lost"
    best = max(counts.values())
    for code in _PROBLEM_ORDER:
        if counts.get(code) == best:
            return code
    return counts.most_common(1)[0][0]


def _continuous(faces: list, max_shift: float = 0.6) -> bool:
    """Consecutive usable frames show one face moving a little, not a different one jumping in."""
    for a, b in zip(faces, faces[1:]):
        (ax, ay), (bx, by) = a.centre, b.centre
        width = max(a.width, b.width, 1)
        if math.hypot(ax - bx, ay - by) > max_shift * width:
            return False
        if not 0.6 <= b.width / max(a.width, 1) <= 1 / 0.6:
            return False
    return True


def _same_face(signatures: list, minimum: float) -> bool:
    """Every frame shows the face of the frame before (correlation of the aligned faces), so
    a stranger swapped into frames that are not encoded is still noticed."""
    return all(float(a @ b) >= minimum for a, b in zip(signatures, signatures[1:]))


def _pick_for_encoding(usable: list, ears: list[float | None], count: int) -> list:
    """Up to ``count`` frames spread over the burst, preferring frames with open eyes."""
    if len(usable) <= count:
        return usable
    values = [ears[i] for i, _, _ in usable if ears[i] is not None]
    cut = statistics.median(values) if values else None
    opened = [u for u in usable if cut is None or ears[u[0]] is None or ears[u[0]] >= cut] or usable
    if len(opened) <= count:
        return opened
    step = (len(opened) - 1) / (count - 1) if count > 1 else 0
    picks = sorted({int(round(i * step)) for i in range(count)})
    return [opened[i] for i in picks]


def _check_burst(decoded: list, s: Settings, check_frame, camera: bool) -> list:
    """Detection and landmarks for every frame. Key frames (the first, every
    ``FACE_KEY_FRAME_EVERY``-th and the last) are searched whole — so a second face or a
    face swapped in is seen; between them the face is tracked from the previous frame,
    searching only around it, which costs a fraction of a whole-frame search."""
    every = max(1, s.face_key_frame_every)
    last = len(decoded) - 1
    checks, near = [], None
    for i, img in enumerate(decoded):
        key = not camera or i % every == 0 or i == last
        check = check_frame(img, s, with_landmarks=camera, near=None if key else near)
        checks.append(check)
        near = check.face if check.usable else None
    return checks


def evaluate(frames: Sequence[bytes], references: Sequence, s: Settings, *,
             mode: str = "camera") -> Outcome:
    """Check a burst (or one uploaded photo) against a person's reference encodings.

    Decides, in this order: frames readable and of sane size → some face, one face only,
    big and bright enough → the same face throughout → distance to the nearest reference
    (the *worst* of the encoded frames counts, so every compared frame must match) →
    liveness (camera bursts only) → status.
    """
    faces = faces_module()
    check_frame, decide, encode, load_image, nearest = (
        faces.check_frame, faces.decide, faces.encode, faces.load_image, faces.nearest)

    started = time.perf_counter()
    hashes = [_sha256(bytes(f)) for f in frames]
    outcome = Outcome(status="failed", frame_hashes=hashes,
                      burst_sha256=hashlib.sha256("".join(hashes).encode()).hexdigest())

    def done(status: str, *codes: str) -> Outcome:
        outcome.status = status
        outcome.reasons = [c for c in codes if c]
        outcome.timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return outcome

    if not frames:
        return done("failed", "no_frames")
    if len(frames) > s.face_max_frames:
        return done("failed", "too_many_frames")
    if not len(references):
        return done("error", "no_reference")
    camera = mode == "camera"
    if camera and len(frames) < s.face_min_burst_frames:
        return done("failed", "not_live")  # too few frames to show a blink
    decoded: list = []
    for data in frames:
        try:
            decoded.append(load_image(data, s))
        except FrameProblem as problem:
            outcome.quality = {"frame": len(decoded), "detail": problem.detail}
            return done("failed", problem.code)
    outcome.timings["decode_ms"] = round((time.perf_counter() - started) * 1000, 1)
    t = time.perf_counter()
    checks = _check_burst(decoded, s, check_frame, camera)
    outcome.timings["detect_ms"] = round((time.perf_counter() - t) * 1000, 1)
    usable = [(i, img, c) for i, (img, c) in enumerate(zip(decoded, checks)) if c.usable]
    outcome.face_found = any(c.faces > 0 for c in checks)
    outcome.one_face = outcome.face_found and not any(c.problem == "multiple_faces" for c in checks)
    shown = usable[0][2] if usable else checks[0]
    outcome.quality = {**shown.quality(), "usable_frames": len(usable), "frames": len(frames)}
    if any(c.problem == "multiple_faces" for c in checks):
        return done("failed", "multiple_faces")
    if len(usable) < (s.face_min_burst_frames if camera else 1):
        return done("failed", _dominant(checks))
    if camera and not _continuous([c.face for _, _, c in usable]):
        return done("failed", "face_changed")
    if camera and not _same_face([faces.face_signature(img.pixels, c.face) for _, img, c in usable],
                                 s.face_same_face_min):
        return done("failed", "face_changed")

    liveness = None
    ears: list[float | None] = [None] * len(frames)
    if camera:
        liveness = detect_blink([c.landmarks if c.usable else None for c in checks],
                                drop=s.face_blink_drop, min_open_ear=s.face_min_open_ear,
                                shape_tolerance=s.face_shape_tolerance,
                                min_frames=s.face_min_burst_frames)
        ears = liveness.ears
    else:
        liveness = LivenessResult(False, "not_live", ears=[None])
    outcome.liveness = liveness

    t = time.perf_counter()
    worst = None
    for _, img, check in _pick_for_encoding(usable, ears, max(1, s.face_burst_encode_frames)):
        value = nearest(references, encode(img.pixels, check.face))
        worst = value if worst is None else max(worst, value)
    outcome.timings["encode_ms"] = round((time.perf_counter() - t) * 1000, 1)
    outcome.distance = worst
    outcome.decision = decide(worst, s)

    if outcome.decision == "no_match":
        return done("failed", "no_match", None if liveness.passed else liveness.reason)
    if not liveness.passed:
        if not camera and s.face_upload_review:
            return done("needs_review", "needs_review", "not_live")
        return done("failed", liveness.reason or "no_blink")
    if outcome.decision == "review":
        return done("needs_review", "needs_review")
    return done("passed")


# --------------------------------------------------------------------------- views


def _local_iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def view(row: FaceCheck, *, staff: bool = False) -> dict:
    """What the portal (and, with ``staff``, the counter) shows about a check."""
    done = row.status in TERMINAL
    out = {
        "id": row.id, "application_id": row.application_id, "mode": row.mode,
        "status": row.status, "status_label": STATUS_LABELS.get(row.status, row.status),
        "done": done, "passed": row.status == "passed",
        "message": row.message or ("" if done else "正在核验，请稍候"),
        "reasons": [{"code": c, "message": REASONS.get(c, c)} for c in row.reasons or []],
        "face_found": row.face_found, "one_face": row.one_face, "quality": row.quality or {},
        "distance": row.distance, "match": row.matched, "liveness": row.liveness_passed,
        "thresholds": row.thresholds or {}, "created_at": _local_iso(row.created_at),
        "finished_at": _local_iso(row.finished_at),
        "review": ({"outcome": row.review_outcome, "at": _local_iso(row.reviewed_at),
                    "note": row.review_note if staff else ""} if row.review_outcome else None),
    }
    if staff:
        out.update({"id_number_masked": mask_id(row.id_number), "ip": row.ip, "run": row.run,
                    "frame_count": row.frame_count, "frame_hashes": row.frame_hashes or [],
                    "burst_sha256": row.burst_sha256, "liveness_detail": row.liveness or {},
                    "reference_ids": row.reference_ids or [], "reference_source": row.reference_source,
                    "timings": row.timings or {}, "selfies_deleted": row.frames_deleted_at is not None,
                    "reviewed_by_id": row.reviewed_by_id})
    return out


def _is_staff(session, actor, roles) -> User | None:
    if not isinstance(actor, User):
        return None
    user = session.get(User, actor.id)
    if user is None or not user.active or not any(user.has_role(r) for r in roles):
        return None
    return user


# --------------------------------------------------------------------------- starting a check


def _person(session, app: Application, citizen: Citizen) -> Applicant:
    """Whose face: the application's applicant when a person, else the account's own person
    (an enterprise is represented by the signed-in, real-name-linked citizen)."""
    if app.applicant.kind == "person":
        return app.applicant
    if citizen.applicant_id:
        return session.get(Applicant, citizen.applicant_id)
    raise InvalidInput("请先完成实名认证，再进行人脸核验", code="real_name_required")


def _limit(session, column, value, s: Settings, limit: int, at: dt.datetime, who: str) -> None:
    since = at - dt.timedelta(hours=1)
    rows = session.scalars(select(FaceCheck.created_at).where(
        column == value, FaceCheck.created_at > since, FaceCheck.status != "error")
        .order_by(FaceCheck.created_at)).all()
    if len(rows) >= limit:
        wait = max(1, math.ceil((rows[len(rows) - limit] + dt.timedelta(hours=1) - at).total_seconds()))
        minutes = max(1, -(-wait // 60))
        raise TooManyAttempts(
            f"{who}1小时内人脸核验已达{limit}次，请{minutes}分钟后再试；如多次未通过，可到任一便民服务中心办理",
            details={"retry_after": wait, "limit": limit, "scope": "person" if column is FaceCheck.applicant_id else "ip"})


#: Leading bytes of the formats a frame may have (JPEG, PNG, WebP); see faces.ACCEPTED_FORMATS.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def looks_like_image(data: bytes) -> bool:
    """Cheap sniff of the file type, so that obvious non-images never reach the queue (the
    decoder in the job still checks everything else: truncation, size, corruption)."""
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def start_face_check(quanke, citizen: Citizen, app_id: int, frames: Sequence[bytes], *,
                     ip: str = "", mode: str = "camera", at: dt.datetime | None = None) -> dict:
    """Store a burst (or one uploaded photo) for the draft's face step and queue its check.

    Refuses (before anything is stored): the wrong person, a service without the face step,
    a non-draft, a step already passed, a check still running, no frames / too many / a file
    over ``FACE_MAX_FRAME_BYTES`` (:class:`InvalidInput`), and more than
    ``FACE_ATTEMPTS_PER_HOUR`` attempts per person or ``FACE_ATTEMPTS_PER_IP_HOUR`` per IP
    in the last hour (:class:`TooManyAttempts`, HTTP 429, ``details["retry_after"]``).
    """
    s = settings(quanke)
    at = at or now()
    if mode not in ("camera", "upload"):
        raise InvalidInput("未知的核验方式", code="invalid_mode", field="mode")
    frames = [bytes(f) for f in frames or []]
    if not frames:
        raise InvalidInput(REASONS["no_frames"], code="no_frames", field="frames")
    if mode == "upload" and len(frames) != 1:
        raise InvalidInput("请上传一张本人照片", code="one_photo_only", field="frames")
    if len(frames) > s.face_max_frames:
        raise InvalidInput(REASONS["too_many_frames"], code="too_many_frames", field="frames")
    if any(len(f) > s.face_max_frame_bytes for f in frames) or sum(map(len, frames)) > s.face_max_burst_bytes:
        raise InvalidInput(REASONS["file_too_large"], code="file_too_large", field="frames",
                           details={"max_bytes": s.face_max_frame_bytes,
                                    "max_total_bytes": s.face_max_burst_bytes})
    if not all(map(looks_like_image, frames)):
        # A PDF or a text file sent as a frame: refused before it is stored or counted.
        raise InvalidInput(REASONS["invalid_image"], code="invalid_image", field="frames")
    ip = (ip or "")[:64]
    with quanke.db.session() as session:
        stmt = select(Application).where(Application.id == app_id)
        if quanke.db.is_postgres:
            stmt = stmt.with_for_update(of=Application)
        app = session.scalars(stmt).unique().first()
        who, service = require_own_open_application(quanke, session, app, citizen, "face",
                                                    action="进行人脸核验",
                                                    not_needed="该事项不需要人脸核验")
        if "face" in (app.identity_passed or []):
            raise Conflict("人脸核验已通过，无需重复核验", code="face_already_passed")
        busy = session.scalar(select(FaceCheck).where(
            FaceCheck.application_id == app.id, FaceCheck.status.in_(("pending", "running")))
            .order_by(FaceCheck.id.desc()).limit(1))
        busy_id = busy.id if busy is not None else None
        person = _person(session, app, who)
        if quanke.db.is_postgres:  # one person's attempts are counted one at a time
            session.get(Applicant, person.id, with_for_update=True)
        _limit(session, FaceCheck.applicant_id, person.id, s, s.face_attempts_per_hour, at, "您")
        if ip:
            _limit(session, FaceCheck.ip, ip, s, s.face_attempts_per_ip_hour, at, "当前网络")
        if busy_id is None:
            row = FaceCheck(application_id=app.id, applicant_id=person.id, citizen_id=who.id,
                            id_number=person.id_number, ip=ip, mode=mode, status="pending", run=1,
                            created_at=at, frame_count=len(frames),
                            frame_hashes=[_sha256(f) for f in frames], thresholds=s.thresholds())
            session.add(row)
            session.flush()
            session.add_all(FaceFrame(check_id=row.id, seq=i, data=f, sha256=row.frame_hashes[i])
                            for i, f in enumerate(frames))
            check_id = row.id
    if busy_id is not None:
        status = face_check_status(quanke, citizen, busy_id)
        if not status["done"]:
            raise Conflict("上一次核验还在进行，请稍候", code="face_check_in_progress",
                           details={"check_id": busy_id})
        return start_face_check(quanke, citizen, app_id, frames, ip=ip, mode=mode, at=at)
    _enqueue(quanke, check_id, 1)
    return face_check_status(quanke, citizen, check_id)


def _enqueue(quanke, check_id: int, run: int) -> None:
    try:
        quanke.jobs.enqueue(JOB, must_not_lose=True, job_id=f"face-check-{check_id}-{run}",
                            check_id=check_id, run=run)
    except Exception:  # noqa: BLE001 - the row exists; fail it visibly rather than leave it hanging
        log.exception("face check %s run %s could not be run/queued", check_id, run)
        _fail_visibly(quanke, check_id, run, "job_failed")


# --------------------------------------------------------------------------- the job


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


# --------------------------------------------------------------------------- status and healing


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


# --------------------------------------------------------------------------- review and evidence


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


def attempts_left(quanke, citizen: Citizen, app_id: int, *, ip: str = "",
                  at: dt.datetime | None = None) -> dict:
    """How many attempts the citizen has left this hour (for the page, before they start)."""
    s = settings(quanke)
    at = at or now()
    since = at - dt.timedelta(hours=1)
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        if app is None or not isinstance(citizen, Citizen) or app.citizen_id != citizen.id:
            raise Forbidden("无权查看", code="forbidden_role")
        who = session.get(Citizen, citizen.id)
        person = _person(session, app, who)
        used = session.scalar(select(func.count(FaceCheck.id)).where(
            FaceCheck.applicant_id == person.id, FaceCheck.created_at > since,
            FaceCheck.status != "error"))
        left = s.face_attempts_per_hour - used
        if ip:
            used_ip = session.scalar(select(func.count(FaceCheck.id)).where(
                FaceCheck.ip == ip, FaceCheck.created_at > since, FaceCheck.status != "error"))
            left = min(left, s.face_attempts_per_ip_hour - used_ip)
    return {"left": max(0, left), "per_hour": s.face_attempts_per_hour}


__all__ = ["Outcome", "evaluate", "start_face_check", "run_face_check", "face_check_status",
           "recover_stale_checks", "review_queue", "recent_checks", "looks_like_image", "review_face_check", "face_checks_for",
           "attempts_left", "view", "JOB"]
