"""Import runs: validate rows, write them in batches, report bad rows by line, audit the run.

``import_csv`` is what ``quanke archive import`` calls; ``import_rows`` takes any iterable of
``(line, values)`` (the demo data uses it), so both go through the same validation.
Memory does not grow with the file: rows are streamed, written ``batch_size`` at a time,
and only the first :data:`KEPT_ERRORS` error lines are kept in the report (every one is
passed to ``on_error`` — the CLI writes them all to a file when asked). Validating a batch
and writing the previous one overlap (a writer thread with its own connection).
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import update

from core.api import now, record_audit

from plugins.archive_query.domain.categories import Category
from plugins.archive_query.domain.loaders import loader_for
from plugins.archive_query.models import ImportRun
from plugins.archive_query.domain.parsing import IdChecker, ParsedRow, parse_row, read_csv, scan

KEPT_ERRORS = 1000
BATCH_SIZE = 5000


@dataclass
class ImportReport:
    category: str
    source: str
    import_id: int | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # first KEPT_ERRORS

    @property
    def ok(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def summary(self) -> str:
        return (f"共 {self.rows} 行：新增 {self.inserted}，更新 {self.updated}，"
                f"未变 {self.unchanged}，错误 {self.error_count}")


def _start(quanke, cat: Category, source: str, sha256: str, actor: str) -> int:
    with quanke.db.session() as session:
        run = ImportRun(category=cat.code, source=source[:255], sha256=sha256, actor=actor)
        session.add(run)
        session.flush()
        return run.id


def _finish(quanke, report: ImportReport, *, actor: str, sha256: str, failed: str = "") -> None:
    with quanke.db.session() as session:
        session.execute(update(ImportRun).where(ImportRun.id == report.import_id).values(
            finished_at=now(), status="failed" if failed else "done", rows=report.rows,
            inserted=report.inserted, updated=report.updated, unchanged=report.unchanged,
            bad_rows=report.error_count))
        record_audit(session, actor=actor, action="archive_import", object_type="aq_import",
                     object_id=report.import_id,
                     data={"category": report.category, "source": report.source,
                           "sha256": sha256, "rows": report.rows, "inserted": report.inserted,
                           "updated": report.updated, "unchanged": report.unchanged,
                           "bad_rows": report.error_count, "failed": failed})


class _Writer(threading.Thread):
    """Writes batches on its own connection while the caller validates the next batch.

    Validation is Python work and writing is database work, so the two overlap; the queue
    holds at most two batches, which bounds memory. The writer's connection lives and dies
    in this thread (temporary tables are per connection).
    """

    def __init__(self, engine, import_id: int, on_result: Callable):
        super().__init__(name="archive-import-writer", daemon=True)
        self.engine, self.import_id, self.on_result = engine, import_id, on_result
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.engine.connect() as conn:
                loader = loader_for(conn, self.import_id)
                try:
                    while (item := self.queue.get()) is not None:
                        batch, read = item
                        self.on_result(loader.load(batch), read)
                finally:
                    try:
                        loader.close()
                    except Exception:  # noqa: BLE001 - the temp tables go with the connection
                        pass
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by put()/finish()
            self.error = exc

    def put(self, item) -> None:
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        if self.is_alive():
            self.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def import_rows(quanke, cat: Category, rows: Iterable[tuple[int, dict | str]], *, source: str,
                actor: str, sha256: str = "", batch_size: int = BATCH_SIZE,
                progress: Callable[[int], None] | None = None,
                on_error: Callable[[int, str], None] | None = None,
                ids: IdChecker | None = None) -> ImportReport:
    """Validate and store rows of one category; see the module docstring."""
    report = ImportReport(cat.code, source)
    report.import_id = _start(quanke, cat, source, sha256, actor)
    lock = threading.Lock()  # the writer thread reports too

    def error(line: int, reason: str) -> None:
        with lock:
            report.error_count += 1
            if len(report.errors) < KEPT_ERRORS:
                report.errors.append((line, reason))
            if on_error:
                on_error(line, reason)

    def written(result, read: int) -> None:
        with lock:
            report.inserted += result.inserted
            report.updated += result.updated
            report.unchanged += result.unchanged
        for line, reason in sorted(result.errors):
            error(line, reason)
        if progress:
            progress(read)

    ids = ids or IdChecker()
    writer = _Writer(quanke.db.engine, report.import_id, written)
    writer.start()
    failed = ""
    batch: list[ParsedRow] = []
    first_line: dict[str, int] = {}  # within the batch; the loader checks across batches
    read = 0  # rows read since the last batch was handed over
    try:
        for line, values in rows:
            report.rows += 1
            read += 1
            if isinstance(values, str):
                error(line, values)
            else:
                try:
                    parsed = parse_row(cat, values, line, ids)
                except ValueError as exc:
                    error(line, str(exc))
                else:
                    if parsed.reference in first_line:
                        error(line, f"档号 {parsed.reference} 与第{first_line[parsed.reference]}行重复")
                    else:
                        first_line[parsed.reference] = line
                        batch.append(parsed)
            if len(batch) >= batch_size:
                writer.put((batch, read))
                batch, read = [], 0
                first_line = {}
        writer.put((batch, read))
        writer.finish()
    except BaseException as exc:
        failed = f"{type(exc).__name__}: {exc}"[:500]
        if writer.is_alive():
            try:
                writer.finish()
            except BaseException:  # noqa: BLE001 - the first error is the one to report
                pass
        raise
    finally:
        report.errors.sort()
        _finish(quanke, report, actor=actor, sha256=sha256, failed=failed)
    return report


def import_csv(quanke, cat: Category, path: str | Path, *, actor: str,
               batch_size: int = BATCH_SIZE, progress=None, on_error=None,
               sha256: str | None = None) -> ImportReport:
    """Import one category's CSV file (header checked first: a wrong header imports nothing).

    ``sha256`` may be passed by a caller that already scanned the file (:func:`scan`).
    """
    path = Path(path)
    if sha256 is None:
        _, sha256 = scan(path)
    rows = read_csv(path, cat)
    first = next(rows, None)  # reads and checks the header before a run is recorded

    def all_rows():
        if first is not None:
            yield first
        yield from rows

    return import_rows(quanke, cat, all_rows(), source=path.name, actor=actor, sha256=sha256,
                       batch_size=batch_size, progress=progress, on_error=on_error)
