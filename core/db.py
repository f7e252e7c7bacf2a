"""Deprecated: The 0.1 home of the declarative base; now :mod:`core.platform.db`.

Kept for one minor version; every name warns (``DeprecationWarning``) with the import to use.
"""
from core.compat import forward, public_names
from core.platform import db

_HOMES = public_names(db)
__getattr__, __dir__ = forward(__name__, _HOMES)
