"""Database plumbing: declarative base, engine and session factory.

SQLite (a file under ``instance/``) is the embedded default; PostgreSQL via ``DATABASE_URL``
in production. Both go through the same models and Alembic migrations.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every table of the core and of every plugin hangs off this metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC — the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy, not pysqlite, open transactions (see _begin_immediate).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):  # pragma: no cover - trivial
            # Take the write lock up front: a read-then-write transaction (claiming,
            # bumping the audit chain) must not find its snapshot stale at the write.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    ping_after = kwargs.pop("ping_after_idle", PING_AFTER_IDLE)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_idle_connections(engine, ping_after)
    return engine


#: Seconds a pooled connection may sit unused before it is tested on checkout.
PING_AFTER_IDLE = 1.0


def _ping_idle_connections(engine: Engine, after: float) -> None:
    """Pre-ping only connections that sat idle: a round trip per checkout is a fifth of a
    short transaction, and a connection used a moment ago is alive. One broken since then
    (a restart of PostgreSQL within the second) fails its statement, which invalidates the
    whole pool, so the next checkout connects afresh."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # pragma: no cover - trivial
        record.info["quanke_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy):
        since = record.info.get("quanke_idle_since")
        if since is None or time.monotonic() - since < after:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
            dbapi_conn.rollback()  # the ping's implicit transaction (psycopg) ends here
        except Exception as exc:  # the pool retries the checkout with a new connection
            raise DisconnectionError(f"stale connection: {exc!r}") from exc


#: ``session.info`` key: this transaction appended audit events (the chain is sealed after it).
AUDIT_PENDING = "quanke_audit_pending"
#: Seals the audit chain in this process: :func:`core.platform.audit.seal`, which registers
#: itself here (the database below knows nothing of what the audit log is).
INLINE_SEALER: Callable[[Engine], None] | None = None


class Database:
    """An engine plus its session factory; one per core instance (never a process global)."""

    def __init__(self, url: str, **engine_kwargs):
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        #: Called after a commit that appended audit events; None seals inline right away.
        #: With Redis the job runner sets it to enqueue the sealer (core.jobs).
        self.audit_sealer: Callable[[], None] | None = None

        event.listen(self.sessionmaker, "after_commit", self._after_commit)
        event.listen(self.sessionmaker, "after_rollback", self._after_rollback)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(AUDIT_PENDING, False):
            self.request_seal()

    def request_seal(self) -> None:
        """Seal the audit chain now (no job runner) or have a worker do it."""
        try:
            if self.audit_sealer is None:
                if INLINE_SEALER is not None:  # (pending events mean the audit module is loaded)
                    INLINE_SEALER(self.engine)
            else:
                self.audit_sealer()
        except Exception:  # noqa: BLE001 - the change is committed; the scheduled sealer catches up
            log.exception("sealing the audit chain after commit failed")

    @staticmethod
    def take_seal_request(session: Session) -> bool:
        """Whether this transaction appended audit events; the caller then makes the seal
        request itself after the commit (together with its other jobs: one Redis round trip
        fewer) and the commit does not."""
        return session.info.pop(AUDIT_PENDING, False)

    @staticmethod
    def _after_rollback(session: Session) -> None:
        session.info.pop(AUDIT_PENDING, None)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
