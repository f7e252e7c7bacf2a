"""The ``portal`` blueprint and what its pages share: the remote identity steps (names, order,
where each is done), the signed-in citizen, and submitting a draft."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from core import acceptance
from core.acceptance import catalog
from core.platform.errors import QuankeError
from core.platform.models import Citizen, State

from ..common import load_app
from ..helpers import flash_error, quanke
from ..identity import CitizenIdentity

bp = Blueprint("portal", __name__, url_prefix="/portal")

IDENTITY_STEP_NAMES = {"face": _l("人脸识别（与身份证照片比对）"), "sms": _l("手机短信验证"),
                       "esign": _l("电子签名（签署承诺书）")}
#: Where each remote identity step is done (web.remote_identity): step → endpoint name.
#: A step missing here shows "go to a counter" and cannot pass online.
IDENTITY_STEP_VIEWS: dict[str, str] = {"face": "remote_identity.face", "sms": "remote_identity.sms",
                                       "esign": "remote_identity.esign"}
#: The order a citizen does the steps in: the signature needs the face (and a phone code).
IDENTITY_STEP_ORDER = ["face", "sms", "esign"]


def _step_order(step: str) -> tuple[int, str]:
    return (IDENTITY_STEP_ORDER.index(step) if step in IDENTITY_STEP_ORDER else 99, step)


def _me() -> Citizen:
    return current_user.model


def _refresh_identity() -> None:
    """Reload the signed-in citizen after their account changed (real-name linking)."""
    from flask_login import login_user
    with quanke().db.session() as db:
        fresh = db.get(Citizen, _me().id, options=[joinedload(Citizen.applicant)])
    login_user(CitizenIdentity(fresh))


def _remote_services(query: str = ""):
    return catalog.search(quanke().plugins.services.values(), query, channel="remote", limit=100)


def _submit(app_id: int):
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        if app.state != State.DRAFT.value:  # double click: already submitted
            return redirect(url_for("portal.application", app_id=app_id))
    try:
        acceptance.submit_application(quanke(), _me(), app_id)
        flash(_("已提交，请等待窗口受理"), "success")
    except QuankeError as exc:
        if exc.code == "identity_required":
            flash(_("提交前须完成远程身份核验"), "warning")
            return redirect(url_for("portal.identity", app_id=app_id))
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))

