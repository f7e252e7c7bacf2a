"""Deprecated: The 0.1 home of the plugin health checks; now :mod:`core.contract.plugin_settings`,
:mod:`core.contract.certificate_fields`, :mod:`core.contract.health` and :mod:`core.ops.plugin_check`.

Kept for one minor version; every name warns (``DeprecationWarning``) with the import to use.
"""
from core.compat import forward, public_names
from core.contract import certificate_fields, health, plugin_settings
from core.ops import plugin_check

_HOMES = {**public_names(health), **public_names(certificate_fields),
          **public_names(plugin_settings), **public_names(plugin_check)}
__getattr__, __dir__ = forward(__name__, _HOMES)
