"""Health: hooks called by ``quanke plugins --check``."""
from __future__ import annotations

from typing import Any

from core.contract.hookspecs.marker import hookspec

# ---------------------------------------------------------------------------------------------
# Health (called by ``quanke plugins --check``)
# ---------------------------------------------------------------------------------------------

@hookspec
def check_config(quanke: Any) -> "list[str] | None":
    """Report what is wrong with this plugin's configuration, in Chinese sentences.

    Called by ``quanke plugins --check`` (:func:`core.ops.plugin_check.check`), never while
    requests are served, with the runtime (:class:`core.runtime.Quanke`). Look at settings
    the plugin needs (:func:`core.contract.plugin_settings.require_settings`), files it ships
    (:func:`core.contract.plugin_settings.require_templates`), external systems it talks to. Return a
    list of problems (``[]`` or ``None`` means all is well); each problem is reported under
    this plugin's name. Migrations, declarations and hook signatures are checked by the core
    for every plugin, so there is no need to repeat those here. An exception raised here is
    reported as a problem of this plugin.
    """
