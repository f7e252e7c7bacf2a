"""Quanke web application (Flask app factory).

The runtime (:class:`core.runtime.Quanke`) lives at ``app.extensions["quanke"]``; plugin
blueprints come from the ``register_blueprints`` hook. One small blueprint per role:
``auth`` (staff and citizen login), ``counter`` (全科窗口工作台 and the queue kiosk),
``approvals`` (审批), ``portal`` (市民办事), ``admin`` (管理、统计、审计) and ``api``
(``/api/v1``, token-authenticated, described at ``/api/openapi.json``).
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging
from pathlib import Path

from flask import (Flask, flash, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_babel import Babel, gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFProtect, generate_csrf
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.routing import IntegerConverter

from core.platform.models import Role
from core.runtime import Quanke

from . import labels
from .error_pages import register_error_pages
from .helpers import register_filters
from .identity import login_manager

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
LANGUAGES = {"zh_CN": "中文", "en": "English"}

csrf = CSRFProtect()
babel = Babel()

WEB_DEFAULTS = {
    "STAFF_IDLE_MINUTES": 30,      # counter PCs: sign out after 30 idle minutes
    "CITIZEN_IDLE_MINUTES": 120,
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "API_PER_PAGE_MAX": 100,
}


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every URL: at most a 32-bit database id (a longer number is a 404,
    never an overflow deep in the database driver)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _select_locale():
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "zh_CN"


def compile_translations(root: Path = HERE / "translations") -> None:
    """Compile .po → .mo when the .mo is missing or older (a checkout without built files)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with mo.open("wb") as fh:
                write_mo(fh, catalog)
        except OSError:  # read-only install: use whatever is there
            log.warning("could not compile %s", po)


def _plugin_template_dirs(quanke: Quanke, folder_name: str = "templates") -> list[str]:
    """The ``templates`` (or ``translations``) folders next to the enabled plugins' code."""
    dirs = []
    for info in quanke.plugins.plugins():
        if not info.enabled:
            continue
        package = info.module.rsplit(".", 1)[0] if info.module.endswith(".plugin") else info.module
        try:
            module = importlib.import_module(package)
        except Exception:  # noqa: BLE001
            continue
        folder = Path(getattr(module, "__file__", "") or "").parent / folder_name
        if folder.is_dir():
            dirs.append(str(folder))
    return dirs


