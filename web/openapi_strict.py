"""Tightening the OpenAPI document so it says what the server enforces (issue 22 #9).

:func:`close_request_bodies` closes every request-body object that lists its properties
(``additionalProperties: false`` unless the schema says otherwise): an unknown field is a
mistake the caller should hear about (a misspelt ``delivery_methd`` would otherwise be
dropped silently), and :mod:`web.api_validation` refuses it with 400 ``invalid_request``.
Free-form objects (``form_data``, checked by the service's own form) have no ``properties``
and stay open.
"""
from __future__ import annotations


def _close(schema) -> None:
    if isinstance(schema, list):
        for item in schema:
            _close(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)
    for key in ("properties",):
        for sub in (schema.get(key) or {}).values():
            _close(sub)
    for key in ("items", "anyOf", "oneOf", "allOf"):
        if key in schema:
            _close(schema[key])


def close_request_bodies(paths: dict) -> dict:
    """Close request objects, and list the answers web.api_validation may give: 400 where
    there is a body or a query to check, 404 where a path value may name nothing."""
    from .openapi import _errors
    for item in paths.values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            params = operation.get("parameters") or []
            responses = operation.setdefault("responses", {})
            if operation.get("requestBody") or any(p.get("in") == "query" for p in params):
                responses.setdefault("400", _errors(400)["400"])
            if any(p.get("in") == "path" for p in params):
                responses.setdefault("404", _errors(404)["404"])
            for media in ((operation.get("requestBody") or {}).get("content") or {}).values():
                _close(media.get("schema"))
    return paths
