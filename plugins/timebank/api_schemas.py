"""OpenAPI descriptions of the time-bank API (``core.api.api_doc``): what each body holds,
so the document says what the views accept and the web layer refuses malformed bodies."""
from __future__ import annotations

from core.api import api_doc

ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
#: ``90``, or ``"1:30"`` / ``"1:30:00"`` as typed on the forms (ledger.parse_minutes)
MINUTES = {"x-error-code": "minutes_not_integer", "oneOf": [{"type": "integer", "minimum": 1, "maximum": 1000000},
                     {"type": "string", "pattern": "^[0-9]{1,4}:[0-5][0-9](:00)?$"}]}
REASON = {"type": "string", "minLength": 2, "maxLength": 500, "pattern": "^\\S(.*\\S)?$"}
WHEN = {"type": "string", "format": "date-time", "description": "ISO 8601，如 2026-12-01T09:00+08:00",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"}
JOURNAL = {"type": "object", "required": ["journal_id"], "properties": {"journal_id": {"type": "integer"}}}
REQUEST = {"type": "object", "required": ["id", "number", "status"], "properties": {
    "id": {"type": "integer"}, "number": {"type": "string"}, "status": {"type": "string"}}}


def body(required: list[str], **props) -> dict:
    return {"type": "object", "required": required, "properties": props}


loan = api_doc(body=body(["holder_id", "minutes", "reason"], holder_id=ID, minutes=MINUTES, reason=REASON),
               response=JOURNAL, status=201)
transfer = api_doc(body=body(["holder_id", "relative_id", "minutes"], holder_id=ID, relative_id=ID,
                             minutes=MINUTES), response=JOURNAL, status=201)
withdrawal = api_doc(body=body(["holder_id", "bucket", "purpose"], holder_id=ID,
                               bucket={"type": "string", "enum": ["service", "goods", "cash"]},
                               purpose={"type": "string", "enum": ["cash", "exchange", "transfer"]},
                               minutes=MINUTES, goods_id=ID, quantity=ID, relative_id=ID),
                     response=JOURNAL, status=201)
new_request = api_doc(body=body(["recipient_id", "kind", "window_start", "window_end", "planned_minutes", "place"],
                                recipient_id=ID, kind={"type": "string", "minLength": 1, "maxLength": 64},
                                window_start=WHEN, window_end=WHEN, planned_minutes=MINUTES,
                                place={"type": "string", "minLength": 2, "maxLength": 256, "pattern": "^\\S(.*\\S)?$"},
                                description={"type": "string", "maxLength": 2000},
                                payer={"type": "string", "enum": ["recipient", "donation", "public"]},
                                community={"type": "string", "maxLength": 64, "nullable": True}),
                      response=REQUEST, status=201)
offers = api_doc(body=body(["volunteer_ids"], volunteer_ids={"type": "array", "maxItems": 50, "items": ID}))
accept = api_doc(body=body(["volunteer_id"], volunteer_id=ID), response=REQUEST)
confirm = api_doc(body=body(["minutes"], minutes=MINUTES), response=REQUEST)
follow_up = api_doc(body=body(["rating"], rating={"type": "integer", "minimum": 1, "maximum": 5},
                              comment={"type": "string", "maxLength": 1000}), response=REQUEST)
cancel = api_doc(body=body(["reason"], reason=REASON, not_served={"type": "boolean"}), response=REQUEST)
movements = api_doc(query=[{"name": "days", "schema": {"type": "integer", "minimum": 1, "maximum": 366}}],
                    errors=(400, 401, 404))
interbank = api_doc(query=[{"name": "month", "schema": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}}],
                    errors=(400, 401, 403))
