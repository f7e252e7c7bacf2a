"""Starting a face check: the checks made before anything is stored (the right person and
application, file sizes and types) and the attempt limits per person and per IP."""
from __future__ import annotations

import datetime as dt
import math
from typing import Sequence

from sqlalchemy import func, select

from core.identity import REASONS, Settings, TooManyAttempts, settings
from core.identity.models import FaceCheck, FaceFrame
from core.identity.steps import require_own_open_application
from core.identity.verification.evaluation import _sha256
from core.identity.verification.job import _enqueue
from core.identity.verification.status import face_check_status
from core.platform.clock import now
from core.platform.errors import Conflict, Forbidden, InvalidInput
from core.platform.models import Applicant, Application, Citizen


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
