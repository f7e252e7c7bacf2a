"""Plugin resources under ``/api/v1/<plugin>/`` in the OpenAPI document: every route from
the URL map (path parameters, methods, the view's docstring), with the request body, query
parameters and answer the view declares with :func:`core.api.api_doc`."""
from __future__ import annotations

import re

from .openapi import _errors, _json


def _path_params(rule) -> list[dict]:
    params = []
    for name, conv in rule._converters.items():
        kind = {"IntegerConverter": "integer", "DatabaseId": "integer", "FloatConverter": "number"}.get(
            type(conv).__name__, "string")
        schema = {"type": kind}
        if kind == "integer":
            schema.update(minimum=0, maximum=2147483647)
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _operation(rule, method: str, view, plugin: str, params: list[dict]) -> dict:
    doc = ((getattr(view, "__doc__", None) or "").strip().splitlines() or [rule.endpoint])[0]
    described = getattr(view, "openapi", None)
    op = {"summary": doc, "tags": [plugin], "operationId": f"{rule.endpoint}.{method.lower()}"}
    if described is None:  # not described yet: an open object either way
        op["responses"] = {"200": {"description": "成功", **_json({"type": "object"})},
                           **_errors(400, 401, 403, 404, 409)}
        if method in ("POST", "PUT", "PATCH"):
            op["requestBody"] = {"required": False, **_json({"type": "object"})}
            op["responses"]["201"] = {"description": "已创建", **_json({"type": "object"})}
    else:
        answer = described["response"] or {"type": "object"}
        op["responses"] = {str(described["status"]): {"description": "成功", **_json(answer)},
                           **_errors(*described["errors"])}
        if described["body"] is not None:
            op["requestBody"] = {"required": described["body_required"], **_json(described["body"])}
        params = params + [{"in": "query", **q} for q in described["query"]]
    if params:
        op["parameters"] = params
    return op


def plugin_paths(app, documented: set[str]) -> dict:
    paths: dict = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule)
        if path in documented:
            continue
        plugin = rule.rule.split("/")[3]
        view = app.view_functions.get(rule.endpoint)
        params = _path_params(rule)
        item = paths.setdefault(path, {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            item[method.lower()] = _operation(rule, method, view, plugin, params)
    return paths
