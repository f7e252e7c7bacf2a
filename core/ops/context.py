"""The runtime a ``quanke`` command works on (plugins' commands use it too, via
:func:`core.api.command_runtime`)."""
from __future__ import annotations

import click

from core.platform.errors import QuankeError
from core.runtime import Quanke


def command_runtime(ctx: click.Context):
    """The runtime a `quanke` command works on: built once, on the root context (plugins
    commands share it)."""
    ctx = ctx.find_root()
    if ctx.obj is None:
        try:
            ctx.obj = Quanke()
        except QuankeError as exc:
            raise click.ClickException(exc.message) from None
    return ctx.obj
