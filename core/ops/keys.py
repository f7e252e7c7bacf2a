"""Are this deployment's keys the database's keys? (``quanke keys check``, ``/readyz``)

Three questions, cheapest first: can the keys be read at all (file present, mode 0600, valid);
do they match the check values the database recorded (:mod:`core.platform.crypto.registry`);
does a stored value of every encrypted column actually decrypt. ``full=True`` decrypts every
value and names each one that fails by table, column and row — nothing is changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

from sqlalchemy import Table, inspect, select, type_coerce

from core.platform.crypto import (
    CiphertextError,
    EncryptedBytes,
    EncryptedString,
    KeyConfigError,
    registry,
    version_of,
)
from core.platform.db import Base
from core.ops.sealed_rotation import check_sealed

BATCH = 2000


@dataclass(frozen=True)
class SensitiveColumn:
    table: Table
    name: str

    @property
    def label(self) -> str:
        return self.table.c[self.name].type.label

    @property
    def where(self) -> str:
        return f"{self.table.name}.{self.name}"


def sensitive_columns(bind) -> list[SensitiveColumn]:
    """Every encrypted column of every table present in the database (core and plugins)."""
    present = set(inspect(bind).get_table_names())
    return [SensitiveColumn(table, column.name)
            for table in Base.metadata.sorted_tables if table.name in present
            for column in table.columns if isinstance(column.type, (EncryptedString, EncryptedBytes))]


@dataclass
class KeyReport:
    source: str = ""
    active: int | None = None
    versions: dict[int, str] = field(default_factory=dict)     # version → algorithm
    problems: list[str] = field(default_factory=list)
    unreadable: list[CiphertextError] = field(default_factory=list)
    counts: dict[str, dict[int, int]] = field(default_factory=dict)   # column → version → values
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unreadable


def _primary_key(table: Table):
    (pk,) = table.primary_key.columns  # every sensitive table has a one-column key
    return pk


def scan(conn, column: SensitiveColumn, *, batch: int = BATCH, limit: int | None = None) -> Iterator[tuple]:
    """``(row id, stored value)`` for every non-empty value, in primary-key order, in batches."""
    table, pk = column.table, _primary_key(column.table)
    # The stored ciphertext as it is, not decrypted on the way out.
    value = type_coerce(table.c[column.name], table.c[column.name].type.impl)
    last, seen = None, 0
    while True:
        stmt = select(pk, value).where(value.isnot(None))
        if last is not None:
            stmt = stmt.where(pk > last)
        rows = conn.execute(stmt.order_by(pk).limit(batch)).all()
        for row_id, stored_value in rows:
            if stored_value in ("", b""):
                continue
            yield row_id, stored_value
            seen += 1
            if limit is not None and seen >= limit:
                return
        if len(rows) < batch:
            return
        last = rows[-1][0]


def _open(ring, column: SensitiveColumn, stored):
    opener = ring.decrypt_bytes if isinstance(column.table.c[column.name].type, EncryptedBytes) else ring.decrypt
    return opener(stored if not isinstance(stored, memoryview) else bytes(stored), column.label)


def check(quanke, *, full: bool = False, progress: Callable[[int], None] | None = None) -> KeyReport:
    """The report ``quanke keys check`` prints; ``report.ok`` says whether to serve."""
    report = KeyReport(source=quanke.keys.describe())
    try:
        ring = quanke.keys.ring(refresh=True, generate=False)
    except KeyConfigError as exc:
        report.problems.append(exc.message)
        return report
    report.active = ring.active_version
    report.versions = {v: k.algorithm for v, k in sorted(ring.keys.items())}
    with quanke.db.engine.connect() as conn:
        if registry.KeyRecord.__tablename__ in inspect(conn).get_table_names():
            report.problems += registry.problems(conn, ring)
        for column in sensitive_columns(conn):
            counts = report.counts.setdefault(column.where, {})
            for row_id, stored in scan(conn, column, limit=None if full else 1):
                counts[version_of(stored) or 0] = counts.get(version_of(stored) or 0, 0) + 1
                try:
                    _open(ring, column, stored)
                except CiphertextError as exc:
                    report.unreadable.append(exc.at_row(row_id))
                report.checked += 1
                if progress:
                    progress(1)
        check_sealed(conn, ring, report, full=full)   # sensitive fields inside form data
    return report


def readiness_check(quanke) -> str:
    """``/readyz``: keys readable, the database's, and a sample of each column decrypts."""
    report = check(quanke)
    if not report.ok:
        first = (report.problems or [e.message for e in report.unreadable])[0]
        raise KeyConfigError(first, code="keys_not_ready")
    return f"key version {report.active}"


def register_keys(quanke) -> list[str]:
    """Record the check values of the configured keys (``quanke db upgrade``, after rotation)."""
    with quanke.db.engine.begin() as conn:
        if registry.KeyRecord.__tablename__ not in inspect(conn).get_table_names():
            return []   # upgraded to a revision before core_0011
        return registry.register(conn, quanke.keys.ring())


__all__ = ["KeyReport", "SensitiveColumn", "check", "readiness_check", "register_keys",
           "scan", "sensitive_columns"]
