"""The legal-aid centre's one blueprint (``/legal-aid``) and the helpers every page uses: the
runtime, the signed-in staff member and role checks, flashing an error or a form's errors,
and the way back to a case page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_login import current_user

from core.api import QuankeError

bp = Blueprint("legal_aid", __name__, url_prefix="/legal-aid")


def quanke():
    return current_app.extensions["quanke"]


def me():
    model = getattr(current_user, "model", None)
    if model is None or not getattr(current_user, "is_staff", False):
        abort(403)
    return model


def need(check) -> object:
    user = me()
    if not check(user):
        abort(403)
    return user


def fail(exc: QuankeError) -> None:
    flash(exc.message, "error")


def _form_errors(form) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


def _back(app_id: int):
    return redirect(url_for("legal_aid.case", app_id=app_id))
