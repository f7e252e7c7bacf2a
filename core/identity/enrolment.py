"""Reference faces: the built-in local registry (人像登记) and the identity provider.

Where reference faces come from is the ``identity_provider`` hook (firstresult). When no
plugin answers, :class:`LocalRegistry` serves the faces enrolled here:

* a counter worker enrols a person's ID photo or a live photo at an in-person visit
  (:func:`enrol`);
* an administrator imports a CSV plus a folder of photos (:func:`import_references`, with a
  progress bar; ``quanke identity import`` once the CLI group is registered).

Only the 128-d encoding is needed to verify. The raw photo is kept for
``FACE_PHOTO_RETENTION_DAYS`` (0: never stored), then :func:`purge_expired_photos` deletes
it. Seeing a photo needs a staff role and a reason, and every access is audited
(:func:`view_reference_photo`).

A provider is any object with ``reference(id_number) -> dict | None``; the dict has
``name`` and either ``encodings`` (lists of 128 floats) or ``photo`` (image bytes, encoded
here on the fly), optionally ``source`` and ``reference_ids``.
"""
from __future__ import annotations

import csv
import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.people import applicants
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import Forbidden, InvalidInput, NotFound
from core.platform.identifiers import mask_id
from core.platform.models import Applicant, Role, User

from core.identity import ENCODING_MODEL, REASONS, FrameProblem, faces_module, settings
from core.identity.models import FaceReference

log = logging.getLogger(__name__)

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


# --------------------------------------------------------------------------- enrolment


def _store(session, quanke, *, applicant: Applicant, encoding, quality: dict,
           photo: bytes, content_type: str, photo_sha256: str, source: str, by: User | None,
           actor_key: str, at: dt.datetime, batch: str = "") -> FaceReference:
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
                       "batch": batch}, at=at)
    return ref


def enrol(quanke, actor: User, *, photo: bytes, source: str = "id_photo",
          applicant_id: int | None = None, id_number: str | None = None, name: str = "",
          phone: str = "", at: dt.datetime | None = None) -> dict:
    """Enrol a reference face for a person in front of a counter worker.

    The person is ``applicant_id``, or found/registered by ``id_number`` (+ ``name``). The
    photo must show exactly one face of usable size and brightness; otherwise
    :class:`InvalidInput` with code ``photo_<reason>`` says why in Chinese.
    """
    if source not in ("id_photo", "live_photo"):
        raise InvalidInput("登记照片来源只能是证件照片或现场拍摄", code="invalid_photo_source", field="source")
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
        ref = _store(session, quanke, applicant=person, encoding=encoding, quality=check.quality(),
                     photo=bytes(photo), content_type=image.content_type, photo_sha256=image.sha256,
                     source=source, by=user, actor_key=f"user:{user.id}", at=at)
        return describe(ref)


def references_for(quanke, actor: User, *, applicant_id: int | None = None,
                   id_number: str | None = None) -> list[dict]:
    """A person's references (no photos), newest first, for the counter and admin pages."""
    with quanke.db.session() as session:
        _staff(session, actor, VIEW_ROLES, "查看人像登记")
        stmt = select(FaceReference).order_by(FaceReference.enrolled_at.desc(), FaceReference.id.desc())
        if applicant_id is not None:
            stmt = stmt.where(FaceReference.applicant_id == applicant_id)
        elif id_number:
            stmt = stmt.where(FaceReference.id_number == id_number.strip().upper())
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


# --------------------------------------------------------------------------- raw photos


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


# --------------------------------------------------------------------------- import


HEADERS = {
    "id_number": ("id_number", "身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "name": ("name", "姓名"),
    "photo": ("photo", "照片", "照片文件", "photo_file"),
    "phone": ("phone", "手机", "手机号", "手机号码"),
}


@dataclass
class ImportReport:
    batch: str
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, masked id, message)

    def __str__(self) -> str:
        text = (f"人像导入 {self.batch}：共 {self.rows} 行，导入 {self.imported} 人，"
                f"已存在未变 {self.unchanged} 人，失败 {len(self.failed)} 行")
        for line, who, message in self.failed[:20]:
            text += f"\n  第 {line} 行 {who}：{message}"
        if len(self.failed) > 20:
            text += f"\n  ……另有 {len(self.failed) - 20} 行失败"
        return text


def _columns(fieldnames: list[str] | None) -> dict[str, str]:
    present = {(f or "").strip().lower(): f for f in fieldnames or []}
    found = {}
    for key, aliases in HEADERS.items():
        for alias in aliases:
            if alias.lower() in present:
                found[key] = present[alias.lower()]
                break
    missing = [k for k in ("id_number", "name", "photo") if k not in found]
    if missing:
        raise InvalidInput("CSV 缺少列：" + "、".join(HEADERS[k][1] + f"（{k}）" for k in missing),
                           code="csv_columns_missing", details={"missing": missing})
    return found


