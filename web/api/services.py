"""Who am I, the service catalogue, and the OpenAPI description of the API."""
from __future__ import annotations

from flask import jsonify, request

from core.acceptance import catalog
from core.platform.errors import InvalidInput

from ..helpers import quanke
from .plumbing import bp, me, page_params, paged
from .shapes import service_summary


@bp.get("/api/v1/me")
def get_me():
    user = me()
    return jsonify({"id": user.id, "username": user.username, "name": user.name,
                    "centre_id": user.centre_id,
                    "roles": sorted(f"{g.role}:{g.department_code}" if g.department_code else g.role
                                    for g in user.grants)})


@bp.get("/api/v1/services")
def list_services():
    page, per_page = page_params()
    channel = request.args.get("channel")
    if channel is not None and channel not in ("counter", "remote", "agent"):
        raise InvalidInput("channel 只能是 counter、remote 或 agent", code="invalid_field", field="channel")
    found = catalog.search(quanke().plugins.services.values(), (request.args.get("q") or "")[:50],
                           channel=channel, limit=10_000)
    items = [service_summary(x) for x in found[(page - 1) * per_page: page * per_page]]
    return jsonify(paged(items, page, per_page, len(found)))


@bp.get("/api/v1/services/<code>")
def get_service(code: str):
    service = quanke().service(code)
    out = service_summary(service)
    out["materials"] = [{"code": m.code, "name": m.name, "required": m.required,
                         "accepted_types": sorted(m.accepted_types), "max_bytes": m.max_bytes,
                         "paper_ok": m.paper_ok, "alternative_to": m.alternative_to}
                        for m in service.materials]
    out["guide"] = dict(service.guide)
    out["commitment"] = service.commitment
    form = service.form()
    out["form_fields"] = [_form_field(f) for f in form]
    return jsonify(out)


def _form_field(field) -> dict:
    """One field of the service's form; a select lists the values it accepts (and their
    labels), so an API client need not guess them."""
    out = {"name": field.name, "label": str(field.label.text), "type": field.type,
           "required": bool(field.flags.required)}
    if hasattr(field, "iter_choices"):
        out["choices"] = [{"value": str(c.value), "label": str(c.label)} for c in field.iter_choices()]
        out["multiple"] = field.type.endswith("SelectMultipleField")
    return out



@bp.get("/api/openapi.json")
def openapi():
    from flask import current_app

    from ..openapi import spec
    return jsonify(spec(request.host_url.rstrip("/"), current_app))

