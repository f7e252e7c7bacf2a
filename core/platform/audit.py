"""Append-only, hash-chained audit log (处处留痕).

Writing and chaining are two steps, so audited writes never wait on each other:

* :func:`record` appends an event with a plain ``INSERT`` in the caller's transaction: its
  content (time, actor, action, object, data) is final, its place in the chain (``seq``,
  ``prev_hash``, ``hash``) still empty — "unsealed". No shared row is touched, so any number
  of transactions append at once.
* :func:`seal` (the sealer, 封链) runs one at a time (a PostgreSQL advisory lock; SQLite's
  single writer): it gives every committed unsealed event the next ``seq`` in id order,
  computes each hash over the event's stored content and the previous hash, and advances the
  single ``audit_head`` row. It runs right after every commit that appended events (inline,
  the default), as a deduplicated job when Redis is configured (see :mod:`core.jobs`), and in
  the ``audit-seal`` schedule as a safety net, so a process that died between its commit and
  its seal leaves events that the next run seals.

:func:`verify` recomputes the sealed chain and names the first bad event, so a sealed row
edited or deleted directly in SQL is found — including the newest one, via the head — and
says how many events still wait for the sealer.

The links are SM3 (GB/T 32905, what GB/T 39786 expects; ``AUDIT_HASH=SHA-256`` selectable);
each event records its function, so a chain begun with SHA-256 keeps verifying. The person
concerned (``subject``) is encrypted at rest like every ID number, looked up by its blind index.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
import weakref
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import (JSON, ForeignKey, Index, Integer, String, bindparam, func, insert, select,
                        text, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.platform.clock import now
from core.platform import db as _db
from core.platform.crypto import EncryptedString, Unreadable, blind_index
from core.platform.db import AUDIT_PENDING, Base, UTCDateTime

log = logging.getLogger(__name__)

GENESIS = "0" * 64
#: Key of the PostgreSQL advisory lock that lets one sealer run at a time ("audit" in ASCII).
SEAL_LOCK_KEY = 0x6175646974
#: Session.info key: this transaction appended events, seal after its commit.
PENDING = AUDIT_PENDING


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)     # None until sealed
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(48), index=True)       # user:12 / citizen:3 / system
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(48))
    object_id: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    #: The person concerned (usually an ID number): encrypted at rest, found by ``subject_index``.
    #: The chain's hashes cover the plaintext, so encrypting it changed no sealed hash.
    subject: Mapped[str] = mapped_column(EncryptedString("audit_events.subject"), default="")
    subject_index: Mapped[str | None] = blind_index("subject", "id_number")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    #: The hash function of this event's link: ``sm3`` (GB/T 32905) or ``sha256``; NULL for
    #: events sealed before core_0013, all of them SHA-256.
    algorithm: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        # The sealer's work list: only the few unsealed rows are in it, whatever the log's size.
        Index("ix_audit_events_unsealed", "id", postgresql_where=text("seq IS NULL"),
              sqlite_where=text("seq IS NULL")),
    )

    @property
    def sealed(self) -> bool:
        return self.seq is not None


class AuditHead(Base):
    """The chain's tip: one row (id 1), written only by the sealer."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__
_APPEND = insert(_EVENTS)


def _normalise(data: Any) -> Any:
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str, sort_keys=True))


#: Hash functions of the chain, by the name stored with each event.
HASHES = {"sm3": "sm3", "sha256": "sha256"}
#: Configuration value (``AUDIT_HASH``) → stored name.
HASH_SETTINGS = {"SM3": "sm3", "SHA-256": "sha256"}
_ENGINE_HASH: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def use_hash(engine: Engine, setting: str) -> None:
    """The chain's hash function for new seals on ``engine`` (``AUDIT_HASH``: SM3 or SHA-256)."""
    if setting not in HASH_SETTINGS:
        raise ValueError(f"AUDIT_HASH 只能是 {' 或 '.join(HASH_SETTINGS)}，而不是 {setting!r}")
    _ENGINE_HASH[engine.dialect] = HASH_SETTINGS[setting]


def hash_of(engine_or_conn) -> str:
    return _ENGINE_HASH.get(engine_or_conn.dialect, "sm3")


