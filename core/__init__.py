"""Quanke (全科) core: the generalist-counter platform every service plugin builds on.

Plugins import :data:`hookimpl` from here and the declaration types from
:mod:`core.contract.services`; nothing in the core knows any particular service.
"""
import pluggy

__version__ = "0.2.0"

#: Marker for plugin hook implementations: ``@hookimpl def register_services(): ...``
hookimpl = pluggy.HookimplMarker("quanke")

__all__ = ["hookimpl", "__version__"]
