"""Request IDs, security headers and the staff lock-out panel.

* Request ID (请求编号): a sane incoming ``X-Request-ID`` (from the reverse proxy) is kept,
  otherwise one is made; it is returned in the response header, put on every log line
  (:mod:`core.platform.logs`) and carried into rq jobs enqueued during the request.
* Headers: no framing (``frame-ancestors 'none'`` + ``X-Frame-Options: DENY``) except the
  material / document files the application page previews in an ``<iframe>`` (same origin
  only); ``Referrer-Policy``; ``Permissions-Policy`` allowing the camera for this origin only
  (remote identity checks take a photo); HSTS only on a TLS request (directly or via a
  proxy gunicorn trusts: ``X-Forwarded-Proto``) — never on plain http, where it is ignored
  anyway and would break a development set-up on the same host name.
* ``/admin/users/<id>/unlock``: a system administrator lifts a lock-out (audited).
"""
from __future__ import annotations

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from core.people import lockout
from core.platform.logs import accept_request_id, request_id_var
from core.platform.models import Role, User

from .identity import staff_required

bp = Blueprint("security", __name__)

#: Endpoints whose responses the application's own pages show in an <iframe>.
FRAMEABLE = {"files.material_file", "files.document_pdf"}

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; object-src 'self'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors {ancestors}")
PERMISSIONS = ("camera=(self), microphone=(), geolocation=(), payment=(), usb=(), "
               "interest-cohort=()")
HSTS_SECONDS = 31536000


def init_app(app: Flask, quanke) -> None:
    app.register_blueprint(bp)
    hops = int(quanke.config.get("PROXY_HOPS") or 0)
    if hops:  # the client address and scheme the proxy saw (rate limits, audit, HSTS)
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    def _request_id():
        rid = accept_request_id(request.headers.get("X-Request-ID"))
        g.request_id = rid
        g._request_id_token = request_id_var.set(rid)
    # First of all before-request functions: CSRF and sign-in checks log with the ID too.
    app.before_request_funcs.setdefault(None, []).insert(0, _request_id)

    @app.teardown_request
    def _forget_request_id(_exc=None):
        token = g.pop("_request_id_token", None)
        if token is not None:
            try:
                request_id_var.reset(token)
            except ValueError:  # set in another context (streamed response): just clear
                request_id_var.set("-")

    @app.after_request
    def _headers(response):
        if g.get("request_id"):
            response.headers["X-Request-ID"] = g.request_id
        framed = request.endpoint in FRAMEABLE
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framed else "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS)
        headers.setdefault("Content-Security-Policy",
                           CSP.format(ancestors="'self'" if framed else "'none'"))
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
        if request.endpoint != "static" and current_user.is_authenticated:
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.before_request
    def _lockout_for_admin_page():
        # Read before the view opens its session (sessions never nest within a request).
        if request.endpoint == "admin.user_edit" and current_user.is_authenticated:
            user_id = (request.view_args or {}).get("user_id")
            quanke = current_app.extensions["quanke"]
            with quanke.db.session() as db:
                g.lockout = lockout.state(db, user_id, lockout.Policy.from_config(quanke.config))

    @app.context_processor
    def _lockout_globals():
        return {"lockout": g.get("lockout")}


@bp.post("/admin/users/<int:user_id>/unlock")
@staff_required(Role.SYS_ADMIN)
def unlock(user_id: int):
    quanke = current_app.extensions["quanke"]
    with quanke.db.session() as db:
        if db.get(User, user_id) is None:
            abort(404)
        lockout.unlock(db, current_user.id, user_id)
    flash(_("已解除锁定"), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))
