"""How a plugin describes its JSON API routes for the OpenAPI document (``/api/openapi.json``).

The core lists every ``/api/v1/<plugin>/…`` route from the URL map. A view decorated with
:func:`api_doc` adds what the URL map cannot know — the request body, the query parameters
and the answer — as OpenAPI 3.0 schemas::

    @bp.post("/loans")
    @api_doc(body={"type": "object", "required": ["holder_id", "minutes"],
                   "properties": {"holder_id": {"type": "integer", "minimum": 1},
                                  "minutes": {"type": "integer", "minimum": 1}}},
             response={"type": "object", "properties": {"journal_id": {"type": "integer"}}},
             status=201)
    def post_loan(): ...

The web layer checks every request against the document before the view runs (a body not
matching ``body`` is refused with 400 ``invalid_request``, an unknown field included: objects
listing ``properties`` are closed), so the view only decides business rules.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def api_doc(*, body: dict | None = None, query: list[dict] | None = None,
            response: dict | None = None, status: int = 200, body_required: bool | None = None,
            errors: tuple[int, ...] = (400, 401, 403, 404, 409)) -> Callable:
    """Attach the route's OpenAPI description to the view (read by ``web.openapi``).

    ``query``: ``[{"name": …, "schema": {…}, "required": bool}]``; ``body_required``
    defaults to whether ``body`` names required fields."""
    doc: dict[str, Any] = {"body": body, "query": query or [], "response": response,
                           "status": status, "errors": tuple(errors),
                           "body_required": bool(body and body.get("required"))
                           if body_required is None else body_required}

    def mark(view):
        view.openapi = doc
        return view
    return mark
