"""SQLite migrations that rebuild a table ("batch" mode) keep the rows of its child tables.

SQLite cannot alter most of a table in place, so Alembic's batch mode copies it to a new
table, drops the old one and renames the copy. With foreign keys on, dropping the old table
deletes every ``ON DELETE CASCADE`` child first — here the persons of every archive record.
The migration environment (core/migrations/env.py) turns foreign keys off around migrations.
"""
from __future__ import annotations

import textwrap

from sqlalchemy import func, select, text

from core import hookimpl
from core.ops import migrate
from core.ops.demo import valid_resident_id
from core.contract.host import PluginHost
from core.runtime import Quanke
from core.testing import RUN_ID, migrated
from plugins.archive_query.domain.categories import CATEGORIES
from plugins.archive_query.domain.importer import import_rows
from plugins.archive_query.models import ArchiveRecord, RecordPerson

HUSBAND = valid_resident_id("32011319700101003")
WIFE = valid_resident_id("32010619720815002")

REBUILD = '''
    """Rebuild aq_archive_records (what any batch alteration of it does on SQLite)."""
    import sqlalchemy as sa
    from alembic import op

    revision = "batch_rebuild_0001"
    down_revision = None
    branch_labels = ("batch_rebuild",)
    depends_on = "archive_query_0002"


    def upgrade():
        with op.batch_alter_table("aq_archive_records", recreate="always") as batch:
            batch.add_column(sa.Column("note", sa.String(20), nullable=True))


    def downgrade():
        with op.batch_alter_table("aq_archive_records", recreate="always") as batch:
            batch.drop_column("note")
'''


class RebuildPlugin:
    """A plugin whose only migration rebuilds the archive's parent table."""

    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def register_migrations(self):
        return str(self.folder)


def runtime(url, tmp_path, *extra) -> Quanke:
    host = PluginHost(default_plugins=("plugins.archive_query.plugin",), extra_plugins=extra,
                      load_entry_points=False)
    return Quanke({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "REDIS_URL": None,
                   "QUEUE_PREFIX": f"quanke-test-{RUN_ID}"}, plugins=host)


def counts(quanke) -> tuple[int, int]:
    with quanke.db.session() as session:
        return (session.scalar(select(func.count(ArchiveRecord.id))),
                session.scalar(select(func.count(RecordPerson.id))))


def test_a_batch_migration_of_a_parent_table_keeps_its_children_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'quanke.db'}"
    before = migrated(runtime(url, tmp_path))
    common = {"fonds_no": "T001", "item_no": "", "record_date": "1995-06-01",
              "issuing_body": "测试形成机关", "remarks": ""}
    for code, values in (
            ("marriage", {"file_no": "00001", "male_id_number": HUSBAND, "male_name": "王陌生",
                          "female_id_number": WIFE, "female_name": "李晓梅",
                          "registration_type": "结婚登记", "certificate_no": "宁玄结字第001号"}),
            ("veteran", {"file_no": "00002", "person_id_number": HUSBAND, "person_name": "王陌生",
                         "enlist_date": "1990-12-01", "discharge_date": "1994-12-01",
                         "discharge_type": "退伍", "military_unit": "32101部队"})):
        row = {c: "" for c in CATEGORIES[code].columns} | common | values
        report = import_rows(before, CATEGORIES[code], [(2, row)], source="test", actor="test")
        assert report.error_count == 0, report.errors
    assert counts(before) == (2, 3)
    before.close()

    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "batch_rebuild_0001.py").write_text(textwrap.dedent(REBUILD), encoding="utf-8")
    after = runtime(url, tmp_path, RebuildPlugin(versions))
    try:
        migrate.upgrade(after)  # the table is copied, dropped and renamed
        assert counts(after) == (2, 3)
        migrate.downgrade(after, "batch_rebuild@base")  # and back again
        assert counts(after) == (2, 3)
        with after.db.engine.connect() as conn:
            # Foreign keys are on again for the runtime's connections, and intact.
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        after.close()
