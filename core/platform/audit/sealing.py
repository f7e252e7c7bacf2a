"""The sealer (封链): one at a time, it chains every committed unsealed event."""
from __future__ import annotations

import logging
import time

from sqlalchemy import (bindparam, func, insert, select,
                        text, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session


log = logging.getLogger(__name__)
from core.platform.audit.hashing import _normalise
from core.platform.audit.models import GENESIS, SEAL_LOCK_KEY
from core.platform.audit.hashing import event_hash, hash_of
from core.platform.audit.models import _EVENTS, _HEAD


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
