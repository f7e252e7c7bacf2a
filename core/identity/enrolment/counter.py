"""Enrolment at the counter (人像登记): a person's ID photo or a live photo, the person's
references, and retiring one."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.identity import FrameProblem, faces_module, settings
from core.identity.enrolment.records import ENROL_ROLES, VIEW_ROLES, _photo_problem, _staff, _store, describe
from core.identity.models import FaceReference
from core.people import applicants
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import Forbidden, InvalidInput, NotFound
from core.platform.models import Applicant, Role, User


def enrol(quanke, actor: User, *, photo: bytes, source: str = "id_photo",
          applicant_id: int | None = None, id_number: str | None = None, name: str = "",
          phone: str = "", shown_id_number: str | None = None,
          at: dt.datetime | None = None) -> dict:
    """Enrol a reference face for a person in front of a counter worker.

    The person is ``applicant_id``, or found/registered by ``id_number`` (+ ``name``). The
    photo must show exactly one face of usable size and brightness; otherwise
    :class:`InvalidInput` with code ``photo_<reason>`` says why in Chinese.

    ``shown_id_number`` is the number the worker read from the ID card the person shows (the
    counter page and the API always pass it): it must be the person's, or nothing is enrolled
    (``recipient_mismatch``) — a face is only ever registered against a checked ID. The audit
    event records whether the ID was checked.
    """
    if source not in ("id_photo", "live_photo"):
        raise InvalidInput("登记照片来源只能是证件照片或现场拍摄", code="invalid_photo_source", field="source")
    if shown_id_number is not None and not shown_id_number.strip():
        raise InvalidInput("请核验本人身份证件，读卡或录入证件上的身份证号", code="identity_check_required",
                           field="shown_id_number")
    encode_photo = faces_module().encode_photo

    at = at or now()
    with quanke.db.session() as session:
        _staff(session, actor, ENROL_ROLES, "登记人像")
    s = settings(quanke)
    try:
        encoding, check, image = encode_photo(photo, s)
    except FrameProblem as problem:
        raise _photo_problem(problem) from None
    with quanke.db.session() as session:
        user = _staff(session, actor, ENROL_ROLES, "登记人像")
        if applicant_id is not None:
            person = session.get(Applicant, applicant_id)
            if person is None:
                raise NotFound("申请人不存在", code="applicant_not_found")
        elif id_number:
            person, _ = applicants.register(session, kind="person", id_number=id_number, name=name,
                                            phone=phone, actor=f"user:{user.id}")
        else:
            raise InvalidInput("请指定登记人像的申请人", code="applicant_required", field="id_number")
        if person.kind != "person":
            raise InvalidInput("只能为自然人登记人像", code="not_a_person", field="applicant_id")
        if shown_id_number is not None and _id_number(shown_id_number) != person.id_number:
            raise Forbidden("出示的证件与申请人不一致，不能登记人像", code="recipient_mismatch")
        ref = _store(session, quanke, applicant=person, encoding=encoding, quality=check.quality(),
                     photo=bytes(photo), content_type=image.content_type, photo_sha256=image.sha256,
                     source=source, by=user, actor_key=f"user:{user.id}", at=at,
                     identity_checked=shown_id_number is not None)
        return describe(ref)


def _id_number(raw: str) -> str:
    """The shown number as stored (validated: a typo is a clear error, not a mismatch)."""
    from core.platform.identifiers import validate_resident_id
    return validate_resident_id(raw, with_place=False).number


def references_for(quanke, actor: User, *, applicant_id: int | None = None,
                   id_number: str | None = None) -> list[dict]:
    """A person's references (no photos), newest first, for the counter and admin pages."""
    with quanke.db.session() as session:
        _staff(session, actor, VIEW_ROLES, "查看人像登记")
        stmt = select(FaceReference).order_by(FaceReference.enrolled_at.desc(), FaceReference.id.desc())
        if applicant_id is not None:
            stmt = stmt.where(FaceReference.applicant_id == applicant_id)
        elif id_number:
            stmt = stmt.where(FaceReference.id_number_index == id_number.strip().upper())
        else:
            raise InvalidInput("请指定申请人", code="applicant_required")
        return [describe(r) for r in session.scalars(stmt)]


def retire_reference(quanke, actor: User, reference_id: int, *, reason: str,
                     at: dt.datetime | None = None) -> dict:
    """Stop using a reference (wrong person, outdated photo, the person's request); the photo
    is deleted at once, the row stays as a record."""
    if not (reason or "").strip():
        raise InvalidInput("请说明停用原因", code="reason_required", field="reason")
    at = at or now()
    with quanke.db.session() as session:
        user = _staff(session, actor, (Role.CENTRE_ADMIN, Role.SYS_ADMIN, Role.COUNTER), "停用人像登记")
        ref = session.get(FaceReference, reference_id)
        if ref is None:
            raise NotFound("人像登记不存在", code="reference_not_found")
        ref.active, ref.retired_at, ref.retired_reason = False, at, reason.strip()
        ref.photo, ref.photo_deleted_at = None, ref.photo_deleted_at or at
        audit.record(session, actor=f"user:{user.id}", action="identity_reference_retired",
                     object_type="face_reference", object_id=ref.id, subject=ref.id_number,
                     data={"reason": reason.strip()}, at=at)
        return describe(ref)
