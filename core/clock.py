"""Deprecated: The 0.1 home of the clock; now :mod:`core.platform.clock`.

Kept for one minor version; every name warns (``DeprecationWarning``) with the import to use.
"""
from core.compat import forward, public_names
from core.platform import clock

_HOMES = public_names(clock)
__getattr__, __dir__ = forward(__name__, _HOMES)
