"""Import paths of Quanke 0.1 kept for one minor version (docs/plugins.md, 兼容性政策).

Each old module (``core.workflow``, ``core.services``, ``core.clock``, ``core.db``,
``core.documents``, ``core.plugin_health``) hands out its old names from their new homes and
warns once per name with a ``DeprecationWarning`` that names the import to use instead, so a
plugin written against 0.1 keeps working and its ``-W error::DeprecationWarning`` run says
what to change. Removed in 0.3.
"""
from __future__ import annotations

import warnings
from types import ModuleType

REMOVED_IN = "0.3"


def forward(old: str, homes: dict[str, tuple[ModuleType, str]]):
    """``__getattr__`` and ``__dir__`` for the old module ``old``.

    ``homes`` maps each old name to ``(module it lives in now, its name there)``. The warning
    advises ``from core.api import …`` (under the API's name) when the API exports the object,
    else its new internal home.
    """
    def __getattr__(name: str):
        try:
            module, new_name = homes[name]
        except KeyError:
            raise AttributeError(f"module {old!r} has no attribute {name!r}") from None
        value = getattr(module, new_name)
        api_name = _api_name(value)
        advice = (f"from core.api import {api_name}" if api_name
                  else f"from {module.__name__} import {new_name}")
        warnings.warn(f"{old}.{name} is deprecated and will be removed in Quanke {REMOVED_IN}: "
                      f"use `{advice}` (已弃用，请改用 {advice})", DeprecationWarning, stacklevel=2)
        return value

    def __dir__():
        return sorted(homes)

    return __getattr__, __dir__


def _api_name(value) -> str | None:
    from core import api
    return next((name for name in api.__all__
                 if name not in api.TESTING_KIT and getattr(api, name) is value), None)


def public_names(module: ModuleType) -> dict[str, tuple[ModuleType, str]]:
    """Every public name of ``module``, at home there."""
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return {name: (module, name) for name in names
            if not isinstance(getattr(module, name, None), ModuleType)}
