"""What a face check looks like to the portal and to staff, and who counts as staff."""
from __future__ import annotations

import datetime as dt

from core.identity import REASONS
from core.identity.models import FaceCheck
from core.platform.identifiers import mask_id
from core.platform.models import Role, User

TERMINAL = ("passed", "failed", "needs_review", "error")
REVIEW_ROLES = (Role.COUNTER,)
EVIDENCE_ROLES = (Role.COUNTER, Role.APPROVER, Role.DEPT_LEAD, Role.AUDITOR, Role.CENTRE_ADMIN,
                  Role.SYS_ADMIN)
STATUS_LABELS = {"pending": "排队中", "running": "核验中", "passed": "通过", "failed": "未通过",
                 "needs_review": "待人工视频核验", "error": "核验出错"}


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
