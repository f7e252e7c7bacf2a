"""Alembic, wired to the runtime: the core branch plus one branch per plugin.

``quanke db upgrade`` applies every branch's head. Plugins give their ``versions`` folder
through the ``register_migrations`` hook; their first revision depends on ``core_0001``.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HERE = Path(__file__).parents[1] / "migrations"  # core/migrations: the core's own Alembic branch


def alembic_config(quanke) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    locations = [str(HERE / "versions")] + list(quanke.plugins.migration_locations().values())
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["quanke"] = quanke
    return cfg


def upgrade(quanke, revision: str = "heads") -> None:
    """Apply migrations, then write the departments plugins declare (a fresh instance needs
    them before ``quanke user create … --role approver:<部门>``)."""
    # No transaction yet: env.py begins it (after turning SQLite's foreign keys off).
    with quanke.db.engine.connect() as connection:
        cfg = alembic_config(quanke)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
    from core.ops.keys import register_keys
    register_keys(quanke)   # the check values of the keys that will write from now on
    from core.contract.departments import sync_at_start
    sync_at_start(quanke)
    if revision == "heads":   # the tables the recomputation reads are all there
        from core.ops.holidays import load_configured_holidays
        load_configured_holidays(quanke)


def downgrade(quanke, revision: str) -> None:
    with quanke.db.engine.connect() as connection:
        cfg = alembic_config(quanke)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def current_heads(quanke) -> set[str]:
    with quanke.db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def expected_heads(quanke) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(quanke)).get_heads())


def missing_heads(quanke) -> set[str]:
    """Heads of branches not applied yet. A head that a plugin's migration depends on
    (``depends_on``) is not stored as a head of its own once that migration ran, so this
    compares what the stored heads reach, not the two sets of heads."""
    current = current_heads(quanke)
    script = ScriptDirectory.from_config(alembic_config(quanke))
    expected = set(script.get_heads())
    try:
        reached = {rev.revision for rev in script.iterate_revisions(tuple(current), "base")}
    except Exception:  # noqa: BLE001 - a stored revision the scripts do not know
        return expected - current
    return expected - reached


def is_current(quanke) -> bool:
    """Every head of every branch is applied."""
    return not missing_heads(quanke)


def schema_diff(quanke) -> list:
    """Differences between the migrated database and the models (empty when in step)."""
    from alembic.autogenerate import compare_metadata

    from core.platform.db import Base
    with quanke.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def tables_of(package: str) -> set[str]:
    """Names of the tables whose models are defined in ``package`` (a plugin's package)."""
    from core.platform.db import Base
    return {m.local_table.name for m in Base.registry.mappers
            if m.class_.__module__ == package or m.class_.__module__.startswith(package + ".")}


def new_revision(quanke, plugin: str, message: str, rev_id: str | None = None):
    """Autogenerate a revision for one branch (``core`` or a plugin) from its models' tables.

    The database must be at the current heads; the new revision contains only the changes
    to that branch's tables.
    """
    cfg = alembic_config(quanke)
    if plugin == "core":
        package, location = "core", str(HERE / "versions")
    else:
        info = quanke.plugins.infos[plugin]
        package = info.module.rsplit(".", 1)[0] if info.module.endswith(".plugin") else info.module
        location = quanke.plugins.migration_locations()[plugin]
    cfg.attributes["include_tables"] = tables_of(package)
    script = ScriptDirectory.from_config(cfg)
    branch_exists = any(plugin in (r.branch_labels or ()) for r in script.walk_revisions())
    with quanke.db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        kwargs = {"head": f"{plugin}@head"} if branch_exists else {
            "head": "base", "branch_label": plugin, "depends_on": "core_0001"}
        script = command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id,
                                  version_path=location, **kwargs)
    if plugin != "core" and script is not None:
        _public_types(Path(script.path))
    return script


def _public_types(path: Path) -> None:
    """A plugin imports only ``core.api``, its migrations too: autogenerate names the core's
    column type by its internal module (``core.platform.db.UTCDateTime``)."""
    text = path.read_text(encoding="utf-8")
    fixed = text.replace("core.platform.db.UTCDateTime(", "UTCDateTime(")
    fixed = fixed.replace("import core.platform.db\n",
                          "from core.api import UTCDateTime\n" if "UTCDateTime(" in fixed else "")
    if fixed != text:
        path.write_text(fixed, encoding="utf-8")
