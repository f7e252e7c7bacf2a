"""Applicants (申请人): finding, registering and reading a person or an enterprise, a new
phone number checked at the counter, and the person's portrait (人像登记) for remote face checks."""
from __future__ import annotations

from flask import jsonify, request

from core.people import applicants as applicant_store
from core.people import presence
from core.platform import actors
from core.platform.errors import InvalidInput, NotFound
from core.platform.identifiers import mask_id, mask_name
from core.platform.models import Applicant, Role, User

from ..helpers import quanke
from .plumbing import body, bp, iso, me, need, s
from .shapes import applicant_json


@bp.get("/api/v1/applicants")
def find_applicant():
    need(Role.COUNTER, Role.AGENT)
    kind = request.args.get("kind", "person")
    number = (request.args.get("id_number") or "").strip()[:64]
    if kind not in ("person", "enterprise"):
        raise InvalidInput("kind 只能是 person 或 enterprise", code="invalid_applicant_kind", field="kind")
    if not number:
        raise InvalidInput("请提供 id_number", code="invalid_field", field="id_number")
    with quanke().db.session() as db:
        person = applicant_store.find(db, kind, number)
        if person is not None:  # the full number was typed from the ID shown: at the window
            presence.identified(db, me(), person, how="api_lookup")
        items = [applicant_json(person)] if person else []
    return jsonify({"items": items, "page": 1, "per_page": 1, "total": len(items)})


@bp.post("/api/v1/applicants")
def register_applicant():
    user = need(Role.COUNTER, Role.AGENT)
    data = body()
    kind = s(data, "kind", max_len=16, default="person")
    with quanke().db.session() as db:
        person, warnings = applicant_store.register(
            db, kind=kind, id_number=s(data, "id_number", max_len=64), name=s(data, "name", max_len=200),
            phone=s(data, "phone", max_len=20), actor=actors.actor_key(user))
        presence.identified(db, user, person, how="api_register")
        out = applicant_json(person) | {"warnings": warnings}
    return jsonify(out), 201


@bp.post("/api/v1/applicants/<int:applicant_id>/identify")
def identify_applicant(applicant_id: int):
    """核验证件 (core.people.presence): the number from the ID the person at the window shows;
    for half an hour the worker may help with their drafts and see their full data."""
    user = need(Role.COUNTER)
    data = body()
    with quanke().db.session() as db:
        presence.identify(db, user, applicant_id, s(data, "id_number", max_len=64), how="api_recheck")
    return jsonify({"identified": True, "valid_minutes": presence.PRESENCE_MINUTES})


@bp.get("/api/v1/applicants/<int:applicant_id>")
def get_applicant(applicant_id: int):
    need(Role.COUNTER, Role.AGENT)
    with quanke().db.session() as db:
        person = db.get(Applicant, applicant_id)
        if person is None:
            raise NotFound("申请人不存在", code="applicant_not_found")
        out = applicant_json(person)
        out["id_number"] = mask_id(person.id_number)
        out["name"] = mask_name(person.name)
    return jsonify(out)


@bp.post("/api/v1/applicants/<int:applicant_id>/phone")
def change_applicant_phone(applicant_id: int):
    """A new phone for a person, at the counter, ID re-checked (core.people.applicants.change_phone)."""
    user = need(Role.COUNTER)
    data = body()
    with quanke().db.session() as db:
        person = applicant_store.change_phone(db, applicant_id=applicant_id, user=db.get(User, user.id),
                                              id_number=s(data, "id_number", max_len=64),
                                              phone=s(data, "phone", max_len=20))
        out = applicant_json(person)
        out["id_number"] = mask_id(person.id_number)
    return jsonify(out)


def _portrait_json(ref: dict) -> dict:
    return {k: iso(v) if k in ("enrolled_at", "photo_keep_until") else v for k, v in ref.items()}


@bp.get("/api/v1/applicants/<int:applicant_id>/portraits")
def list_portraits(applicant_id: int):
    """The person's enrolled portraits (no photos): core.identity.enrolment.references_for."""
    from core.identity.enrolment import references_for
    items = [_portrait_json(r) for r in references_for(quanke(), need(), applicant_id=applicant_id)]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


@bp.post("/api/v1/applicants/<int:applicant_id>/portraits")
def enrol_portrait(applicant_id: int):
    """人像登记 at a counter: the person shows their ID (``id_number`` read from it must be the
    applicant's) and a photo is taken or read from the card (``photo_base64``). Audited."""
    import base64
    import binascii

    from core.identity.enrolment import enrol
    user = need(Role.COUNTER)
    data = body()
    try:
        photo = base64.b64decode(s(data, "photo_base64", max_len=12_000_000), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("photo_base64 不是有效的 Base64", code="invalid_field", field="photo_base64") from None
    if not photo:
        raise InvalidInput("请提供本人照片 photo_base64", code="photo_missing", field="photo_base64")
    ref = enrol(quanke(), user, photo=photo, source=s(data, "source", max_len=16, default="live_photo"),
                applicant_id=applicant_id, shown_id_number=s(data, "id_number", max_len=64))
    return jsonify(_portrait_json(ref)), 201
