"""The ``admin`` blueprint (``/admin``), shared by the administration pages."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