def create_app(config: dict | None = None, *, quanke: Quanke | None = None) -> Flask:
    quanke = quanke or Quanke(config)
    from core.platform.logs import configure_logging
    configure_logging(quanke.config)
    app = Flask(__name__, instance_path=quanke.config["INSTANCE_PATH"])
    app.config.update(WEB_DEFAULTS)
    for key in WEB_DEFAULTS:
        if key in quanke.config:
            app.config[key] = quanke.config[key]
    app.config.update(SECRET_KEY=quanke.config["SECRET_KEY"], QUANKE=quanke.config,
                      SESSION_COOKIE_SECURE=quanke.config.get("ENV") == "production")
    for key, value in (config or {}).items():
        if key.isupper() and key not in quanke.config:
            app.config[key] = value
    app.extensions["quanke"] = quanke
    from core.contract.departments import sync_at_start
    sync_at_start(quanke)   # declared departments in the database before the first request
    from core.ops.holidays import load_configured_holidays
    load_configured_holidays(quanke)   # HOLIDAY_FILE: the official arrangement, before any due date
    app.url_map.converters["int"] = DatabaseId
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(HERE / "templates")),
                                     *[FileSystemLoader(d) for d in _plugin_template_dirs(quanke)]])

    # Plugins ship their own catalogues (``<plugin>/translations/<lang>/LC_MESSAGES/messages.po``)
    # for the names they declare; Flask-Babel merges the directories in order, later ones
    # winning, so the core's catalogue comes last and a plugin cannot re-translate the core.
    plugin_catalogues = _plugin_template_dirs(quanke, "translations")
    compile_translations()
    for folder in plugin_catalogues:
        compile_translations(Path(folder))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          ";".join([*plugin_catalogues, str(HERE / "translations")]))
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(HERE / "translations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    register_filters(app)
    labels.register(app)
    app.jinja_env.globals["page_url"] = _page_url  # a global: macros imported without context see it

    from . import admin, api, approvals, auth, common, counter, drafts, portal
    for module in (auth, counter, approvals, portal, admin, common, drafts):
        app.register_blueprint(module.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)
    from .remote_identity import bp as identity_bp; app.register_blueprint(identity_bp)  # noqa: E702 - issue 9
    from .verify import bp as verify_bp; app.register_blueprint(verify_bp)  # noqa: E702 - public /verify/<code>
    from .ops import bp as ops_bp; app.register_blueprint(ops_bp)  # noqa: E702 - /readyz, /metrics, 503 on a lost database
    for blueprint in quanke.plugins.collect("register_blueprints"):
        app.register_blueprint(blueprint)
    from . import inputs as request_inputs, limits, security
    request_inputs.init_app(app)  # core.platform.inputs on every request: control characters, JSON depth
    security.init_app(app, quanke)           # request IDs, security headers, lock-out panel
    limits.init_app(app, quanke)      # after every blueprint: limits wrap views by endpoint
    from . import api_validation
    api_validation.install(app)       # /api/v1 requests checked against the OpenAPI document

    _register_hooks(app, quanke)
    register_error_pages(app)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/")
    def index():
        if current_user.is_authenticated:
            if current_user.is_citizen:
                return redirect(url_for("portal.home"))
            from .menu import home_for
            return redirect(home_for(current_user))
        services = sorted(quanke.plugins.services.values(), key=lambda s: s.code)
        return render_template("index.html", services=services,
                               departments=quanke.plugins.departments)

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for /favicon.ico on every page whatever the <link> says; answer it
        # instead of logging a 404 each time.
        return app.send_static_file("favicon.ico"), 200, {"Cache-Control": "public, max-age=604800"}

    @app.get("/lang/<code>")
    def set_language(code):
        from .helpers import safe_next
        if code in LANGUAGES:
            session["lang"] = code
        return redirect(safe_next(request.args.get("next"), url_for("index")))

    return app


def _register_hooks(app: Flask, quanke: Quanke) -> None:
    @app.before_request
    def _idle_timeout():
        if request.blueprint == "api" or request.endpoint == "static":
            return None
        if not current_user.is_authenticated:
            return None
        limit = app.config["STAFF_IDLE_MINUTES" if current_user.is_staff else "CITIZEN_IDLE_MINUTES"]
        now = dt.datetime.now(dt.timezone.utc).timestamp()
        last = session.get("seen")
        if isinstance(last, (int, float)) and now - last > int(limit) * 60:
            kind = current_user.kind
            from core.people.users import end_sessions
            with quanke.db.session() as db:   # a copy of the idle cookie ends with it
                end_sessions(db.get(type(current_user.model), current_user.model.id))
            logout_user()
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            flash(_("长时间未操作，已自动退出，请重新登录"), "warning")
            target = "auth.citizen_login" if kind == "citizen" else "auth.login"
            return redirect(url_for(target, next=request.full_path if request.method == "GET" else None))
        session["seen"] = int(now)
        return None

    @app.before_request
    def _menu():
        # Built before the view opens its database session: SQLite takes the write lock
        # for every transaction, so sessions must never nest within one request.
        if request.blueprint != "api" and request.endpoint != "static" and current_user.is_authenticated:
            from .menu import menu_for, panels_for
            g.menu = menu_for(current_user)
            if request.endpoint in ("counter.home", "admin.stats", "portal.home", "approvals.home"):
                g.panels = panels_for(current_user)
            elif request.endpoint == "approvals.queue":   # a department's queue: its own panels
                g.panels = panels_for(current_user, (request.view_args or {}).get("department", ""))

    @app.context_processor
    def _globals():
        from .menu import menu_for
        menu = g.get("menu")
        if menu is None:
            menu = menu_for(current_user) if current_user.is_authenticated else []
        return {"menu": menu, "panels": g.get("panels", []),
                "languages": LANGUAGES, "current_lang": _select_locale(),
                "csrf_token": generate_csrf, "quanke_config": quanke.config, "Role": Role}


def _page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)
