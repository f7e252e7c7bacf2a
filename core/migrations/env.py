"""Alembic environment: runs inside ``core.migrate`` with the runtime's connection."""
from alembic import context
from sqlalchemy import create_engine

import core.audit  # noqa: F401 - register the tables on Base.metadata
import core.credit  # noqa: F401
import core.identity.models  # noqa: F401
import core.models  # noqa: F401
import core.queues  # noqa: F401 - the open-queue index on applications
import core.ratings  # noqa: F401
import core.sms  # noqa: F401
import core.tickets  # noqa: F401
import core.tokens  # noqa: F401
from core.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` CLI use
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
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


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      compare_type=True, render_as_batch=connection.dialect.name == "sqlite",
                      include_object=_include_object)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
