"""Alembic environment: runs inside ``core.ops.migrate`` with the runtime's connection."""
from contextlib import contextmanager

from alembic import context
from sqlalchemy import create_engine

import core.platform.audit  # noqa: F401 - register the tables on Base.metadata
import core.credit  # noqa: F401
import core.identity.models  # noqa: F401
import core.platform.models  # noqa: F401
import core.platform.crypto.registry  # noqa: F401 - crypto_keys
import core.approval.queues  # noqa: F401 - the open-queue index on applications
import core.acceptance.ratings  # noqa: F401
import core.people.sms_login  # noqa: F401
import core.acceptance.tickets  # noqa: F401
import core.people.tokens  # noqa: F401
from core.platform.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` CLI use
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:  # the migration transaction begins in _run
            _run(connection)
    else:
        _run(connection)


def _include_object(obj, name, type_, reflected, compare_to):
    # When writing a plugin's revision, look only at that plugin's tables.
    only = config.attributes.get("include_tables")
    if only is None:
        return True
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in only


@contextmanager
def _sqlite_foreign_keys_off(connection):
    """SQLite: foreign keys off while migrating, checked and back on afterwards.

    Batch mode rebuilds a table (copy, drop, rename); with foreign keys on, the drop deletes
    the rows of every ``ON DELETE CASCADE`` child table. The pragma only takes effect outside
    a transaction, so it is set on the driver connection before the migration transaction
    begins (``core.ops.migrate`` hands over a connection without one) and restored after it ends.
    """
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield False
        return
    raw = connection.connection.driver_connection
    was_on = raw.execute("PRAGMA foreign_keys").fetchone()[0]
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield True
    finally:
        if connection.in_transaction():
            # Something is still open, so the pragma cannot be restored on this connection:
            # the pool must not hand it out again without its foreign keys.
            connection.invalidate()
        elif was_on:
            raw.execute("PRAGMA foreign_keys=ON")


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    with _sqlite_foreign_keys_off(connection) as checking:
        # One transaction for all migrations on SQLite too (it has transactional DDL), so the
        # foreign-key check below runs before anything is committed.
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_type=True, render_as_batch=sqlite,
                          transactional_ddl=True if sqlite else None,
                          include_object=_include_object)
        with context.begin_transaction():
            context.run_migrations()
            if checking:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError("迁移后存在引用缺失的数据行（外键检查未通过），已回滚："
                                       f"{broken[:5]}")


run_migrations_online()