def event_hash(*, seq: int, at: dt.datetime, actor: str, action: str, object_type: str,
               object_id: str, application_id: int | None, subject: str, data: Any,
               prev_hash: str, algorithm: str | None = "sm3") -> str:
    """The event's link in the chain; ``algorithm`` None is SHA-256 (events before core_0013)."""
    if isinstance(subject, Unreadable):
        raise subject.error
    payload = json.dumps({
        "seq": seq, "at": at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "actor": actor, "action": action, "object_type": object_type,
        "object_id": str(object_id), "application_id": application_id, "subject": subject,
        "data": data, "prev": prev_hash,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.new(HASHES[algorithm or "sha256"], payload.encode("utf-8")).hexdigest()


def record(session: Session, *, actor: str, action: str, object_type: str, object_id: Any,
           application_id: int | None = None, subject: str = "", data: dict | None = None,
           at: dt.datetime | None = None) -> AuditEvent:
    """Append one event in the caller's transaction; it is sealed after the commit.

    One plain INSERT, now (no unit-of-work round, no lock), so it may be called anywhere in
    the transaction; a rollback takes the event with it. Returns the event as written
    (not attached to the session; ``seq`` and the hashes are set by the sealer).
    """
    values = {"at": at or now(), "actor": actor, "action": action, "object_type": object_type,
              "object_id": str(object_id), "application_id": application_id, "subject": subject,
              "data": _normalise(data)}
    session.execute(_APPEND, {**values, "subject_index": subject})
    session.info[PENDING] = True
    return AuditEvent(**values)


def record_view(session: Session, *, actor: str, object_type: str, object_id: Any,
                subject: str, fields: list[str], reason: str = "",
                application_id: int | None = None) -> AuditEvent:
    """Log that a staff member saw personal data unmasked (查看个人信息留痕)."""
    return record(session, actor=actor, action="view_personal_data", object_type=object_type,
                  object_id=object_id, application_id=application_id, subject=subject,
                  data={"fields": fields, "reason": reason})


# -- sealing ----------------------------------------------------------------------------------

_SEAL_PG = text("""
    UPDATE audit_events AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash,
                                 algorithm = :algorithm
    FROM unnest(CAST(:ids AS INTEGER[]), CAST(:seqs AS INTEGER[]), CAST(:prevs AS VARCHAR[]),
                CAST(:hashes AS VARCHAR[])) AS v(id, seq, prev_hash, hash)
    WHERE e.id = v.id AND e.seq IS NULL""")
_SEAL_ROW = (update(_EVENTS).where(_EVENTS.c.id == bindparam("e_id"), _EVENTS.c.seq.is_(None))
             .values(seq=bindparam("e_seq"), prev_hash=bindparam("e_prev"),
                     hash=bindparam("e_hash"), algorithm=bindparam("e_alg")))


def _seal_batch(conn: Connection, batch: int) -> int:
    postgres = conn.dialect.name == "postgresql"
    if postgres:  # one sealer at a time; appenders never take this lock
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEAL_LOCK_KEY})
    head = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).first()
    if head is None:
        conn.execute(insert(_HEAD).values(id=1, seq=0, hash=GENESIS))
        seq, prev = 0, GENESIS
    else:
        seq, prev = head
    rows = conn.execute(select(_EVENTS.c.id, _EVENTS.c.at, _EVENTS.c.actor, _EVENTS.c.action,
                               _EVENTS.c.object_type, _EVENTS.c.object_id,
                               _EVENTS.c.application_id, _EVENTS.c.subject, _EVENTS.c.data)
                        .where(_EVENTS.c.seq.is_(None)).order_by(_EVENTS.c.id).limit(batch)).all()
    if not rows:
        return 0
    ids, seqs, prevs, hashes = [], [], [], []
    algorithm = hash_of(conn)
    for row in rows:
        seq += 1
        digest = event_hash(seq=seq, at=row.at, actor=row.actor, action=row.action,
                            object_type=row.object_type, object_id=row.object_id,
                            application_id=row.application_id, subject=row.subject,
                            data=_normalise(row.data), prev_hash=prev, algorithm=algorithm)
        ids.append(row.id), seqs.append(seq), prevs.append(prev), hashes.append(digest)
        prev = digest
    if postgres:
        done = conn.execute(_SEAL_PG, {"ids": ids, "seqs": seqs, "prevs": prevs,
                                       "hashes": hashes, "algorithm": algorithm}).rowcount
    else:
        done = conn.execute(_SEAL_ROW, [{"e_id": i, "e_seq": s, "e_prev": p, "e_hash": h,
                                         "e_alg": algorithm}
                                        for i, s, p, h in zip(ids, seqs, prevs, hashes)]).rowcount
    if done != len(ids):  # cannot happen under the lock; refuse to leave a forked chain
        raise RuntimeError(f"audit sealer: {done} of {len(ids)} events updated, rolled back")
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    return len(ids)


