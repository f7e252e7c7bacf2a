"""Writing validated batches into the archive store: portable Core inserts, or PostgreSQL COPY.

Both loaders work on one connection held for the whole import and one transaction per batch,
so memory stays flat and a crash loses at most the batch in flight (a re-run finishes the
job: re-import is idempotent). Both keep a temporary table of the references seen in this
run, so a reference repeated anywhere in the file is reported as a duplicate of the line where
it first appeared, without holding a million references in Python.

A batch is classified against the store by ``reference``: new → inserted with its persons;
same ``row_hash`` → unchanged; different hash → updated (persons replaced). A reference that
belongs to another category is an error, never a silent re-classification.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.engine import Connection

from core.api import now

from plugins.archive_query.models import ArchiveRecord, RecordPerson
from plugins.archive_query.domain.parsing import ParsedRow

RECORDS = ArchiveRecord.__table__
PERSONS = RecordPerson.__table__


@dataclass
class BatchResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _category_label(code: str) -> str:
    from plugins.archive_query.domain.categories import CATEGORIES
    return CATEGORIES[code].label if code in CATEGORIES else code


class PortableLoader:
    """SQLAlchemy Core ``executemany`` — SQLite (embedded) and any other database."""

    def __init__(self, conn: Connection, import_id: int):
        self.conn, self.import_id = conn, import_id
        conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS aq_import_seen "
                          "(reference VARCHAR(100) PRIMARY KEY, line INTEGER NOT NULL)"))
        conn.execute(text("DELETE FROM aq_import_seen"))
        conn.commit()

    def close(self) -> None:
        self.conn.execute(text("DROP TABLE IF EXISTS aq_import_seen"))
        self.conn.commit()

    def _drop_seen(self, rows: list[ParsedRow], out: BatchResult) -> list[ParsedRow]:
        refs = [r.reference for r in rows]
        earlier = dict(self.conn.execute(
            text("SELECT reference, line FROM aq_import_seen WHERE reference IN :refs")
            .bindparams(bindparam("refs", expanding=True)), {"refs": refs}).all()) if refs else {}
        keep = []
        for row in rows:
            if row.reference in earlier:
                out.errors.append((row.line, f"档号 {row.reference} 与第{earlier[row.reference]}行重复"))
            else:
                keep.append(row)
        if keep:
            self.conn.execute(text("INSERT INTO aq_import_seen (reference, line) VALUES (:r, :l)"),
                              [{"r": r.reference, "l": r.line} for r in keep])
        return keep

    def load(self, rows: list[ParsedRow]) -> BatchResult:
        out = BatchResult()
        conn = self.conn
        with conn.begin():
            rows = self._drop_seen(rows, out)
            if not rows:
                return out
            existing = {ref: (rid, category, digest) for rid, ref, category, digest in conn.execute(
                select(RECORDS.c.id, RECORDS.c.reference, RECORDS.c.category, RECORDS.c.row_hash)
                .where(RECORDS.c.reference.in_([r.reference for r in rows])))}
            stamp = now()
            new, changed = [], []
            for row in rows:
                found = existing.get(row.reference)
                if found is None:
                    new.append(row)
                elif found[1] != row.record["category"]:
                    out.errors.append((row.line, f"档号 {row.reference} 已属于{_category_label(found[1])}，"
                                                 "不能作为另一类档案导入"))
                elif found[2] == row.record["row_hash"]:
                    out.unchanged += 1
                else:
                    changed.append((found[0], row))
            ids: dict[str, int] = {}
            if new:
                result = conn.execute(
                    insert(RECORDS).returning(RECORDS.c.id, RECORDS.c.reference),
                    [{**r.record, "import_id": self.import_id, "updated_at": stamp} for r in new])
                ids = {ref: rid for rid, ref in result}
                out.inserted = len(new)
            if changed:
                conn.execute(
                    update(RECORDS).where(RECORDS.c.id == bindparam("_id")).values(
                        {c: bindparam(c) for c in ("category", "fonds_no", "file_no", "item_no",
                                                   "record_date", "issuing_body", "fields",
                                                   "row_hash", "import_id", "updated_at")}),
                    [{**{k: v for k, v in r.record.items() if k != "reference"}, "_id": rid,
                      "import_id": self.import_id, "updated_at": stamp} for rid, r in changed])
                conn.execute(delete(PERSONS).where(PERSONS.c.record_id.in_([rid for rid, _ in changed])))
                ids.update({r.reference: rid for rid, r in changed})
                out.updated = len(changed)
            # The blind index binds the plain ID (hashed as it is bound), like the ORM would.
            persons = [{**p, "id_number_index": p["id_number"], "record_id": ids[r.reference]}
                       for r in new + [r for _, r in changed] for p in r.persons]
            if persons:
                conn.execute(insert(PERSONS), persons)
        return out


class PostgresCopyLoader:
    """PostgreSQL: ``COPY`` each batch into temporary staging tables, then set-based SQL.

    One ``INSERT … ON CONFLICT (reference) DO UPDATE … WHERE same category AND row_hash
    differs`` classifies and writes the whole batch; ``xmax = 0`` tells inserted rows from
    updated ones, and only the rows it left alone are looked up again (unchanged, or another
    category's reference).
    """

    STAGE = """
        CREATE TEMP TABLE IF NOT EXISTS aq_stage_records (
            line integer, reference varchar(100), category varchar(24), fonds_no varchar(32),
            file_no varchar(32), item_no varchar(32), record_date date,
            issuing_body varchar(100), fields text, row_hash varchar(32)) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS aq_stage_persons (
            reference varchar(100), id_number text, id_number_index varchar(32), name varchar(30),
            role varchar(16), position smallint, birth_year smallint) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS aq_stage_done (
            id integer, reference varchar(100), inserted boolean) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS aq_import_seen (
            reference varchar(100) PRIMARY KEY, line integer NOT NULL);
        TRUNCATE aq_import_seen;
    """

    def __init__(self, conn: Connection, import_id: int):
        self.conn, self.import_id = conn, import_id
        self.raw = conn.connection.driver_connection  # psycopg.Connection, same transaction
        self.wrote = 0  # rows inserted or updated
        with conn.begin():
            with self.raw.cursor() as cur:
                cur.execute(self.STAGE)

    def close(self) -> None:
        with self.conn.begin():
            with self.raw.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS aq_stage_records, aq_stage_persons, "
                            "aq_stage_done, aq_import_seen")
        if self.wrote:
            # Fresh statistics right away (autovacuum may take minutes): lookups made just
            # after a large import get the index plan, not one meant for an empty table.
            with self.conn.begin():
                with self.raw.cursor() as cur:
                    cur.execute("ANALYZE aq_archive_records, aq_record_persons")

    def load(self, rows: list[ParsedRow]) -> BatchResult:
        out = BatchResult()
        if not rows:
            return out
        # COPY bypasses the column types: encrypt and index here, as the types would.
        dialect = self.conn.dialect
        seal_fields = RECORDS.c.fields.type.process_bind_param
        seal_id = PERSONS.c.id_number.type.process_bind_param
        index_id = PERSONS.c.id_number_index.type.process_bind_param
        with self.conn.begin(), self.raw.cursor() as cur:
            with cur.copy("COPY aq_stage_records (line, reference, category, fonds_no, file_no, "
                          "item_no, record_date, issuing_body, fields, row_hash) FROM STDIN") as cp:
                for r in rows:
                    rec = r.record
                    cp.write_row((r.line, r.reference, rec["category"], rec["fonds_no"],
                                  rec["file_no"], rec["item_no"], rec["record_date"],
                                  rec["issuing_body"], seal_fields(rec["fields"], dialect),
                                  rec["row_hash"]))
            with cur.copy("COPY aq_stage_persons (reference, id_number, id_number_index, name, role, "
                          "position, birth_year) FROM STDIN") as cp:
                for r in rows:
                    for p in r.persons:
                        cp.write_row((r.reference, seal_id(p["id_number"], dialect),
                                      index_id(p["id_number"], dialect), p["name"], p["role"],
                                      p["position"], p["birth_year"]))
            # Repeated in this file (an earlier batch): each reference claims its place in
            # aq_import_seen; one already there was an earlier line (report and drop). An index
            # probe per row, not a join with the whole (growing) table of references seen.
            cur.execute("""
                WITH claimed AS (
                    INSERT INTO aq_import_seen (reference, line)
                    SELECT reference, line FROM aq_stage_records
                    ON CONFLICT (reference) DO NOTHING RETURNING reference)
                DELETE FROM aq_stage_records s
                WHERE NOT EXISTS (SELECT 1 FROM claimed c WHERE c.reference = s.reference)
                RETURNING s.line, s.reference,
                    (SELECT seen.line FROM aq_import_seen seen WHERE seen.reference = s.reference)""")
            for line, ref, first in cur.fetchall():
                out.errors.append((line, f"档号 {ref} 与第{first}行重复"))
            cur.execute("""
                WITH up AS (
                    INSERT INTO aq_archive_records AS r (category, reference, fonds_no, file_no,
                        item_no, record_date, issuing_body, fields, row_hash, import_id, updated_at)
                    SELECT category, reference, fonds_no, file_no, item_no, record_date,
                           issuing_body, fields, row_hash, %(import_id)s, now() AT TIME ZONE 'utc'
                    FROM aq_stage_records
                    ON CONFLICT (reference) DO UPDATE SET
                        fonds_no = EXCLUDED.fonds_no, file_no = EXCLUDED.file_no,
                        item_no = EXCLUDED.item_no, record_date = EXCLUDED.record_date,
                        issuing_body = EXCLUDED.issuing_body, fields = EXCLUDED.fields,
                        row_hash = EXCLUDED.row_hash, import_id = EXCLUDED.import_id,
                        updated_at = EXCLUDED.updated_at
                    WHERE r.category = EXCLUDED.category
                      AND r.row_hash IS DISTINCT FROM EXCLUDED.row_hash
                    RETURNING r.id, r.reference, (r.xmax = 0) AS inserted)
                INSERT INTO aq_stage_done (id, reference, inserted) SELECT * FROM up""",
                        {"import_id": self.import_id})
            # Neither inserted nor updated: unchanged, or a reference already used by another
            # category (an error, never a silent re-classification). Only these rows are looked
            # up again — none at all in a first import.
            cur.execute("""
                SELECT s.line, s.reference, r.category
                FROM aq_stage_records s JOIN aq_archive_records r ON r.reference = s.reference
                WHERE NOT EXISTS (SELECT 1 FROM aq_stage_done d WHERE d.reference = s.reference)
                  AND r.category <> s.category""")
            other = cur.fetchall()
            for line, ref, category in other:
                out.errors.append((line, f"档号 {ref} 已属于{_category_label(category)}，不能作为另一类档案导入"))
            cur.execute("DELETE FROM aq_record_persons p USING aq_stage_done d "
                        "WHERE p.record_id = d.id AND NOT d.inserted")
            cur.execute("""
                INSERT INTO aq_record_persons (record_id, id_number, id_number_index, name, role,
                                               position, birth_year)
                SELECT d.id, s.id_number, s.id_number_index, s.name, s.role, s.position, s.birth_year
                FROM aq_stage_done d JOIN aq_stage_persons s ON s.reference = d.reference""")
            cur.execute("SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
                        "FROM aq_stage_done")
            out.inserted, out.updated = cur.fetchone()
            self.wrote += out.inserted + out.updated
            cur.execute("SELECT count(*) FROM aq_stage_records")
            staged = cur.fetchone()[0]
            out.unchanged = staged - out.inserted - out.updated - len(other)
        return out


def loader_for(conn: Connection, import_id: int):
    """COPY on PostgreSQL through psycopg 3; portable inserts everywhere else."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        return PostgresCopyLoader(conn, import_id)
    return PortableLoader(conn, import_id)
