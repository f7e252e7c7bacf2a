"""Rate limits (限流) with Flask-Limiter: Redis when ``REDIS_URL`` is set (shared by every
gunicorn worker and host), process memory otherwise (development).

Limits are per client address (behind the reverse proxy: the ``X-Forwarded-For`` hop the
proxy added, see ``PROXY_HOPS``) and apply to the endpoints people could use to guess or
flood: staff sign-in, the citizen SMS code / sign-in form, identity photo uploads, the queue
kiosk and the public certificate check. A refusal is a 429 page in the user's language (JSON
for the API and ``.json`` URLs) with ``Retry-After``.

Views declare themselves with one line, ``@rate_limited("face")``, from any module (the
decorator only marks the function); :func:`init_app` applies the limits after every blueprint
is registered, and also by endpoint name (:data:`ENDPOINTS`) for views that carry no mark.
Every limit can be changed in configuration: ``RATE_LIMIT_<KIND>`` (``QUANKE_RATE_LIMIT_LOGIN``
= ``"10 per minute;100 per hour"``).
"""
from __future__ import annotations

import math
import time

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

#: kind → default limit (Flask-Limiter notation) and the HTTP methods it counts.
KINDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    # A centre's counter PCs share one NAT address: generous per address; the per-account
    # lock-out (core.people.lockout) is what stops guessing one account's password.
    "login": ("30 per minute;300 per hour", ("POST",)),
    # Each POST may send an SMS (costs money, can harass a phone); core.people.sms_login also limits per phone.
    "sms": ("10 per minute;50 per hour", ("POST",)),
    # Face photos: big uploads and a CPU-heavy comparison.
    "face": ("10 per minute;60 per hour", ("POST",)),
    # A ticket per POST at the door: a loop must not empty the day's numbers.
    "kiosk": ("20 per minute", ("POST",)),
    # Certificate check by code: slows down guessing of codes.
    "verify": ("60 per minute;600 per hour", None),
}

#: Endpoints limited by name (views that do not carry ``@rate_limited``).
ENDPOINTS: dict[str, str] = {
    "auth.login": "login",
    "auth.citizen_login": "sms",
    "counter.kiosk": "kiosk",
    "verify.form": "verify",
    "verify.check": "verify",
    # The portal's remote identity steps (web/remote_identity.py, being built alongside):
    # limited by name, so nothing is needed in that module; unknown names are skipped.
    "remote_identity.face_upload": "face",
    "remote_identity.sms_send": "sms",
    "remote_identity.sms_confirm": "sms",
    "remote_identity.esign_send": "sms",
}

_MARK = "_quanke_rate_limit"


def rate_limited(kind: str):
    """Mark a view for the ``kind`` limit (applied when the app is created)."""
    if kind not in KINDS:
        raise ValueError(f"unknown rate limit kind {kind!r}; one of {sorted(KINDS)}")

    def mark(view):
        setattr(view, _MARK, kind)
        return view
    return mark


def _key() -> str:
    return get_remote_address() or "unknown"


def limit_for(app: Flask, kind: str) -> str:
    return app.config.get(f"RATE_LIMIT_{kind.upper()}") or KINDS[kind][0]


def init_app(app: Flask, quanke) -> Limiter:
    """Call after every blueprint is registered."""
    redis_url = quanke.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", f"{quanke.config['QUEUE_PREFIX']}-limits")
    # Our 429 handler sets Retry-After itself (the same number as in the message).
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    # Redis down must not take sign-in down with it: count in memory until it is back.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    for key in list(quanke.config):
        if key.startswith("RATE_LIMIT") or key.startswith("RATELIMIT_"):
            app.config.setdefault(key, quanke.config[key])
    limiter = Limiter(key_func=_key, app=app)

    for endpoint, view in list(app.view_functions.items()):
        kind = getattr(view, _MARK, None) or ENDPOINTS.get(endpoint)
        if kind is None:
            continue
        _limit, methods = KINDS[kind]
        app.view_functions[endpoint] = limiter.limit(
            limit_for(app, kind), methods=list(methods) if methods else None,
            scope=kind)(view)

    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["quanke_limiter"] = limiter
    return limiter


def _retry_after() -> int:
    from flask import current_app
    limiter = current_app.extensions.get("quanke_limiter")
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def _too_many(exc: RateLimitExceeded):
    seconds = _retry_after()
    message = _("请求过于频繁，请 %(seconds)s 秒后再试", seconds=seconds)
    if request.path.startswith("/api/") or request.path.endswith(".json") or request.is_json or (
            request.accept_mimetypes.best == "application/json"):
        response = jsonify({"error": "too_many_requests", "message": message,
                            "retry_after": seconds})
    else:
        response = make_response(render_template("errors/error.html", code=429, message=message))
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response
