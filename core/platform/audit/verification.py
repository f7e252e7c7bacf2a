"""Recomputing the sealed chain and naming the first bad event."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import (select,
                        text)
from sqlalchemy.orm import Session

from core.platform.crypto import Unreadable

log = logging.getLogger(__name__)
from core.platform.audit.hashing import HASHES, _normalise
from core.platform.audit.models import GENESIS, AuditHead
from core.platform.audit.hashing import event_hash
from core.platform.audit.models import _EVENTS
from core.platform.audit.sealing import unsealed_count


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
