"""Error answers: project errors, CSRF, HTTP errors and the unexpected, as a page or JSON."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from core.platform.crypto import CiphertextError, KeyConfigError
from core.platform.errors import QuankeError

from .helpers import error_text

log = logging.getLogger("web")


def _resource_exists(app, exc) -> bool:
    """A 405's path answers one of the methods it names (werkzeug reports 405 for a path no
    rule matches once its converters refuse, e.g. an id over the 32-bit limit)."""
    adapter = app.url_map.bind_to_environ(request.environ)
    for method in getattr(exc, "valid_methods", None) or ():
        try:
            adapter.match(request.path, method=method)
            return True
        except HTTPException:
            continue
    return False


def register_error_pages(app: Flask) -> None:
    """Every error as a page or, for the API, JSON with a stable code — never a bare 500 trace."""
    def wants_json() -> bool:
        return request.path.startswith("/api/") or (
            request.accept_mimetypes.best == "application/json")

    @app.errorhandler(QuankeError)
    def _quanke_error(exc: QuankeError):
        status = exc.http_status if 400 <= exc.http_status < 500 else 400
        if isinstance(exc, (CiphertextError, KeyConfigError)):
            # Not the user's input: a stored value does not decrypt, or the keys are wrong.
            # The page says so (column and row, never the value) instead of showing anything.
            status = exc.http_status
            log.error("%s", exc.message)
        if wants_json():
            return jsonify(exc.to_dict()), status
        return render_template("errors/error.html", code=status, message=error_text(exc)), status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        message = _("页面已过期或缺少安全校验码，请刷新页面后重新提交（已填写的内容未保存）")
        if wants_json():
            return jsonify({"error": "csrf_failed", "message": message}), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        messages = {
            400: _("请求有误"), 401: _("请先登录"), 403: _("您没有权限访问该页面"),
            404: _("页面或记录不存在"), 405: _("不支持该请求方式"),
            413: _("上传的文件过大（整个请求不超过 %(mb)s MB），请压缩后重试",
                   mb=app.config["MAX_CONTENT_LENGTH"] // 1048576),
            429: _("请求过于频繁，请稍后再试"),
        }
        status = exc.code or 500
        if status == 405 and not _resource_exists(app, exc):
            exc, status = NotFound(), 404     # e.g. an id past 2**31-1: no such resource at all
        message = messages.get(status, exc.description or exc.name)
        # 405 names the methods the resource supports (RFC 9110 §15.5.6)
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() == "allow"]
        if wants_json():
            codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                     405: "method_not_allowed", 413: "payload_too_large", 429: "too_many_requests"}
            return jsonify({"error": codes.get(status, "http_error"), "message": str(message)}), status, headers
        return render_template("errors/error.html", code=status, message=message), status, headers

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        message = _("系统出现错误，请稍后再试；如持续出现请联系管理员")
        if wants_json():
            return jsonify({"error": "internal_error", "message": message}), 500
        return render_template("errors/error.html", code=500, message=message), 500
