"""What the plugin's pages and API share: the runtime, who is signed in, who may see what."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_login import current_user

from core.api import Forbidden, InvalidInput, Role, User, parse_int, user_for_token

from plugins.business_license.domain.catalog import FOOD_SAFETY, MARKET_REGULATION

DEPARTMENTS = (MARKET_REGULATION[0], FOOD_SAFETY[0])


def runtime():
    return current_app.extensions["quanke"]


def session_user() -> User | None:
    """The signed-in staff member (the web app wraps models in an identity object)."""
    if not current_user.is_authenticated:
        return None
    model = getattr(current_user, "model", current_user)
    return model if isinstance(model, User) and model.active else None


def token_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with runtime().db.session() as session:
        return user_for_token(session, token.strip())


def api_user() -> User:
    return g.bl_user


def is_supervisor(user: User) -> bool:
    """Approvers, leads and inspectors of this plugin's departments, administrators, auditors."""
    return (any(user.has_role(r, d) for r in (Role.APPROVER, Role.DEPT_LEAD, Role.INSPECTOR)
                for d in DEPARTMENTS)
            or user.has_role(Role.SYS_ADMIN) or user.has_role(Role.CENTRE_ADMIN)
            or user.has_role(Role.AUDITOR))


def is_counter(user: User) -> bool:
    return user.has_role(Role.COUNTER) or user.has_role(Role.AGENT)


def require(user: User, allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden(f"您没有{what}的权限", code="forbidden_role")


def json_error(code: str, message: str, status: int, **extra):
    return jsonify({"error": code, "message": message, **extra}), status


def page_args() -> tuple[int, int]:
    def number(key, default, high):
        try:
            return parse_int(request.args.get(key), field=key, lo=1, hi=high, default=default)
        except InvalidInput:
            return default
    return number("page", 1, 10_000), number("per_page", 20, 100)
