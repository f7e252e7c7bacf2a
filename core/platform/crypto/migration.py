"""Data migrations that encrypt existing plaintext in place (and decrypt it on downgrade).

Called from an Alembic revision with its connection: rows are read and written in batches of
``batch`` by primary key (memory stays flat at district scale), inside the migration's one
transaction — a failure leaves the database as it was. Values already encrypted are left
alone, so a revision that failed half-way and is run again does no double work.
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.platform.crypto.cipher import is_ciphertext
from core.platform.crypto.columns import normalise_for_index, ring_of

BATCH = 1000


def _rows(conn: Connection, table: sa.Table, pk: str, names: list[str], batch: int):
    last = None
    while True:
        stmt = sa.select(table.c[pk], *(table.c[n] for n in names)).order_by(table.c[pk]).limit(batch)
        if last is not None:
            stmt = stmt.where(table.c[pk] > last)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def encrypt_rows(conn: Connection, table_name: str, *, columns: dict[str, str],
                 indexes: dict[str, tuple[str, str]] | None = None, pk: str = "id",
                 binary: frozenset[str] = frozenset(), batch: int = BATCH,
                 progress: Callable[[int], None] | None = None) -> int:
    """Encrypt ``columns`` (name → label) and fill blind ``indexes`` (index column →
    (source column, domain)) of every row; returns how many rows were changed."""
    ring = ring_of(conn)
    indexes = indexes or {}
    names = sorted(set(columns) | {source for source, _ in indexes.values()} | set(indexes))
    table = _table(table_name, pk, names, binary)
    changed = 0
    for rows in _rows(conn, table, pk, names, batch):
        updates = []
        for row in rows:
            values = dict(zip(names, row[1:]))
            stored = dict(values)
            for n, label in columns.items():
                v = values[n]
                if v is None or v in ("", b"") or is_ciphertext(v):
                    continue
                values[n] = (ring.encrypt_bytes(bytes(v), label) if n in binary
                             else ring.encrypt(str(v), label))
            for index_col, (source, domain) in indexes.items():
                if values[index_col]:
                    continue
                source_value = stored[source]
                if is_ciphertext(source_value):   # encrypted before, its index still empty
                    source_value = ring.decrypt(source_value, columns[source])
                text = normalise_for_index(str(source_value or ""))
                values[index_col] = ring.blind_index(domain, text) if text else None
            if values != stored:
                updates.append(_params(row[0], values))
        if updates:
            conn.execute(_update(table, pk, names), updates)
            changed += len(updates)
        if progress:
            progress(len(rows))
    return changed


def decrypt_rows(conn: Connection, table_name: str, *, columns: dict[str, str], pk: str = "id",
                 binary: frozenset[str] = frozenset(), batch: int = BATCH) -> int:
    """The downgrade: every ciphertext in ``columns`` back to plaintext (the key is needed)."""
    ring = ring_of(conn)
    names = sorted(columns)
    table = _table(table_name, pk, names, binary)
    changed = 0
    for rows in _rows(conn, table, pk, names, batch):
        updates = []
        for row in rows:
            values = dict(zip(names, row[1:]))
            if not any(is_ciphertext(v) for v in values.values()):
                continue
            for n, label in columns.items():
                if is_ciphertext(values[n]):
                    values[n] = (ring.decrypt_bytes(values[n], label) if n in binary
                                 else ring.decrypt(values[n], label))
            updates.append(_params(row[0], values))
        if updates:
            conn.execute(_update(table, pk, names), updates)
            changed += len(updates)
    return changed


def hash_rows(conn: Connection, table_name: str, column: str, domain: str, *, pk: str = "id",
              batch: int = BATCH) -> int:
    """Replace plain values of ``column`` by their blind index (a column kept only to look up)."""
    ring = ring_of(conn)
    table = _table(table_name, pk, [column], frozenset())
    changed = 0
    for rows in _rows(conn, table, pk, [column], batch):
        updates = [_params(row_id, {column: ring.blind_index(domain, normalise_for_index(v))})
                   for row_id, v in rows if v and not _is_digest(v)]
        if updates:
            conn.execute(_update(table, pk, [column]), updates)
            changed += len(updates)
    return changed


def _table(name: str, pk: str, names: list[str], binary: frozenset[str]) -> sa.TableClause:
    # Plain column types: the stored values as they are, not through EncryptedString.
    return sa.table(name, sa.column(pk, sa.Integer),
                    *(sa.column(n, sa.LargeBinary if n in binary else sa.Text) for n in names))


def _update(table: sa.Table, pk: str, names: list[str]):
    # Parameter names must differ from the column names (SQLAlchemy reserves those for SET).
    return (table.update().where(table.c[pk] == sa.bindparam("where_pk"))
            .values({n: sa.bindparam(f"p_{n}") for n in names}))


def _params(key, values: dict) -> dict:
    return {"where_pk": key, **{f"p_{n}": v for n, v in values.items()}}


def _is_digest(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
