"""How the applicant wants the result (领取方式): picked up at any centre (同城取件), or sent by
courier (邮寄送达) to an address — checked here once for every filing path (counter, agent,
portal, API, draft edits), so no page needs an address field of its own.

A courier choice needs a recipient, a phone the courier can call and a postal address; a
pick-up choice keeps no address (one typed before switching to pick-up is dropped, not kept
as stale personal data). Plugins see the choice in ``validate_application(delivery=...)``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.platform.errors import InvalidInput
from core.platform.identifiers import mask_name, mask_phone, normalise_phone
from core.platform.inputs import check_text

METHODS = {"pickup": "窗口领取", "courier": "邮寄送达"}
#: form field → key in the stored address (the web pages and the API use these names)
FIELDS = {"courier_recipient": "recipient", "courier_phone": "phone", "courier_address": "address"}
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}")


@dataclass(frozen=True)
class CourierAddress:
    """Where the courier takes the result: recipient, a phone for the courier, the address."""

    recipient: str
    phone: str
    address: str

    def to_record(self) -> dict:
        return {"recipient": self.recipient, "phone": self.phone, "address": self.address}


def _clean(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return re.sub(r"\s+", " ", text)


def _phone(raw: str) -> str:
    try:
        return normalise_phone(raw, field="courier_phone")
    except InvalidInput:
        compact = raw.replace(" ", "").replace("－", "-")
        if _LANDLINE.fullmatch(compact):
            return compact
        raise InvalidInput("联系电话应为11位手机号码，或带区号的固定电话（如 025-84567890）",
                           code="invalid_courier_phone", field="courier_phone") from None


def courier_address(raw) -> CourierAddress:
    """A courier address from ``{"recipient", "phone", "address"}`` (or the form's field names
    ``courier_recipient`` …), every problem at once in ``details["fields"]``, else
    :class:`InvalidInput` — ``courier_address_required`` when nothing was given at all."""
    if isinstance(raw, CourierAddress):
        return raw
    if raw is not None and not isinstance(raw, dict):
        raise InvalidInput("邮寄信息应包含收件人、联系电话和邮寄地址", code="invalid_courier_address",
                           field="courier_address")
    values = {key: (raw or {}).get(key, (raw or {}).get(field)) for field, key in FIELDS.items()}
    values = {key: _clean(value) for key, value in values.items()}
    if not any(values.values()):
        raise InvalidInput("选择邮寄送达时，请填写收件人、联系电话和邮寄地址",
                           code="courier_address_required", field="courier_address",
                           details={"fields": {"courier_address": ["请填写邮寄地址"],
                                               "courier_recipient": ["请填写收件人"],
                                               "courier_phone": ["请填写联系电话"]}})
    errors: dict[str, list[str]] = {}
    for field, key in FIELDS.items():
        try:
            check_text(values[key], field=field)
        except InvalidInput as exc:
            errors[field] = [exc.message]
    if not 1 <= len(values["recipient"]) <= 30:
        errors.setdefault("courier_recipient", ["请填写收件人姓名（最多30个字）"])
    if not 5 <= len(values["address"]) <= 200:
        errors.setdefault("courier_address", ["邮寄地址应为5至200个字，写明省、市、区县、街道和门牌号"])
    phone = values["phone"]
    if not phone:
        errors.setdefault("courier_phone", ["请填写收件人的联系电话"])
    elif "courier_phone" not in errors:
        try:
            phone = _phone(phone)
        except InvalidInput as exc:
            errors["courier_phone"] = [exc.message]
    if errors:
        first = next(iter(errors))
        raise InvalidInput("邮寄信息填写有误：" + "；".join(m for ms in errors.values() for m in ms),
                           code="invalid_courier_address", field=first, details={"fields": errors})
    return CourierAddress(values["recipient"], phone, values["address"])


def delivery_choice(method: str | None, address=None) -> tuple[str, dict | None]:
    """``(method, stored address)``: the address is required and checked for ``courier``,
    dropped for ``pickup``."""
    method = method or "pickup"
    if method not in METHODS:
        raise InvalidInput("领取方式只能是窗口领取或邮寄", code="invalid_delivery_method",
                           field="delivery_method")
    if method == "pickup":
        return method, None
    return method, courier_address(address).to_record()


def delivery_view(method: str, pickup_centre_id: int | None, address: dict | None) -> dict:
    """The delivery choice as plugins see it (``validate_application(delivery=...)``)."""
    return {"method": method, "method_label": METHODS.get(method, method),
            "pickup_centre_id": pickup_centre_id if method == "pickup" else None,
            "courier_address": dict(address) if method == "courier" and address else None}


def masked(address: dict | None) -> dict | None:
    """The address for lists and logs: recipient and phone masked, the address shortened."""
    if not address:
        return None
    text = str(address.get("address") or "")
    return {"recipient": mask_name(str(address.get("recipient") or "")),
            "phone": mask_phone(str(address.get("phone") or "")),
            "address": (text[:6] + "****") if len(text) > 6 else "****"}
