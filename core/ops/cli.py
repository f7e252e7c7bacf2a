"""The ``quanke`` command line: serve, worker, db, demo data, users, credit, plugins, audit.

Each command builds its own runtime from the environment (``QUANKE_*``, ``DATABASE_URL``,
``REDIS_URL``); long operations show a progress bar.

The commands live in ``core.ops.*_commands`` (and :mod:`core.ops.backup`); this module is the
``quanke`` entry point (``core.ops.cli:main``) that adds them, and plugins' commands, to it.
"""
from __future__ import annotations

import click

from core.ops.backup import backup_command, restore_command
from core.ops.document_commands import documents, seal, verify_pdf
from core.ops.identity_commands import identity
from core.ops.key_commands import keys
from core.ops.upload_commands import uploads_group
from core.ops.plugin_commands import (
    plugin_group,
    plugin_new,  # noqa: F401 - kept importable here
    plugins_cmd,
)
from core.ops.record_commands import (
    audit,
    audit_verify,  # noqa: F401 - kept importable here
    calendar,
    calendar_load,  # noqa: F401 - kept importable here
    credit,
    credit_import,  # noqa: F401 - kept importable here
    user,
    user_create,  # noqa: F401 - kept importable here
)
from core.ops.run_commands import (
    db,
    db_current,  # noqa: F401 - kept importable here
    db_upgrade,  # noqa: F401 - kept importable here
    demo_data,
    serve,
    worker,
)
from core.ops.token_commands import token_command


def command_host():
    """The plugins whose commands join the CLI (lenient: a broken plugin loses its commands)."""
    from core.contract.host import PluginHost
    return PluginHost(strict=False)


class QuankeGroup(click.Group):
    """Adds the commands plugins register (``register_commands``) when the CLI starts."""

    def _plugin_commands(self, ctx) -> dict:
        try:
            host = command_host()
        except Exception:  # noqa: BLE001 - the core commands must work with a broken plugin
            return {}
        return {c.name: c for c in host.collect("register_commands")}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands(ctx)))

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or self._plugin_commands(ctx).get(name)


@click.group(cls=QuankeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx):
    """Quanke（全科）全科窗口综合受理后台。"""


# -- the commands -----------------------------------------------------------------------------

main.add_command(db)
main.add_command(uploads_group)
main.add_command(serve)
main.add_command(worker)
main.add_command(demo_data)
main.add_command(user)
main.add_command(credit)
main.add_command(calendar)
main.add_command(plugins_cmd)
main.add_command(plugin_group)
main.add_command(audit)
main.add_command(identity)
main.add_command(keys)
main.add_command(seal)
main.add_command(backup_command)
main.add_command(restore_command)
main.add_command(verify_pdf)
main.add_command(documents)
user.add_command(token_command)  # `quanke user token USERNAME`


if __name__ == "__main__":  # `python -m core.ops.cli`
    main()
