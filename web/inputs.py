"""The web side of the input-parsing layer (:mod:`core.platform.inputs`), for every request.

* JSON bodies are checked for depth *before* parsing (5,000 nested arrays used to exhaust the
  parser's stack) and every string in them for control characters;
* query-string and form values (names too) and upload file names holding a control
  character (NUL cannot be stored by PostgreSQL) are refused before any view runs.

Both give a 400 with a stable code (``json_too_deep``, ``control_characters``) and a Chinese
message, as JSON for the API and a page for the pages.
"""
from __future__ import annotations

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from core.platform import inputs


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        text = s.decode("utf-8", "replace") if isinstance(s, (bytes, bytearray)) else s
        inputs.check_json_depth(text)
        return inputs.check_tree(super().loads(s, **kwargs))


def _check_request() -> None:
    if request.endpoint == "static":
        return
    for source in (request.args, request.form):
        for key, values in source.lists():
            inputs.check_text(key, field="parameter")
            for value in values:
                inputs.check_text(value, field=key)
    for key, upload in request.files.items(multi=True):
        inputs.check_text(upload.filename or "", field=key)


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _check_request)
