"""The delivery choice (领取方式) on the filing pages — counter, portal, draft edits — read from
the posted form and shown again with its errors, by the one include ``_delivery_inputs.html``.
The core validates it (:mod:`core.acceptance.delivery_choice`)."""
from __future__ import annotations

from core.acceptance.delivery_choice import FIELDS

DELIVERY_FIELDS = ("delivery_method", "pickup_centre_id", *FIELDS)


def posted_choice(form) -> dict:
    """What the page posted, to show again when the filing is refused."""
    return {name: (form.get(name) or "").strip() for name in DELIVERY_FIELDS} | {
        "delivery_method": form.get("delivery_method") or "pickup"}


def posted_address(form) -> dict | None:
    """The courier address fields as the core takes them (None when none was typed)."""
    values = {key: (form.get(field) or "") for field, key in FIELDS.items()}
    return values if any(v.strip() for v in values.values()) else None


def stored_choice(app) -> dict:
    """A saved draft's choice, for its edit page (no address yet: recipient and phone of the
    applicant, as on a new application)."""
    if not app.courier_address:
        return new_choice(app.applicant) | {"delivery_method": app.delivery_method,
                                            "pickup_centre_id": str(app.pickup_centre_id or "")}
    address = app.courier_address
    return {"delivery_method": app.delivery_method,
            "pickup_centre_id": str(app.pickup_centre_id or ""),
            **{field: address.get(key, "") for field, key in FIELDS.items()}}


def new_choice(applicant) -> dict:
    """A new application: pick-up, with the courier recipient and phone pre-filled from the
    known applicant (they are sent wherever the applicant says; the address is typed)."""
    person = applicant.kind == "person"
    return {"delivery_method": "pickup", "pickup_centre_id": "",
            "courier_recipient": applicant.name if person else "",
            "courier_phone": applicant.phone or "", "courier_address": ""}


def delivery_errors(exc) -> dict[str, list[str]]:
    """The messages of a refused filing that belong to the delivery fields."""
    fields = dict((exc.details or {}).get("fields") or {})
    if exc.field in DELIVERY_FIELDS and exc.field not in fields:
        fields[exc.field] = [exc.message]
    return {name: list(messages) for name, messages in fields.items() if name in DELIVERY_FIELDS}
