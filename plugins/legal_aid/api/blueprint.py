"""The API's one blueprint (``/api/v1/legal_aid``): who is calling (a token, or the staff
session with its CSRF token), errors as ``{"error", "message"}`` with the right 4xx, and the
role check of each endpoint."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user

from core.api import Forbidden, QuankeError, User, user_for_token

bp = Blueprint("legal_aid_api", __name__, url_prefix="/api/v1/legal_aid")
MAX_PER_PAGE = 100


@bp.record_once
def _no_global_csrf(state):
    # Token requests carry no CSRF token; session requests are checked in _authenticate.
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


def quanke():
    return current_app.extensions["quanke"]


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        with quanke().db.session() as session:
            user = user_for_token(session, token.strip())
        if user is None:
            return _error("unauthorized", "接口令牌无效", 401)
    elif current_user.is_authenticated and getattr(current_user, "is_staff", False):
        user = current_user.model
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf = current_app.extensions.get("csrf")
            if csrf is not None:
                from flask_wtf.csrf import CSRFError
                try:
                    csrf.protect()
                except CSRFError:
                    return _error("csrf_failed", "缺少或无效的安全校验码（X-CSRFToken）", 400)
    if user is None:
        return _error("unauthorized", "请先登录或提供接口令牌（Authorization: Bearer <token>）", 401)
    g.la_user = user
    return None


def _error(code: str, message: str, status: int):
    return jsonify({"error": code, "message": message}), status


@bp.errorhandler(QuankeError)
def _quanke_error(exc: QuankeError):
    status = exc.http_status if 400 <= exc.http_status < 500 else 400
    return jsonify(exc.to_dict()), status


def me() -> User:
    return g.la_user


def need(check) -> User:
    user = me()
    if not check(user):
        raise Forbidden("没有调用该接口的权限", code="forbidden_role")
    return user
