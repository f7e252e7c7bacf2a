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
from core.platform import db as _db
from core.platform.audit.hashing import HASH_SETTINGS, HASHES, event_hash, hash_of, use_hash
from core.platform.audit.models import GENESIS, PENDING, SEAL_LOCK_KEY, AuditEvent, AuditHead
from core.platform.audit.recording import record, record_view
from core.platform.audit.sealing import SEAL_WINDOW, seal, seal_job, unsealed_count
from core.platform.audit.verification import VerifyResult, count, verify

__all__ = ["GENESIS", "HASHES", "HASH_SETTINGS", "PENDING", "SEAL_LOCK_KEY", "SEAL_WINDOW", "AuditEvent",
           "AuditHead", "VerifyResult", "count", "event_hash", "hash_of", "record", "record_view", "seal",
           "seal_job", "unsealed_count", "use_hash", "verify"]

_db.INLINE_SEALER = seal
