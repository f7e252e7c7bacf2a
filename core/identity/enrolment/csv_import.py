"""Batch import (批量导入): a CSV of ``id_number,name,photo[,phone]`` plus a folder of photos,
one transaction per row, with a progress bar and a report."""
from __future__ import annotations

import csv
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from core.identity import FrameProblem, faces_module, settings
from core.identity.enrolment.records import IMPORT_ROLES, _actor_key, _photo_problem, _staff, _store
from core.identity.models import FaceReference
from core.people import applicants
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import InvalidInput, NotFound
from core.platform.identifiers import mask_id
from core.platform.models import User

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
