"""Key rotation (``quanke keys rotate``): every value re-encrypted under the active key version.

* **Batches, short transactions**: ``batch`` rows of one column per transaction, so the web
  keeps serving (reads of not-yet-rotated values use the old version, still in the key file;
  new writes already use the new one).
* **Compare-and-set**: a value is replaced only if it is still the ciphertext that was read —
  a person edited meanwhile keeps the edit (it is already under the new key).
* **Resumable**: what is done is visible in the data itself (the version in each ciphertext),
  so a run killed at any moment loses at most its open batch; running it again continues.
* **Nothing lost**: a value that does not decrypt is left as it is and reported by table,
  column and row; the run ends with an error listing them.

When no value under an old version is left, its check value is removed from ``crypto_keys``
and the command says that the version may go from the key file (older backups still need it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import bindparam, func, select, type_coerce, update

from core.ops.keys import SensitiveColumn, sensitive_columns
from core.ops.sealed_rotation import rotate_sealed, stale_sealed
from core.platform import audit
from core.platform.crypto import (
    CiphertextError,
    EncryptedBytes,
    KeyConfigError,
    registry,
)
from core.platform.crypto.cipher import BYTES_PREFIX, TEXT_PREFIX
from core.platform.crypto.keys import add_version, read_key_file, write_key_file

BATCH = 1000


@dataclass
class RotationReport:
    active: int
    rotated: int = 0
    skipped_changed: int = 0           # edited by someone meanwhile: already under the new key
    unreadable: list[CiphertextError] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unreadable


def _binary(column: SensitiveColumn) -> bool:
    return isinstance(column.table.c[column.name].type, EncryptedBytes)


def _stored(column: SensitiveColumn):
    col = column.table.c[column.name]
    return type_coerce(col, col.type.impl)


def _active_prefix(column: SensitiveColumn, active: int):
    if _binary(column):
        return BYTES_PREFIX + active.to_bytes(2, "big")
    return f"{TEXT_PREFIX}{active}:"


def _stale(column: SensitiveColumn, active: int):
    """Values under another key version (the empty string and NULL are never encrypted)."""
    stored, prefix = _stored(column), _active_prefix(column, active)
    empty = b"" if _binary(column) else ""
    return (stored.isnot(None) & (stored != empty)
            & (func.substr(stored, 1, len(prefix)) != prefix))


def stale_count(quanke, active: int) -> dict[str, int]:
    with quanke.db.engine.connect() as conn:
        return {c.where: conn.execute(select(func.count()).select_from(c.table).where(_stale(c, active))).scalar_one()
                for c in sensitive_columns(conn)}


def add_key_version(quanke, algorithm: str | None = None) -> int:
    """Append a new data key version to the key file, make it active, record its check value."""
    if quanke.config.get("DATA_KEYS"):
        raise KeyConfigError("密钥来自环境变量 QUANKE_DATA_KEYS：请在密钥管理处加入新版本并设为当前版本，"
                             "分发到所有服务器后再运行 `quanke keys rotate`", code="key_source_readonly")
    path = quanke.keys.key_file
    quanke.keys.ring(refresh=True, generate=False)       # the file is there and sound
    document = read_key_file(path)
    version = add_version(document, algorithm)
    write_key_file(path, document)
    ring = quanke.keys.ring(refresh=True, generate=False)
    with quanke.db.engine.begin() as conn:
        registry.register(conn, ring)
    return version


def _rotate_column(quanke, column: SensitiveColumn, report: RotationReport, batch: int,
                   progress: Callable[[int], None] | None) -> None:
    ring = quanke.keys.ring(refresh=True, generate=False)
    table, label, binary = column.table, column.label, _binary(column)
    (pk,) = table.primary_key.columns
    stored = _stored(column)
    swap = (update(table).where(pk == bindparam("k_pk"), stored == bindparam("k_old"))
            .values({column.name: bindparam("k_new", type_=column.table.c[column.name].type.impl)}))
    last = None
    while True:
        with quanke.db.engine.begin() as conn:
            stmt = select(pk, stored).where(_stale(column, report.active))
            if last is not None:
                stmt = stmt.where(pk > last)
            rows = conn.execute(stmt.order_by(pk).limit(batch)).all()
            if not rows:
                return
            changes = []
            for row_id, old in rows:
                try:
                    if binary:
                        new = ring.encrypt_bytes(ring.decrypt_bytes(bytes(old), label), label)
                    else:
                        new = ring.encrypt(ring.decrypt(old, label), label)
                except CiphertextError as exc:
                    report.unreadable.append(exc.at_row(row_id))
                    continue
                changes.append({"k_pk": row_id, "k_old": old, "k_new": new})
            if changes:
                done = conn.execute(swap, changes).rowcount
                done = len(changes) if done in (None, -1) else done
                report.rotated += done
                report.skipped_changed += len(changes) - done
            last = rows[-1][0]
        if progress:
            progress(len(rows))


def rotate(quanke, *, batch: int = BATCH, progress: Callable[[int], None] | None = None,
           actor: str = "cli") -> RotationReport:
    """Re-encrypt every value not under the active version; see the module docstring."""
    ring = quanke.keys.ring(refresh=True, generate=False)
    report = RotationReport(active=ring.active_version)
    with quanke.db.engine.connect() as conn:
        wrong = registry.problems(conn, ring)
        if wrong:   # another deployment's keys: every value would fail, refuse before touching any
            raise KeyConfigError("不轮换：" + wrong[0], code="key_mismatch")
        columns = sensitive_columns(conn)
    for column in columns:
        _rotate_column(quanke, column, report, batch, progress)
    rotate_sealed(quanke, report, batch, progress)   # sensitive fields inside form data
    left = {**stale_count(quanke, report.active), **stale_sealed(quanke, report.active)}
    with quanke.db.session() as session:
        if not any(left.values()) and report.ok:
            known = registry.registered(session.connection())
            for purpose, version in sorted(known):
                if purpose == registry.DATA and version != report.active:
                    session.execute(registry.KeyRecord.__table__.delete().where(
                        registry.KeyRecord.purpose == purpose, registry.KeyRecord.version == version))
                    report.retired.append(version)
        audit.record(session, actor=actor, action="data_keys_rotated", object_type="crypto_keys",
                     object_id=report.active,
                     data={"active": report.active, "rotated": report.rotated,
                           "left": sum(left.values()), "retired": report.retired,
                           "unreadable": [{"column": e.label, "row": e.row} for e in report.unreadable]})
    return report
