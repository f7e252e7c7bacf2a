"""What the plugin's pages and API share: the runtime and who is signed in.

The web app (``web/``) keeps the runtime at ``app.extensions["quanke"]`` and wraps the
signed-in staff member or citizen in a Flask-Login identity whose ``.model`` is the
:class:`core.platform.models.User` or :class:`core.platform.models.Citizen`; this module reads both without
importing ``web`` (a plugin builds on the core, and on Flask, only).
"""
from __future__ import annotations

from flask import current_app
from flask_login import current_user


def quanke():
    return current_app.extensions["quanke"]


def signed_in():
    """The signed-in User or Citizen (from the session), or None."""
    if not current_user or not current_user.is_authenticated:
        return None
    return getattr(current_user, "model", None)
