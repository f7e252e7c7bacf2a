"""OpenAPI descriptions of the business-licence API (``core.api.api_doc``): the bodies and
queries the views read (views/api_bodies.py), so malformed ones are refused before them."""
from __future__ import annotations

from core.api import api_doc

from plugins.business_license.domain import lookups

ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
TEXT = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S"}
UPLOADS = {"type": "array", "maxItems": 20, "items": {
    "type": "object", "required": ["material_code", "content_base64"],
    "properties": {"material_code": {"type": "string", "maxLength": 64},
                   "filename": {"type": "string", "maxLength": 255},
                   "content_base64": {"type": "string", "format": "byte",
                                      "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"}}}}
FILING = {"applicant_id": ID, "form": {"type": "object", "description": "申请表各项（按事项表单校验）"},
          "paper": {"type": "array", "items": {"type": "string", "maxLength": 64}},
          "uploads": UPLOADS, "consent": {"type": "boolean"}, "consent_text": {"type": "string", "maxLength": 500},
          "idempotency_key": {"type": "string", "maxLength": 80}}
APP = {"type": "object", "required": ["id", "number", "state"], "properties": {
    "id": {"type": "integer"}, "number": {"type": "string"}, "state": {"type": "string"}}}

name_check = api_doc(query=[{"name": k, "required": True, "schema": TEXT, "x-error-code": "invalid_field"}
                            for k in ("trade_name", "industry", "name_form")], errors=(400, 401, 403))
application = api_doc(body={"type": "object", "required": ["service_code", "applicant_id", "form"], "properties": {
    "service_code": {"type": "string", "enum": list(lookups.SERVICES)}, **FILING}}, response=APP, status=201)
bundle = api_doc(body={"type": "object", "required": ["applicant_id", "form"], "properties": FILING},
                 status=201)
accept_bundle = api_doc(body={"type": "object", "properties": {"warn_reason": {"type": "string", "maxLength": 2000}}},
                        body_required=False)
inspection_result = api_doc(body={"type": "object", "required": ["outcome"], "properties": {
    "outcome": {"type": "string", "maxLength": 32}, "note": {"type": "string", "maxLength": 2000},
    "deadline": {"type": "string", "nullable": True, "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}})

# -- query parameters of the GET routes (views/common.page_args, core inputs.parse_int/parse_date) --
#: ``inputs.parse_date``: a real date, 1900-01-01 … 2100-12-31 (February 29 in leap years only)
_YEAR = "(19[0-9]{2}|20[0-9]{2}|2100)"
_DAY = (f"{_YEAR}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
        "|02-(0[1-9]|1[0-9]|2[0-8]))|(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26]))-02-29")
SINCE = {"type": "string", "description": "YYYY-MM-DD，可留空", "pattern": f"^(|{_DAY})$"}


def _q(name: str, schema: dict, code: str = "invalid_field") -> dict:
    return {"name": name, "x-error-code": code, "schema": schema}


def _streets() -> dict:
    from plugins.business_license.domain import catalog
    return {"type": "string", "enum": ["", *catalog.STREETS]}


def _task_statuses() -> list[str]:
    from plugins.business_license.models import TASK_STATUSES
    return list(TASK_STATUSES)


PAGE = [_q("page", {"type": "integer", "minimum": 1, "maximum": 10000}),
        _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100})]
FEED = [_q("since", SINCE), _q("after_id", {"type": "integer", "minimum": 0, "maximum": 2147483647}),
        _q("limit", {"type": "integer", "minimum": 1, "maximum": 5000}), _q("street", _streets())]
LISTING = {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
    "items": {"type": "array", "items": {"type": "object"}}, "page": {"type": "integer"},
    "per_page": {"type": "integer"}, "total": {"type": "integer"}}}

businesses = api_doc(query=[_q("name", {"type": "string"}), _q("code", {"type": "string"}),
                            _q("operator_id", {"type": "string"}), _q("street", _streets()),
                            _q("status", {"type": "string", "enum": ["", "active", "deregistered"]}), *PAGE],
                     response=LISTING, errors=(400, 401, 403))
supervision = api_doc(query=FEED, response={"type": "object", "required": ["items", "total", "next_after_id"],
                                            "properties": {"items": {"type": "array", "items": {"type": "object"}},
                                                           "total": {"type": "integer"},
                                                           "next_after_id": {"type": "integer"}}},
                      errors=(400, 401, 403))
inspections = api_doc(query=[_q("status", {"type": "string", "enum": [*_task_statuses(), "all"]}),
                             _q("street", {"type": "string"})],
                      response={"type": "object", "required": ["items"], "properties": {
                          "items": {"type": "array", "items": {"type": "object"}}}}, errors=(400, 401, 403))
#: the answer is a CSV file; api_doc describes JSON answers only, so only the query is told
supervision_csv = api_doc(query=FEED, errors=(400, 401, 403))
