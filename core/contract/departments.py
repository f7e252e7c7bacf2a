"""Declared departments (审批部门) in the database: written on ``quanke db upgrade`` and at start.

Plugins declare departments with ``register_departments``; staff roles (``approver:<code>``),
queues and the department name on certificates read the ``departments`` table, so every
declared department must be there. :func:`sync_departments` adds the missing ones and keeps
names in step; :func:`missing_departments` is what ``quanke plugins --check`` reports.
"""
from __future__ import annotations

import logging

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from core.platform.models import Department

log = logging.getLogger(__name__)


def sync_departments(quanke, session) -> int:
    """Write the departments plugins declare (names included); returns how many were added."""
    existing = {d.code: d for d in session.scalars(select(Department))}
    added = 0
    for code, name in quanke.plugins.departments.items():
        if code in existing:
            if existing[code].name != name:
                existing[code].name = name
        else:
            session.add(Department(code=code, name=name))
            added += 1
    session.flush()
    return added


def has_department_table(quanke) -> bool:
    """Whether the core's tables exist yet (an empty database has nothing to sync into)."""
    try:
        return inspect(quanke.db.engine).has_table(Department.__tablename__)
    except Exception:  # noqa: BLE001 - an unreachable database is reported elsewhere
        return False


def sync_at_start(quanke) -> int:
    """:func:`sync_departments` in its own transaction, for start-up: never raises.

    Several processes may start at once (gunicorn workers): when another one inserted the same
    department first, the insert fails on the unique code and the second try finds it.
    """
    if not has_department_table(quanke):
        log.warning("departments not synchronised: the database is not migrated (run quanke db upgrade)")
        return 0
    for attempt in (1, 2):
        try:
            with quanke.db.session() as session:
                return sync_departments(quanke, session)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0  # pragma: no cover - the loop returns or raises


def missing_departments(quanke) -> dict[str, list[str]]:
    """Per enabled plugin: departments it declares that the database lacks (none without the table)."""
    if not has_department_table(quanke):
        return {}
    with quanke.db.session() as session:
        stored = set(session.scalars(select(Department.code)))
    out: dict[str, list[str]] = {}
    for info in quanke.plugins.plugins():
        if not info.enabled:
            continue  # its start-up error is the problem to fix first
        for code in info.departments:
            if code not in stored:
                name = quanke.plugins.departments.get(code, "")
                out.setdefault(info.name, []).append(
                    f"部门 {code}（{name}）未写入数据库：无法给人员授予 approver:{code} 等角色"
                    f"（运行 quanke db upgrade）")
    return out
