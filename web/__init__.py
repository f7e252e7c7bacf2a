"""Quanke web application (Flask app factory).

The runtime (:class:`core.runtime.Quanke`) lives at ``app.extensions["quanke"]``; plugin
blueprints come from the ``register_blueprints`` hook.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template

from core.errors import QuankeError
from core.runtime import Quanke


def create_app(config: dict | None = None, *, quanke: Quanke | None = None) -> Flask:
    quanke = quanke or Quanke(config)
    app = Flask(__name__, instance_path=quanke.config["INSTANCE_PATH"])
    app.config.update(SECRET_KEY=quanke.config["SECRET_KEY"], QUANKE=quanke.config)
    app.extensions["quanke"] = quanke
    from .verify import bp as verify_bp; app.register_blueprint(verify_bp)  # noqa: E702 - public /verify/<code>
    for blueprint in quanke.plugins.collect("register_blueprints"):
        app.register_blueprint(blueprint)

    @app.errorhandler(QuankeError)
    def _quanke_error(exc: QuankeError):
        return jsonify(exc.to_dict()), exc.http_status

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/")
    def index():
        services = sorted(quanke.plugins.services.values(), key=lambda s: s.code)
        return render_template("index.html", services=services,
                               departments=quanke.plugins.departments)

    return app
