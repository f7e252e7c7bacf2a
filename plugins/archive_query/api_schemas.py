"""OpenAPI descriptions of the archive-query API's query parameters (``core.api.api_doc``),
as the views read them (``_arg``'s length limits, the access log's page bounds), so a
misspelt or oversized parameter is refused before the view, naming it."""
from __future__ import annotations

from core.api import api_doc


def arg(name: str, max_len: int = 200) -> dict:
    """``api._arg``: a text of at most ``max_len`` characters (longer: ``invalid_field``)."""
    return {"name": name, "x-error-code": "invalid_field", "schema": {"type": "string", "maxLength": max_len}}


FOUND = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}}}

records = api_doc(query=[arg("id_number", 32), arg("category", 32), arg("reason")], response=FOUND,
                  errors=(400, 401, 403))
record = api_doc(query=[arg("reason")], response={"type": "object"}, errors=(400, 401, 403, 404))
search = api_doc(query=[arg("name", 30), arg("birth_year", 4), arg("category", 32), arg("reason")],
                 response=FOUND, errors=(400, 401, 403))
access_log = api_doc(query=[
    {"name": "page", "x-error-code": "invalid_pagination", "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
    {"name": "per_page", "x-error-code": "invalid_pagination", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
    response={"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
        "items": {"type": "array", "items": {"type": "object"}}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "total": {"type": "integer"}}}, errors=(400, 401, 403))
