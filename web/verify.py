"""Public document verification (文书核验): ``/verify/<code>`` and ``/verify/<code>.json``.

No login. Anyone holding a receipt, notice, decision letter or certificate can scan its QR
code and see whether it is authentic and current (valid / revoked / superseded), with a
minimal, masked summary (``张**``, ``3201**********1234``) and nothing else.

Unknown and malformed codes get the same friendly 404 page after the same single indexed
query (:func:`core.papers.issuance.lookup`), so response time does not reveal whether a code
exists. Pages are never cached and never sent on as a referrer (the code is in the URL).
"""
from __future__ import annotations

import datetime as dt
import logging

from flask import (Blueprint, Response, current_app, jsonify, redirect, render_template, request,
                   url_for)
from sqlalchemy.exc import SQLAlchemyError

from core.papers.documents import format_date
from core.papers.issuance import Verification, lookup, normalise_code

log = logging.getLogger(__name__)

bp = Blueprint("verify", __name__, url_prefix="/verify", template_folder="templates")

STATUS_TEXT = {
    "valid": ("真实有效", "该文书由本系统出具，目前有效。"),
    "revoked": ("已撤销", "该文书由本系统出具，但已被撤销，不再具有效力。"),
    "superseded": ("已被替换", "该文书由本系统出具，但已被新版本替换，请以新版本为准。"),
}
NOT_FOUND_MESSAGE = "未找到该验证码对应的文书"
UNAVAILABLE_MESSAGE = "核验服务暂时不可用，请稍后再试"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _lookup(code: str) -> Verification | None:
    quanke = current_app.extensions["quanke"]
    with quanke.db.session() as session:
        return lookup(session, code)


def _date(value) -> str:
    if not value:
        return ""
    try:
        return format_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _json(code: str) -> Response:
    try:
        found = _lookup(code)
    except SQLAlchemyError:
        log.exception("verification lookup failed")
        return _private(jsonify({"error": "unavailable", "message": UNAVAILABLE_MESSAGE})), 503
    if found is None:
        return _private(jsonify({"error": "not_found", "message": NOT_FOUND_MESSAGE})), 404
    return _private(jsonify(found.public()))


def _page(code: str) -> Response:
    try:
        found = _lookup(code)
    except SQLAlchemyError:
        log.exception("verification lookup failed")
        html = render_template("verify/not_found.html", message=UNAVAILABLE_MESSAGE, status=503)
        return _private(Response(html, status=503))
    if found is None:
        html = render_template("verify/not_found.html", message=NOT_FOUND_MESSAGE, status=404)
        return _private(Response(html, status=404))
    title, explanation = STATUS_TEXT.get(found.status, ("状态未知", ""))
    data = found.public()
    html = render_template("verify/result.html", v=data, title=title, explanation=explanation,
                           date=_date, json_url=url_for("verify.check", code=f"{data['code']}.json"))
    return _private(Response(html))


@bp.get("/")
def form():
    """A box to type the code printed under the QR code."""
    raw = request.args.get("code", "")
    if raw:
        code = normalise_code(raw)
        if code:
            return redirect(url_for("verify.check", code=code))
        html = render_template("verify/form.html", error="验证码格式不正确：应为16位字母和数字（不区分大小写）",
                               value=raw[:64])
        return _private(Response(html, status=400))
    return _private(Response(render_template("verify/form.html", error="", value="")))


@bp.get("/<path:code>")
def check(code: str):
    """``/verify/<code>`` (page) and ``/verify/<code>.json``. The path converter takes
    anything, slashes included, so every malformed code reaches the same friendly 404."""
    if code.endswith(".json"):
        return _json(code[:-5])
    return _page(code)
