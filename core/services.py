"""Deprecated: The 0.1 home of the declaration types; now :mod:`core.contract.services`.

Kept for one minor version; every name warns (``DeprecationWarning``) with the import to use.
"""
from core.compat import forward, public_names
from core.contract import services

_HOMES = public_names(services)
__getattr__, __dir__ = forward(__name__, _HOMES)
