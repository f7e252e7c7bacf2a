"""The ``counter`` blueprint and what its pages share: the services a worker may file, the
materials read from a form post, going back to the application page after an action."""
from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from sqlalchemy import select

from core.acceptance.uploads import Upload
from core.platform.models import Centre, Role

from ..common import run_action
from ..helpers import quanke

bp = Blueprint("counter", __name__)
COUNTER_ROLES = (Role.COUNTER, Role.AGENT)


def allowed_services(db, user) -> set[str]:
    """Services this worker may file: the centre's authorised list (counter) or agent ones."""
    q = quanke()
    codes: set[str] = set()
    if user.has_role(Role.COUNTER) and user.centre_id:
        centre = db.get(Centre, user.centre_id)
        codes |= {s.service_code for s in centre.services
                  if s.service_code in q.plugins.services
                  and "counter" in q.plugins.services[s.service_code].channels}
    if user.has_role(Role.AGENT):
        codes |= {c for c, s in q.plugins.services.items() if "agent" in s.channels}
    return codes


def parse_materials(service, *, allow_paper: bool = True) -> tuple[list[str], list[Upload]]:
    paper, uploads = [], []
    for spec in service.materials:
        upload = request.files.get(f"file-{spec.code}")
        if upload is not None and upload.filename:
            uploads.append(Upload(spec.code, upload.filename, upload.read()))
        elif allow_paper and request.form.get(f"mat-{spec.code}") == "paper":
            paper.append(spec.code)
    return paper, uploads


def _back(app_id: int):
    return redirect(url_for("counter.application", app_id=app_id))


def _act(app_id: int, fn, success):
    """Run one workflow action for a form post; flash the outcome and go back to the page."""
    return run_action(app_id, fn, success, url_for("counter.application", app_id=app_id))


def _centre_choices(db) -> list[tuple[str, str]]:
    return [(str(c.id), c.name) for c in db.scalars(select(Centre).order_by(Centre.code))]
