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

HERE = Path(__file__).parent / "migrations"


def alembic_config(quanke) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    locations = [str(HERE / "versions")] + list(quanke.plugins.migration_locations().values())
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["quanke"] = quanke
    return cfg


def upgrade(quanke, revision: str = "heads") -> None:
    with quanke.db.engine.begin() as connection:
        cfg = alembic_config(quanke)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(quanke, revision: str) -> None:
    with quanke.db.engine.begin() as connection:
        cfg = alembic_config(quanke)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def current_heads(quanke) -> set[str]:
    with quanke.db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def expected_heads(quanke) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(quanke)).get_heads())


def is_current(quanke) -> bool:
    return current_heads(quanke) == expected_heads(quanke)


def schema_diff(quanke) -> list:
    """Differences between the migrated database and the models (empty when in step)."""
    from alembic.autogenerate import compare_metadata

    from .db import Base
    with quanke.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)
