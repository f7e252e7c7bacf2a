"""Reading the JSON bodies of the plugin's API (``/api/v1/business_license``) and writing its
answers: each bad field is a clear :class:`core.api.InvalidInput` naming it, never a 500."""
from __future__ import annotations

import base64
import binascii

from flask import request

from core.api import InvalidInput, Upload
from plugins.business_license.domain import food_filing


def body() -> dict:
    data = request.get_json(silent=True) if request.data else {}
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象", code="invalid_json")
    return data


def strings(data: dict, key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 64 for v in value):
        raise InvalidInput(f"{key} 应为字符串数组", code="invalid_field", field=key)
    return value


def uploads(data: dict) -> list[Upload]:
    value = data.get("uploads") or []
    if not isinstance(value, list) or len(value) > 20:
        raise InvalidInput("uploads 应为数组（最多20项）", code="invalid_field", field="uploads")
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("material_code"), str):
            raise InvalidInput("uploads 的每一项应为 {material_code, filename, content_base64}",
                               code="invalid_field", field="uploads")
        try:
            raw = base64.b64decode(item.get("content_base64") or "", validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("content_base64 不是有效的 Base64", code="invalid_field",
                               field=item["material_code"]) from None
        out.append(Upload(item["material_code"], str(item.get("filename") or "upload")[:255], raw))
    return out


def filing_options(data: dict) -> dict:
    key = data.get("idempotency_key")
    if key is not None and not isinstance(key, str):
        raise InvalidInput("idempotency_key 应为字符串", code="invalid_field", field="idempotency_key")
    if not isinstance(data.get("consent", False), bool):
        raise InvalidInput("consent 应为 true 或 false", code="invalid_field", field="consent")
    return {"consent": data.get("consent", False), "idempotency_key": key,
            "consent_text": str(data.get("consent_text") or "")[:500]}


def applicant_id(data: dict) -> int:
    value = data.get("applicant_id")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("applicant_id 应为正整数", code="invalid_field", field="applicant_id")
    return value


def form(data: dict) -> dict:
    form = data.get("form")
    if not isinstance(form, dict):
        raise InvalidInput("form 应为对象（申请表各项）", code="invalid_field", field="form")
    return form


def app_json(app) -> dict:
    return {"id": app.id, "number": app.number, "service_code": app.service_code,
            "state": app.state, "receipt_no": app.receipt_no,
            "due_date": app.due_date.isoformat() if app.due_date else None}


def joint_json(joint) -> dict:
    return {"reference": joint.bundle.reference, "registration": app_json(joint.registration),
            "permit": app_json(joint.permit) if joint.permit else None,
            "filing": food_filing.as_dict(joint.filing),
            "accepted_at": joint.bundle.accepted_at.isoformat() if joint.bundle.accepted_at else None}
