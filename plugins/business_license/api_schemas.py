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
