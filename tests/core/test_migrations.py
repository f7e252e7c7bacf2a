"""Alembic: the migrated schema equals the models, on PostgreSQL and SQLite."""
from click.testing import CliRunner

from core.ops import migrate
from core.ops.cli import main
from core.testing import postgres_database, runtime


def test_migrated_schema_has_no_diff(any_quanke):
    assert migrate.is_current(any_quanke)
    assert migrate.schema_diff(any_quanke) == []


def test_one_branch_per_plugin(quanke):
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(migrate.alembic_config(quanke))
    roots = {label: rev for rev in script.walk_revisions() for label in rev.branch_labels or ()}
    assert {"core", "business_license", "archive_query", "legal_aid", "timebank"} <= set(roots)
    for plugin in ("business_license", "archive_query", "legal_aid", "timebank"):
        assert roots[plugin].down_revision is None
        assert roots[plugin].dependencies == "core_0001"


def test_db_upgrade_command_on_a_fresh_postgres_database(tmp_path):
    with postgres_database("quanke_mig") as url:
        result = CliRunner().invoke(main, ["db", "upgrade"],
                                    env={"DATABASE_URL": url, "QUANKE_INSTANCE_PATH": str(tmp_path)})
        assert result.exit_code == 0, result.output
        assert "数据库已迁移到最新版本" in result.output
        probe = runtime(url, tmp_path)
        try:
            assert migrate.is_current(probe) and migrate.schema_diff(probe) == []
        finally:
            probe.close()