def seal(engine: Engine, *, batch: int = 5000) -> int:
    """Seal every committed unsealed event (oldest id first); returns how many were sealed.

    Each batch is its own short transaction. Safe to run from any number of processes at
    once: they take turns, and a later one finds the work done.
    """
    total = 0
    while True:
        with engine.begin() as conn:
            done = _seal_batch(conn, batch)
        total += done
        if done < batch:
            return total


#: Seconds a seal job waits before it seals, so that one run seals a batch of commits.
SEAL_WINDOW = 0.05


def seal_job(quanke, *, clear_pending=None) -> int:
    """The sealer as a job (rq after commits, and the ``audit-seal`` schedule).

    Commits while this job is pending do not enqueue another (core.jobs deduplicates by a
    marker). The job lets commits gather for :data:`SEAL_WINDOW`, then clears the marker and
    only then reads what to seal: a commit that still saw the marker is sealed by this run,
    one after it enqueues the next run.
    """
    if clear_pending is not None:
        time.sleep(SEAL_WINDOW)
        clear_pending()
    return seal(quanke.db.engine)


seal_job.clears_pending_marker = True


def unsealed_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(_EVENTS)
                           .where(_EVENTS.c.seq.is_(None))).scalar_one()


# -- verification -----------------------------------------------------------------------------

@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""
    unsealed: int = 0

    def __str__(self) -> str:
        waiting = f"；另有 {self.unsealed} 条事件尚未封链（等待封链任务）" if self.unsealed else ""
        if self.ok:
            return f"审计链完整：已校验 {self.checked} 条事件{waiting}"
        return (f"审计链被破坏：第一处问题在事件 seq={self.first_bad_seq} (id={self.first_bad_id})："
                f"{self.problem}{waiting}")


_VERIFY_COLUMNS = (_EVENTS.c.id, _EVENTS.c.seq, _EVENTS.c.at, _EVENTS.c.actor, _EVENTS.c.action,
                   _EVENTS.c.object_type, _EVENTS.c.object_id, _EVENTS.c.application_id,
                   _EVENTS.c.subject, _EVENTS.c.data, _EVENTS.c.prev_hash, _EVENTS.c.hash,
                   _EVENTS.c.algorithm)


def _iter_events(session: Session, batch: int = 5000) -> Iterator:
    # Rows, not ORM objects: a subject that no longer decrypts is a finding, not a crash.
    last = 0
    while True:
        rows = session.execute(select(*_VERIFY_COLUMNS).where(_EVENTS.c.seq > last)
                               .order_by(_EVENTS.c.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session, progress=None) -> VerifyResult:
    """Recompute the sealed chain; report the first event that does not fit.

    Unsealed events are counted, not checked: their place in the chain is not yet fixed.
    """
    waiting = unsealed_count(session)
    expected_seq, prev, checked = 1, GENESIS, 0
    last_id = None
    for ev in _iter_events(session):
        if ev.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, ev.id,
                                f"缺少事件（期望 seq={expected_seq}，实际为 {ev.seq}），有记录被删除",
                                waiting)
        if ev.prev_hash != prev:
            return VerifyResult(False, checked, ev.seq, ev.id, "前一事件哈希不符，链条被改动", waiting)
        if isinstance(ev.subject, Unreadable):
            return VerifyResult(False, checked, ev.seq, ev.id,
                                f"当事人字段无法解密（{ev.subject.error.reason}），记录被修改", waiting)
        if ev.algorithm is not None and ev.algorithm not in HASHES:
            return VerifyResult(False, checked, ev.seq, ev.id, "哈希算法标记不明，记录被修改", waiting)
        digest = event_hash(seq=ev.seq, at=ev.at, actor=ev.actor, action=ev.action,
                            object_type=ev.object_type, object_id=ev.object_id,
                            application_id=ev.application_id, subject=ev.subject,
                            data=_normalise(ev.data), prev_hash=ev.prev_hash,
                            algorithm=ev.algorithm)
        if digest != ev.hash:
            return VerifyResult(False, checked, ev.seq, ev.id, "事件内容与哈希不符，记录被修改",
                                waiting)
        prev, expected_seq, checked, last_id = ev.hash, expected_seq + 1, checked + 1, ev.id
        if progress:
            progress(1)
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, checked + 1 if head_seq > checked else checked, last_id,
                            f"链尾不符（记录到 seq={head_seq}，实际最后为 {checked}），最新事件被删除或改动",
                            waiting)
    return VerifyResult(True, checked, unsealed=waiting)


def count(session: Session) -> int:
    """Sealed events (what :func:`verify` checks)."""
    return session.execute(text("SELECT count(*) FROM audit_events WHERE seq IS NOT NULL")).scalar_one()


_db.INLINE_SEALER = seal
