"""The ``api`` blueprint and its plumbing: token authentication, role checks, reading the JSON
body and query arguments, pagination with a capped count."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, g, jsonify, request
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import load_only

from core.acceptance.uploads import Upload
from core.people import tokens
from core.platform import inputs
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Application, Role, User

from ..access import VISIBILITY_COLUMNS, can_view
from ..helpers import quanke

bp = Blueprint("api", __name__)
_VISIBILITY_ONLY = load_only(*VISIBILITY_COLUMNS)  # built once: an option costs as much as a query
MAX_PER_PAGE = 100


@bp.before_request
def _authenticate():
    if request.endpoint in ("api.openapi", "api.docs_index"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        with quanke().db.session() as db:
            user = tokens.user_for_token(db, token.strip())
            app_id = (request.view_args or {}).get("app_id")
            if user is not None and request.method == "POST" and isinstance(app_id, int):
                # An action on one application (accept, claim, …): decide whether it is
                # visible in the same transaction as the token lookup, one session fewer
                # on the busiest requests (see check_visible).
                app = db.get(Application, app_id, options=[_VISIBILITY_ONLY])
                g.visible = (app_id, app is not None and can_view(user, app, db=db))
    if user is None:
        return jsonify({"error": "unauthorized",
                        "message": "缺少或无效的接口令牌（Authorization: Bearer <token>）"}), 401
    g.api_user = user
    return None


def me() -> User:
    return g.api_user


def need(*roles: Role) -> User:
    user = me()
    if roles and not any(user.has_role(r) for r in roles):
        raise Forbidden("没有调用该接口的角色", code="forbidden_role")
    return user


def body() -> dict:
    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象", code="invalid_json")
    return data


def s(data: dict, key: str, *, max_len: int = 4000, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{key} 应为字符串", code="invalid_field", field=key)
    if len(value) > max_len:
        raise InvalidInput(f"{key} 过长（最多{max_len}字符）", code="invalid_field", field=key)
    return inputs.check_text(value, field=key)


def i(data: dict, key: str, *, required: bool = False, lo: int = -2**31, hi: int = 2**31 - 1):
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"缺少 {key}", code="invalid_field", field=key)
        return None
    if not isinstance(value, int):
        raise InvalidInput(f"{key} 应为 {lo} 至 {hi} 之间的整数", code="invalid_field", field=key)
    return inputs.parse_int(value, field=key, lo=lo, hi=hi)


def strs(data: dict, key: str, *, limit: int = 50) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) and len(v) <= 100 for v in value):
        raise InvalidInput(f"{key} 应为字符串数组", code="invalid_field", field=key)
    return value


def b(data: dict, key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} 应为 true 或 false", code="invalid_field", field=key)
    return value


def uploads_from(data: dict) -> list[Upload]:
    value = data.get("uploads") or []
    if not isinstance(value, list) or len(value) > 20:
        raise InvalidInput("uploads 应为数组（最多20项）", code="invalid_field", field="uploads")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidInput("uploads 的每一项应为对象", code="invalid_field", field="uploads")
        code = s(item, "material_code", max_len=64)
        name = s(item, "filename", max_len=255) or "upload"
        raw = s(item, "content_base64", max_len=30_000_000)
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("content_base64 不是有效的 Base64", code="invalid_field",
                               field="uploads") from None
        out.append(Upload(code, name, content))
    return out


def page_params() -> tuple[int, int]:
    def num(name, default):
        return inputs.parse_int(request.args.get(name), field=name, lo=-inputs.MAX_ID, hi=inputs.MAX_ID, default=default,
                                code="invalid_pagination")
    page, per_page = num("page", 1), num("per_page", 20)
    if page < 1 or page > 1_000_000 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page ≥ 1，per_page 为 1 至 {MAX_PER_PAGE}", code="invalid_pagination")
    return page, per_page


#: Lists stop counting here: an exact count over a district's million applications costs a
#: full scan per page, and nobody pages that far (narrow the filter instead).
COUNT_CAP = 10_000


def capped_count(db, stmt) -> tuple[int, bool]:
    """Matches of ``stmt`` up to :data:`COUNT_CAP`, and whether there are more."""
    head = stmt.with_only_columns(literal_column("1")).order_by(None).limit(COUNT_CAP + 1)
    found = int(db.scalar(select(func.count()).select_from(head.subquery())) or 0)
    return min(found, COUNT_CAP), found > COUNT_CAP


def paged(items: list, page: int, per_page: int, total: int, capped: bool = False) -> dict:
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "total_capped": capped}


def iso(value):
    if value is None:
        return None
    return value.isoformat()
