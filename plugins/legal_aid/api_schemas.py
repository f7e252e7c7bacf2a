"""OpenAPI descriptions of the legal-aid API (``core.api.api_doc``): what each body and query
holds, as the views read them (:mod:`plugins.legal_aid.api.parsing` and the domain's own
length checks), so the document says what the server accepts and the web layer refuses
malformed requests with 400 ``invalid_request`` naming the field.

Text is measured by the domain after trimming; the document bounds the text as sent."""
from __future__ import annotations

from core.api import api_doc
from plugins.legal_aid.domain.law import CATEGORIES, TERMINATION_REASONS, URGENT_REASONS
from plugins.legal_aid.domain.status import LABELS

#: a field of the wrong type or size keeps the code clients already know (``invalid_field``);
#: a missing required field or an unknown one is ``invalid_request``
FIELD = {"x-error-code": "invalid_field"}
ID = {**FIELD, "type": "integer", "minimum": 1, "maximum": 2147483647}
BOOL = {**FIELD, "type": "boolean"}
#: ``integer()``: absent or null = none chosen (the roster picks a lawyer)
LAWYER = {**ID, "nullable": True}
#: ``day()``: ``dt.date.fromisoformat``, refused as ``invalid_date`` otherwise
DATE = {"x-error-code": "invalid_date", "type": "string", "format": "date", "description": "YYYY-MM-DD", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
OPTIONAL_DATE = {"x-error-code": "invalid_date", "type": "string", "description": "YYYY-MM-DD，可留空", "nullable": True,
                 "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"}
#: a required text the domain refuses as ``invalid_field`` when blank after trimming
FILLED = "\\S"


def text(max_len: int | None = None, *, filled: bool = False, nullable: bool = True) -> dict:
    """``parsing.text``: a string (null read as empty) up to ``max_len`` characters."""
    schema: dict = {**FIELD, "type": "string"}
    if max_len is not None:
        schema["maxLength"] = max_len
    if filled:
        schema.update(minLength=1, pattern=FILLED)
    elif nullable:
        schema["nullable"] = True
    return schema


def body(required: list[str], **props) -> dict:
    schema = {"type": "object", "properties": props}
    return {**schema, "required": required} if required else schema   # OpenAPI 3.0: never an empty list


CASE = {"type": "object", "required": ["id", "number", "state", "status", "status_label"], "properties": {
    "id": {"type": "integer"}, "number": {"type": "string"}, "state": {"type": "string"},
    "status": {"type": "string"}, "status_label": {"type": "string"}}}
LAWYER_ROW = {"type": "object", "required": ["id", "name", "licence_no", "firm", "max_active", "on_roster",
                                             "active_cases", "total_cases", "conflicts"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "licence_no": {"type": "string"},
    "firm": {"type": "string"}, "phone": {"type": "string", "nullable": True},
    "max_active": {"type": "integer"}, "on_roster": {"type": "boolean"},
    "active_cases": {"type": "integer"}, "total_cases": {"type": "integer"},
    "conflicts": {"type": "array", "items": {"type": "object", "properties": {
        "party_name": {"type": "string"}, "note": {"type": "string", "nullable": True}}}}}}
PAGE = {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
    "items": {"type": "array", "items": {"type": "object"}}, "page": {"type": "integer"},
    "per_page": {"type": "integer"}, "total": {"type": "integer"}}}

# -- cases ----------------------------------------------------------------------------------
list_cases = api_doc(query=[
    {"name": "status", "x-error-code": "invalid_field", "schema": {"type": "string", "enum": ["", *LABELS]}},
    {"name": "category", "x-error-code": "invalid_field", "schema": {"type": "string", "enum": ["", *CATEGORIES]}},
    {"name": "q", "schema": {"type": "string", "description": "按编号或申请人查找（取前50字）"}},
    {"name": "page", "schema": {"type": "integer", "minimum": 1, "maximum": 1000000}},
    {"name": "per_page", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
    response=PAGE, errors=(400, 401, 403))
get_case = api_doc(response=CASE, errors=(401, 403, 404))
decide = api_doc(body=body(["grant"], grant=BOOL, reasons=text(4000)), response=CASE)
urgent = api_doc(body=body(["reason"], reason={"x-error-code": "invalid_urgent_reason", "type": "string",
                                   "enum": list(URGENT_REASONS)},
                           deadline_on=OPTIONAL_DATE, note=text(2000)), response=CASE, status=201)
assign = api_doc(body=body([], lawyer_id=LAWYER), response=CASE, status=201)
reassign = api_doc(body=body(["reason"], reason=text(1000, filled=True), lawyer_id=LAWYER),
                   response=CASE, status=201)
terminate = api_doc(body=body(["reason", "facts", "found_on"],
                              reason={"x-error-code": "invalid_termination_reason", "type": "string",
                                      "enum": list(TERMINATION_REASONS)},
                              facts=text(4000, nullable=False), found_on=DATE, basis=text(200)),
                    response=CASE, status=201)

# -- objections (Art. 49) ---------------------------------------------------------------------
lodge = api_doc(body=body(["grounds", "received_on"], grounds=text(4000, nullable=False), received_on=DATE),
                response={"type": "object", "required": ["id", "against", "due_on", "status"], "properties": {
                    "id": {"type": "integer"}, "against": {"type": "string"},
                    "due_on": {"type": "string"}, "status": {"type": "string"}}}, status=201)
decide_objection = api_doc(body=body(["uphold", "reasons"], uphold=BOOL,
                                     reasons=text(4000, nullable=False)),
                           response={"type": "object", "required": ["id", "status"], "properties": {
                               "id": {"type": "integer"}, "status": {"type": "string"},
                               "document_id": {"type": "integer", "nullable": True}}})
correct = api_doc(body=body([], note=text()), response=CASE, body_required=False)

# -- roster and standards -----------------------------------------------------------------------
lawyers = api_doc(response={"type": "object", "required": ["items"], "properties": {
    "items": {"type": "array", "items": LAWYER_ROW}}}, errors=(401, 403))
add_lawyer = api_doc(body=body(["name", "licence_no", "firm"], name=text(64, filled=True),
                               licence_no={**text(17, filled=True), "description": "17位数字"},
                               firm=text(128, filled=True), phone=text(20),
                               max_active={**FIELD, "type": "integer", "minimum": 1, "maximum": 100, "nullable": True}),
                     response=LAWYER_ROW, status=201)
add_conflict = api_doc(body=body(["party_name"], party_name=text(128, filled=True), note=text(200)),
                       response=LAWYER_ROW, status=201)
list_standards = api_doc(response={"type": "object", "required": ["items"], "properties": {
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "area_code": {"type": "string"}, "effective_from": {"type": "string"},
        "monthly_per_head": {"type": "string"}, "assets_per_head": {"type": "string", "nullable": True},
        "source": {"type": "string", "nullable": True}}}}}}, errors=(401, 403))
#: the body is the CSV file itself (``text/csv``), read by the view, not described as JSON
load_standards = api_doc(response={"type": "object", "required": ["inserted", "updated", "unchanged"],
                                   "properties": {"inserted": {"type": "integer"}, "updated": {"type": "integer"},
                                                  "unchanged": {"type": "integer"}}},
                         status=201, errors=(400, 401, 403))
stats = api_doc(query=[{"name": n, "x-error-code": "invalid_date", "schema": OPTIONAL_DATE} for n in ("start", "end")],
                response={"type": "object", "required": ["start", "end", "total"], "properties": {
                    "start": {"type": "string"}, "end": {"type": "string"}, "total": {"type": "integer"}}},
                errors=(400, 401, 403))
