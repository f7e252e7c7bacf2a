"""Declarations: hooks called once at start-up."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.contract.hookspecs.marker import hookspec

if TYPE_CHECKING:  # pragma: no cover
    import click
    from flask import Blueprint

    from core.contract.services import ServiceDef


# ---------------------------------------------------------------------------------------------
# Declarations (called once at start-up)
# ---------------------------------------------------------------------------------------------

@hookspec
def register_services() -> "list[ServiceDef] | None":
    """Declare the service items (事项) this plugin offers.

    Called once when the core starts. Return a list of :class:`core.contract.services.ServiceDef`;
    ``None`` or an empty list means the plugin offers no service (it may still add checks,
    pages or jobs). Service codes must be unique across all plugins, the department must be
    one the core knows (see :func:`register_departments`), and the form and materials must be
    valid; otherwise start-up stops with an error naming this plugin. A bare ``ServiceDef``
    (not in a list) is such an error too (:mod:`core.contract.answers` checks the shape of
    every registration hook's answer at start-up).
    """


@hookspec
def register_departments() -> "list[tuple[str, str]] | None":
    """Declare approving departments as ``(code, Chinese name)`` pairs.

    Called once at start-up, before services are validated. The same code declared by two
    plugins is fine when the names agree (a department is shared, not owned). ``None`` means
    none. Departments (codes and names, the names shown on certificates) are written to the
    database by ``quanke db upgrade``, at start (web app, worker) and by ``demo-data``;
    ``quanke plugins --check`` reports a declared department the database lacks.
    """


@hookspec
def register_blueprints() -> "list[Blueprint] | None":
    """Return Flask blueprints for this plugin's own pages and API.

    Called once by :func:`web.create_app`. Plugin API routes belong under
    ``/api/v1/<plugin>/``. ``None`` means the plugin has no pages.
    """


@hookspec
def register_commands() -> "list[click.Command] | None":
    """Return click commands added to the ``quanke`` CLI (e.g. ``quanke archive import``).

    Called once when the CLI starts. ``None`` means no commands.
    """


@hookspec
def register_jobs() -> "list[dict] | None":
    """Declare scheduled jobs: dicts ``{"name", "func", "cron" or "interval"}``.

    ``func`` is a dotted path to a function taking keyword arguments only, run by
    :mod:`core.jobs` (inline without Redis, on an rq worker with it). ``cron`` is a 5-field
    cron string in Asia/Shanghai time; ``interval`` a number of seconds. ``None`` means none.
    """


@hookspec
def register_migrations() -> "str | None":
    """Return the path of this plugin's Alembic ``versions`` folder (its own branch).

    Called by ``quanke db upgrade`` and the migration tests. The branch's first revision has
    ``branch_labels = ("<plugin>",)`` and ``depends_on = "core_0001"``. ``None`` means the
    plugin has no tables of its own.
    """
