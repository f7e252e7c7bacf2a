"""Append-only, hash-chained audit log (处处留痕).

Every event stores the hash of the one before it; the single ``audit_head`` row holds the
last sequence number and hash. Appending bumps the head with one ``UPDATE … RETURNING``,
which also serialises writers (a row lock on PostgreSQL, the write lock on SQLite), so the
chain never forks. :func:`verify` recomputes the chain and names the first bad event, so
a row edited or deleted directly in SQL is found — including the newest one, via the head.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import JSON, ForeignKey, Integer, String, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import now
from .db import Base, UTCDateTime

GENESIS = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(48), index=True)       # user:12 / citizen:3 / system
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(48))
    object_id: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    subject: Mapped[str] = mapped_column(String(64), default="", index=True)  # person concerned
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's tip: one row (id 1)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def _normalise(data: Any) -> Any:
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str, sort_keys=True))


def event_hash(*, seq: int, at: dt.datetime, actor: str, action: str, object_type: str,
               object_id: str, application_id: int | None, subject: str, data: Any,
               prev_hash: str) -> str:
    payload = json.dumps({
        "seq": seq, "at": at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "actor": actor, "action": action, "object_type": object_type,
        "object_id": str(object_id), "application_id": application_id, "subject": subject,
        "data": data, "prev": prev_hash,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def ensure_head(session: Session) -> None:
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        session.flush()


def record(session: Session, *, actor: str, action: str, object_type: str, object_id: Any,
           application_id: int | None = None, subject: str = "", data: dict | None = None,
           at: dt.datetime | None = None) -> AuditEvent:
    """Append one event in the caller's transaction (call it last: it holds the chain lock)."""
    at = at or now()
    row = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).first()
    if row is None:  # a fresh database without the head row
        ensure_head(session)
        return record(session, actor=actor, action=action, object_type=object_type,
                      object_id=object_id, application_id=application_id, subject=subject,
                      data=data, at=at)
    seq, prev = row
    payload = _normalise(data)
    digest = event_hash(seq=seq, at=at, actor=actor, action=action, object_type=object_type,
                        object_id=str(object_id), application_id=application_id,
                        subject=subject, data=payload, prev_hash=prev)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=digest))
    event = AuditEvent(seq=seq, at=at, actor=actor, action=action, object_type=object_type,
                       object_id=str(object_id), application_id=application_id, subject=subject,
                       data=payload, prev_hash=prev, hash=digest)
    session.add(event)
    return event


def record_view(session: Session, *, actor: str, object_type: str, object_id: Any,
                subject: str, fields: list[str], reason: str = "",
                application_id: int | None = None) -> AuditEvent:
    """Log that a staff member saw personal data unmasked (查看个人信息留痕)."""
    return record(session, actor=actor, action="view_personal_data", object_type=object_type,
                  object_id=object_id, application_id=application_id, subject=subject,
                  data={"fields": fields, "reason": reason})


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"审计链完整：已校验 {self.checked} 条事件"
        return (f"审计链被破坏：第一处问题在事件 seq={self.first_bad_seq} (id={self.first_bad_id})："
                f"{self.problem}")


def _iter_events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > last)
                               .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session, progress=None) -> VerifyResult:
    """Recompute the whole chain; report the first event that does not fit."""
    expected_seq, prev, checked = 1, GENESIS, 0
    last_id = None
    for ev in _iter_events(session):
        if ev.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, ev.id,
                                f"缺少事件（期望 seq={expected_seq}，实际为 {ev.seq}），有记录被删除")
        if ev.prev_hash != prev:
            return VerifyResult(False, checked, ev.seq, ev.id, "前一事件哈希不符，链条被改动")
        digest = event_hash(seq=ev.seq, at=ev.at, actor=ev.actor, action=ev.action,
                            object_type=ev.object_type, object_id=ev.object_id,
                            application_id=ev.application_id, subject=ev.subject,
                            data=_normalise(ev.data), prev_hash=ev.prev_hash)
        if digest != ev.hash:
            return VerifyResult(False, checked, ev.seq, ev.id, "事件内容与哈希不符，记录被修改")
        prev, expected_seq, checked, last_id = ev.hash, expected_seq + 1, checked + 1, ev.id
        if progress:
            progress(1)
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, checked + 1 if head_seq > checked else checked, last_id,
                            f"链尾不符（记录到 seq={head_seq}，实际最后为 {checked}），最新事件被删除或改动")
    return VerifyResult(True, checked)


def count(session: Session) -> int:
    return session.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
