"""Deprecated: The 0.1 home of the PDF documents; now :mod:`core.papers.documents`.

Kept for one minor version; every name warns (``DeprecationWarning``) with the import to use.
"""
from core.compat import forward, public_names
from core.papers import documents

_HOMES = public_names(documents)
__getattr__, __dir__ = forward(__name__, _HOMES)