def import_references(quanke, actor: User | str, csv_path: str | Path, photo_dir: str | Path,
                      *, progress: bool = True, at: dt.datetime | None = None) -> ImportReport:
    """Import ``id_number,name,photo[,phone]`` rows (Chinese headers accepted) with the photos
    in ``photo_dir``. Each row is its own transaction: a bad row is reported, not fatal.
    Re-importing the same photo for the same person changes nothing (idempotent).

    ``actor`` is an administrator (``User``) or, from the command line, a label such as
    ``"cli:ops"``."""
    from tqdm import tqdm

    at = at or now()
    photo_root = Path(photo_dir).resolve()
    if not photo_root.is_dir():
        raise InvalidInput(f"照片目录不存在：{photo_dir}", code="photo_dir_missing")
    user = None
    if isinstance(actor, User):
        with quanke.db.session() as session:
            user = _staff(session, actor, IMPORT_ROLES, "批量导入人像")
    actor_key = _actor_key(user or actor)
    s = settings(quanke)
    with open(csv_path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        cols = _columns(reader.fieldnames)
        rows = list(reader)
    report = ImportReport(batch=f"face-{at:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}", rows=len(rows))
    for line, row in enumerate(tqdm(rows, desc="导入人像", unit="人", disable=not progress), start=2):
        raw_id = (row.get(cols["id_number"]) or "").strip()
        who = mask_id(raw_id.upper()) or "（无证件号）"
        try:
            report_line = _import_row(quanke, s, row, cols, photo_root, user=user,
                                      actor_key=actor_key, at=at, batch=report.batch)
        except (InvalidInput, NotFound) as exc:
            report.failed.append((line, who, exc.message))
            continue
        if report_line == "unchanged":
            report.unchanged += 1
        else:
            report.imported += 1
    with quanke.db.session() as session:
        audit.record(session, actor=actor_key, action="identity_import", object_type="face_import",
                     object_id=report.batch,
                     data={"file": Path(csv_path).name, "rows": report.rows, "imported": report.imported,
                           "unchanged": report.unchanged, "failed": len(report.failed)})
    return report


def _import_row(quanke, s, row: dict, cols: dict, photo_root: Path, *, user: User | None,
                actor_key: str, at: dt.datetime, batch: str) -> str:
    encode_photo = faces_module().encode_photo

    name = (row.get(cols["name"]) or "").strip()
    filename = (row.get(cols["photo"]) or "").strip()
    if not filename:
        raise InvalidInput("缺少照片文件名", code="photo_missing")
    path = (photo_root / filename).resolve()
    if photo_root not in path.parents:
        raise InvalidInput(f"照片路径不在照片目录内：{filename}", code="photo_outside_dir")
    try:
        data = path.read_bytes()
    except OSError:
        raise InvalidInput(f"找不到照片文件 {filename}", code="photo_missing") from None
    try:
        encoding, check, image = encode_photo(data, s)
    except FrameProblem as problem:
        raise _photo_problem(problem) from None
    with quanke.db.session() as session:
        person, _ = applicants.register(session, kind="person",
                                        id_number=row.get(cols["id_number"]) or "", name=name,
                                        phone=(row.get(cols["phone"]) or "").strip() if "phone" in cols else "",
                                        actor=actor_key)
        same = session.scalar(select(FaceReference.id).where(
            FaceReference.applicant_id == person.id, FaceReference.photo_sha256 == image.sha256,
            FaceReference.active.is_(True)))
        if same is not None:
            return "unchanged"
        _store(session, quanke, applicant=person, encoding=encoding, quality=check.quality(),
               photo=data, content_type=image.content_type, photo_sha256=image.sha256,
               source="import", by=user, actor_key=actor_key, at=at, batch=batch)
    return "imported"


# --------------------------------------------------------------------------- providers


class LocalRegistry:
    """The built-in identity provider: faces enrolled in this deployment."""

    name = "local"

    def __init__(self, quanke):
        self.quanke = quanke

    def reference(self, id_number: str) -> dict | None:
        from_bytes = faces_module().from_bytes

        number = (id_number or "").strip().upper()
        with self.quanke.db.session() as session:
            rows = session.scalars(
                select(FaceReference).where(FaceReference.id_number == number,
                                            FaceReference.active.is_(True))
                .order_by(FaceReference.enrolled_at.desc(), FaceReference.id.desc())
                .limit(MAX_REFERENCES)).all()
            if not rows:
                return None
            person = session.get(Applicant, rows[0].applicant_id)
            return {"id_number": number, "name": person.name if person else "", "source": self.name,
                    "encodings": [from_bytes(r.encoding) for r in rows],
                    "reference_ids": [r.id for r in rows], "model": ENCODING_MODEL}


def identity_provider(quanke) -> Any:
    """The provider a plugin gives through ``identity_provider``, else the local registry."""
    try:
        answer = quanke.hook.identity_provider()
    except Exception:  # noqa: BLE001 - a broken adapter must not silently become "no face"
        log.exception("identity_provider hook failed")
        raise
    return answer if answer is not None else LocalRegistry(quanke)


def reference_encodings(quanke, id_number: str) -> tuple[list, dict]:
    """The reference encodings of a person and the provider's answer (without photo bytes).

    Empty list when the provider knows no face for this person. A provider answering with a
    ``photo`` instead of ``encodings`` has it encoded here."""
    faces = faces_module()
    import numpy as np

    encode_photo = faces.encode_photo
    provider = identity_provider(quanke)
    answer = provider.reference(id_number)
    if not answer:
        return [], {}
    encodings = [np.asarray(e, dtype=np.float64) for e in answer.get("encodings") or []]
    if not encodings and answer.get("photo"):
        try:
            encoding, _, _ = encode_photo(answer["photo"], settings(quanke))
            encodings = [encoding]
        except FrameProblem as problem:
            log.warning("reference photo from %s unusable: %s", getattr(provider, "name", provider),
                        problem.code)
    meta = {k: v for k, v in answer.items() if k not in ("encodings", "photo")}
    meta.setdefault("source", getattr(provider, "name", type(provider).__name__))
    return [e for e in encodings if e.shape == (128,)], meta


__all__ = ["SOURCES", "LocalRegistry", "ImportReport", "enrol", "references_for", "retire_reference",
           "view_reference_photo", "purge_expired_photos", "import_references", "identity_provider",
           "reference_encodings", "describe"]
