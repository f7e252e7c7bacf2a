"""Key rotation for sealed JSON columns (form data, courier addresses): each sealed value inside
the document is re-encrypted under the active key (see :mod:`core.ops.key_rotation`).

The ciphertexts sit inside JSON, so stale values are found in Python: only rows whose stored
text carries the ``"_sealed"`` list are read, in primary-key batches, one short transaction
each, compare-and-set on the whole stored document (an edit meanwhile wins). Resumable like the
rest: what is done shows in the versions inside each document.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import JSON, String, Table, bindparam, cast, func, inspect, select, type_coerce, update

from core.platform.crypto import CiphertextError, version_of
from core.platform.crypto.sealed import MARK, SealedJSON, reseal
from core.platform.db import Base


@dataclass(frozen=True)
class SealedColumn:
    table: Table
    name: str

    @property
    def where(self) -> str:
        return f"{self.table.name}.{self.name}"

    @property
    def label(self) -> str:
        return self.table.c[self.name].type.label


def sealed_columns(bind) -> list[SealedColumn]:
    present = set(inspect(bind).get_table_names())
    return [SealedColumn(t, c.name) for t in Base.metadata.sorted_tables if t.name in present
            for c in t.columns if isinstance(c.type, SealedJSON)]


def _rows(conn, column: SealedColumn, batch: int):
    (pk,) = column.table.primary_key.columns
    stored = type_coerce(column.table.c[column.name], JSON)
    marked = cast(column.table.c[column.name], String).contains(f'"{MARK}"')
    last = None
    while True:
        stmt = select(pk, stored).where(marked)
        if last is not None:
            stmt = stmt.where(pk > last)
        rows = conn.execute(stmt.order_by(pk).limit(batch)).all()
        yield rows
        if len(rows) < batch:
            return
        last = rows[-1][0]


def _is_stale(document, active: int) -> bool:
    return isinstance(document, dict) and any(
        version_of(document.get(k)) not in (None, active) for k in document.get(MARK) or ())


def stale_sealed(quanke, active: int, batch: int = 2000) -> dict[str, int]:
    """Documents still holding a value under another key version, per column."""
    out = {}
    with quanke.db.engine.connect() as conn:
        for column in sealed_columns(conn):
            out[column.where] = sum(_is_stale(doc, active) for rows in _rows(conn, column, batch)
                                    for _, doc in rows)
    return out


def rotate_sealed(quanke, report, batch: int, progress: Callable[[int], None] | None) -> None:
    ring = quanke.keys.ring(refresh=True, generate=False)
    with quanke.db.engine.connect() as conn:
        columns = sealed_columns(conn)
    for column in columns:
        table = column.table
        (pk,) = table.primary_key.columns
        raw = type_coerce(table.c[column.name], JSON)
        swap = (update(table).where(pk == bindparam("k_pk"),
                                    cast(table.c[column.name], String) == bindparam("k_old", type_=String))
                .values({column.name: bindparam("k_new", type_=JSON)}))
        last = None
        while True:
            with quanke.db.engine.begin() as conn:
                marked = cast(table.c[column.name], String).contains(f'"{MARK}"')
                stmt = select(pk, raw, cast(table.c[column.name], String)).where(marked)
                if last is not None:
                    stmt = stmt.where(pk > last)
                rows = conn.execute(stmt.order_by(pk).limit(batch)).all()
                changes = []
                for row_id, doc, text in rows:
                    try:
                        new = reseal(ring, doc, column.label) if isinstance(doc, dict) else None
                    except CiphertextError as exc:
                        report.unreadable.append(exc.at_row(row_id))
                        continue
                    if new is not None:
                        changes.append({"k_pk": row_id, "k_old": text, "k_new": new})
                if changes:
                    done = conn.execute(swap, changes).rowcount
                    done = len(changes) if done in (None, -1) else done
                    report.rotated += done
                    report.skipped_changed += len(changes) - done
            if progress and rows:
                progress(len(rows))
            if len(rows) < batch:
                break
            last = rows[-1][0]


#: /readyz looks for a sealed document among this many newest rows of each column's table:
#: searching the whole table for the mark would read every row (a million applications) on
#: every probe when no service seals any field.
READY_WINDOW = 1000


def _newest(conn, column: SealedColumn):
    """The newest sealed document among the table's last READY_WINDOW rows (an index range)."""
    (pk,) = column.table.primary_key.columns
    stored = type_coerce(column.table.c[column.name], JSON)
    marked = cast(column.table.c[column.name], String).contains(f'"{MARK}"')
    newest = conn.execute(select(func.max(pk))).scalar()
    if newest is None:
        return []
    return conn.execute(select(pk, stored).where(marked, pk > newest - READY_WINDOW)
                        .order_by(pk.desc()).limit(1)).all()


def check_sealed(conn, ring, report, *, full: bool = False, batch: int = 2000) -> None:
    """``quanke keys check``: the sealed values decrypt (every document with ``full``; for
    /readyz the newest sealed document of each column, if one is among the newest rows)."""
    for column in sealed_columns(conn):
        counts = report.counts.setdefault(column.where, {})
        for rows in (_rows(conn, column, batch) if full else [_newest(conn, column)]):
            for row_id, doc in rows:
                if not isinstance(doc, dict):
                    continue
                for key in doc.get(MARK) or ():
                    version = version_of(doc.get(key)) or 0
                    counts[version] = counts.get(version, 0) + 1
                    try:
                        ring.decrypt(doc.get(key), f"{column.label}.{key}")
                    except CiphertextError as exc:
                        report.unreadable.append(exc.at_row(row_id))
                    report.checked += 1
                if not full:
                    break
            if not full:
                break
