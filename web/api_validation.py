"""Requests to ``/api/v1`` checked against the OpenAPI document before the view runs (issue 22 #9).

The document (:mod:`web.openapi`, plugins' own descriptions included) is the contract: a JSON
body that is not an object where one is expected, a field of the wrong type, a value outside
its enum or bounds, a missing required field or — where the document closes the object
(``additionalProperties: false``) — an unknown field is refused with ``400`` and the code
``invalid_request`` naming the field, the same way for every operation. So the document and
the server agree by construction: what the document calls malformed is never accepted, and
the views only decide business rules (a checksum, a state, a permission).

The check wraps each API view (it runs after the blueprint's token check, so an
unauthenticated call still gets 401). Query parameters are checked for their declared type,
enum and bounds; where an operation declares query parameters, an undeclared one is refused
(a misspelt filter would otherwise silently return everything).
"""
from __future__ import annotations

import copy
import functools
import re

from flask import current_app, jsonify, request

ERROR_CODE = "invalid_request"


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)


def _to_json_schema(schema):
    """OpenAPI 3.0 schema → JSON Schema: ``nullable`` becomes a ``null`` type."""
    if isinstance(schema, list):
        return [_to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _to_json_schema(v) for k, v in schema.items() if k not in ("nullable", "example", "format")}
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


_VALIDATORS: dict[int, tuple[dict, object]] = {}


def _validator(schema):
    """One compiled validator per schema object of the document (built at install time)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    from jsonschema import Draft7Validator
    validator = Draft7Validator(_to_json_schema(copy.deepcopy(schema)))
    _VALIDATORS[id(schema)] = (schema, validator)   # the schema kept: its id stays its own
    return validator


def _where(error) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return ".".join(filter(None, [path, *missing[:1]]))
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        return ".".join(filter(None, [path, *extra[:1]]))
    return path


def _error_code(error, field: str) -> str:
    """The field's own ``x-error-code``, or for a missing field its ``x-missing-code`` (what the
    view would have said, e.g. ``identity_check_required``), else ``invalid_request``."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required":
        schema = schema.get("properties", {}).get(field.rsplit(".", 1)[-1], {})
        return schema.get("x-missing-code", ERROR_CODE) if isinstance(schema, dict) else ERROR_CODE
    return schema.get("x-error-code", ERROR_CODE)


def _refuse(message: str, field: str = "", code: str = ERROR_CODE):
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    return jsonify(body), 400


def _query_value(raw: str, schema: dict):
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]{1,19}", raw):
            raise ValueError("应为整数")
        return int(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError("应为 true 或 false")
        return raw == "true"
    return raw


def _check_path(parameters: list[dict]):
    """A path value outside its declared bounds (an id of 0) names no resource: 404."""
    for param in parameters:
        if param.get("in") != "path":
            continue
        value = (request.view_args or {}).get(param["name"])
        if value is not None and list(_validator(param.get("schema") or {}).iter_errors(value)):
            return jsonify({"error": "not_found", "message": "页面或记录不存在"}), 404
    return None


def _check_query(parameters: list[dict]):
    declared = {p["name"] for p in parameters if p.get("in") == "query"}
    unknown = sorted(set(request.args) - declared) if declared else []
    if unknown:   # a misspelt filter would otherwise be ignored and return everything
        return _refuse(f"未知的查询参数 {unknown[0][:64]}（可用：{'、'.join(sorted(declared))}）",
                       unknown[0][:64])
    for param in parameters:
        if param.get("in") != "query":
            continue
        name, schema = param["name"], param.get("schema") or {}
        code = param.get("x-error-code", ERROR_CODE)   # a code clients already know
        values = request.args.getlist(name)
        if not values:
            if param.get("required"):
                return _refuse(f"缺少查询参数 {name}", name, code)
            continue
        try:
            value = _query_value(values[-1], schema)
        except ValueError as exc:
            return _refuse(f"查询参数 {name} {exc}", name, code)
        errors = list(_validator(schema).iter_errors(value))
        if errors:
            return _refuse(f"查询参数 {name} 不符合要求：{errors[0].message[:200]}", name, code)
    return None


def _check_body(operation: dict, validator):
    spec = operation.get("requestBody")
    if spec is None:
        return None
    raw = request.get_data(cache=True)
    if not raw.strip():
        if spec.get("required"):
            return _refuse("缺少请求体（JSON 对象）")
        return None
    try:  # the app's parser: depth and control characters checked first (web.inputs)
        data = current_app.json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _refuse("请求体不是有效的 JSON", code="invalid_json")
    if not isinstance(data, dict):
        return _refuse("请求体应为 JSON 对象", code="invalid_json")
    errors = sorted(validator.iter_errors(data), key=lambda e: len(list(e.absolute_path)))
    if errors:
        error = errors[0]
        field = _where(error)
        # a field may keep the code clients already know for it (``x-error-code``)
        code = _error_code(error, field)
        return _refuse(f"请求体{('字段 ' + field) if field else ''}不符合接口说明：{error.message[:200]}",
                       field, code)
    return None


def install(app) -> None:
    """Wrap every ``/api/v1`` view with the check of its operation in the document."""
    from .openapi import spec
    document = spec(app=app)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        item = document["paths"].get(_openapi_path(rule.rule))
        if item is None:
            continue
        checks = {}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = item.get(method.lower())
            if operation is None:
                continue
            schema = (((operation.get("requestBody") or {}).get("content") or {})
                      .get("application/json") or {}).get("schema")
            checks[method] = (operation, _validator(schema) if schema else None)
        view = app.view_functions.get(rule.endpoint)
        if view is None or getattr(view, "_api_checks", None) is not None:
            if view is not None:
                view._api_checks.update(checks)
            continue
        app.view_functions[rule.endpoint] = _wrap(view, checks)


def _wrap(view, checks: dict):
    @functools.wraps(view)
    def checked(*args, **kwargs):
        operation, validator = checks.get(request.method, (None, None))
        if operation is not None:
            refused = (_check_path(operation.get("parameters") or [])
                       or _check_query(operation.get("parameters") or []))
            if refused is None and validator is not None:
                refused = _check_body(operation, validator)
            if refused is not None:
                return refused
        return view(*args, **kwargs)
    checked._api_checks = checks
    return checked
