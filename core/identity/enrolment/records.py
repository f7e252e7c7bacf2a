"""Reference rows: who may enrol, view or import them, how one is stored and how it is described
to staff (never with the photo)."""
from __future__ import annotations

import datetime as dt

from core.identity import ENCODING_MODEL, REASONS, FrameProblem, faces_module, settings
from core.identity.models import FaceReference
from core.platform import audit
from core.platform.errors import Forbidden, InvalidInput
from core.platform.identifiers import mask_id
from core.platform.models import Applicant, Role, User

SOURCES = {"id_photo": "身份证件照片", "live_photo": "窗口现场拍摄", "import": "批量导入"}
ENROL_ROLES = (Role.COUNTER, Role.CENTRE_ADMIN, Role.SYS_ADMIN)
IMPORT_ROLES = (Role.CENTRE_ADMIN, Role.SYS_ADMIN)
VIEW_ROLES = (Role.COUNTER, Role.AUDITOR, Role.CENTRE_ADMIN, Role.SYS_ADMIN)
#: How many of a person's newest active references a verification compares against.
MAX_REFERENCES = 3


def _staff(session, actor, roles, what: str) -> User:
    user = session.get(User, actor.id) if isinstance(actor, User) else None
    if user is None or not user.active or not any(user.has_role(r) for r in roles):
        raise Forbidden(f"没有权限{what}", code="forbidden_role")
    return user


def _actor_key(actor) -> str:
    if isinstance(actor, User):
        return f"user:{actor.id}"
    return str(actor or "system")


def _photo_problem(problem: FrameProblem) -> InvalidInput:
    return InvalidInput(f"登记照片不可用：{REASONS.get(problem.code, problem.code)}",
                        code=f"photo_{problem.code}", field="photo")


def describe(ref: FaceReference) -> dict:
    """What staff may see about a reference without opening the photo."""
    return {"id": ref.id, "applicant_id": ref.applicant_id, "id_number_masked": mask_id(ref.id_number),
            "source": ref.source, "source_label": SOURCES.get(ref.source, ref.source),
            "active": ref.active, "enrolled_at": ref.enrolled_at, "enrolled_by_id": ref.enrolled_by_id,
            "photo_kept": ref.photo_deleted_at is None and bool(ref.photo_sha256)
            and ref.photo_keep_until is not None,
            "photo_keep_until": ref.photo_keep_until, "quality": ref.quality or {}}


def _store(session, quanke, *, applicant: Applicant, encoding, quality: dict,
           photo: bytes, content_type: str, photo_sha256: str, source: str, by: User | None,
           actor_key: str, at: dt.datetime, batch: str = "",
           identity_checked: bool = False) -> FaceReference:
    to_bytes = faces_module().to_bytes

    s = settings(quanke)
    keep = s.face_photo_retention_days > 0
    ref = FaceReference(
        applicant_id=applicant.id, id_number=applicant.id_number, source=source,
        encoding=to_bytes(encoding), model=ENCODING_MODEL, quality=quality,
        photo=photo if keep else None, photo_sha256=photo_sha256,
        photo_content_type=content_type if keep else "",
        photo_keep_until=at + dt.timedelta(days=s.face_photo_retention_days) if keep else None,
        photo_deleted_at=None if keep else at, active=True, enrolled_at=at,
        enrolled_by_id=by.id if by else None, centre_id=by.centre_id if by else None,
        import_batch=batch)
    session.add(ref)
    session.flush()
    audit.record(session, actor=actor_key, action="identity_enrolled", object_type="face_reference",
                 object_id=ref.id, subject=applicant.id_number,
                 data={"source": source, "photo_sha256": photo_sha256, "photo_kept": keep,
                       "photo_keep_until": ref.photo_keep_until, "quality": quality,
                       "batch": batch, "identity_checked": identity_checked}, at=at)
    return ref
