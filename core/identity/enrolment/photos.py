"""Raw reference photos: audited access for staff with a reason, and deletion after
``FACE_PHOTO_RETENTION_DAYS``."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.identity.enrolment.records import VIEW_ROLES, _staff
from core.identity.models import FaceReference
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import InvalidInput, NotFound
from core.platform.models import User


def view_reference_photo(quanke, actor: User, reference_id: int, *, reason: str,
                         at: dt.datetime | None = None) -> tuple[bytes, str]:
    """The raw reference photo and its content type, for staff with a stated reason.

    The access is audited (``view_personal_data``, fields ``["reference_photo"]``) in the
    same transaction that reads the photo, before the bytes are handed out.
    """
    if not (reason or "").strip():
        raise InvalidInput("查看登记照片须说明理由", code="reason_required", field="reason")
    with quanke.db.session() as session:
        user = _staff(session, actor, VIEW_ROLES, "查看登记照片")
        ref = session.get(FaceReference, reference_id)
        if ref is None:
            raise NotFound("人像登记不存在", code="reference_not_found")
        expired = ref.photo_keep_until is not None and ref.photo_keep_until <= (at or now())
        if ref.photo_deleted_at is not None or expired or ref.photo is None:
            raise NotFound("登记照片已按保存期限删除，仅保留人脸特征值", code="photo_deleted")
        data, content_type = bytes(ref.photo), ref.photo_content_type or "image/jpeg"
        audit.record_view(session, actor=f"user:{user.id}", object_type="face_reference",
                          object_id=ref.id, subject=ref.id_number, fields=["reference_photo"],
                          reason=reason.strip())
    return data, content_type


def purge_expired_photos(quanke, *, at: dt.datetime | None = None) -> int:
    """Delete raw reference photos past their retention (a daily job); returns how many."""
    at = at or now()
    done = 0
    with quanke.db.session() as session:
        rows = session.scalars(select(FaceReference).where(
            FaceReference.photo_keep_until <= at, FaceReference.photo_deleted_at.is_(None))).all()
        for ref in rows:
            ref.photo, ref.photo_deleted_at = None, at
            audit.record(session, actor="system", action="identity_photo_purged",
                         object_type="face_reference", object_id=ref.id, subject=ref.id_number,
                         data={"kept_until": ref.photo_keep_until}, at=at)
            done += 1
    return done
