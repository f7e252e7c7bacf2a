"""The phone step (手机短信验证) and the code that confirms an e-signature.

Codes are those of :mod:`core.people.sms_login` — six digits from :mod:`secrets`, stored only as an
HMAC-SHA256 keyed with ``SECRET_KEY``, valid five minutes, usable once, compared with
:func:`hmac.compare_digest`, at most five wrong guesses, a new code at most once a minute
per phone and purpose. This module adds what the identity steps need:

* the code is bound to one application and one purpose (``sms:<id>`` for the phone step,
  ``esign:<id>`` for signing), so a code cannot be replayed elsewhere;
* it goes to the phone on file for the applicant (real-name phone), falling back to the
  portal account's phone;
* at most ``IDENTITY_SMS_PER_HOUR`` codes per phone per hour across all purposes;
* pluggable senders: ``SMS_SENDER`` may name a registered sender (``console`` in
  development) or a ``module:attribute`` path to a class with ``send(phone, text)``.
"""
from __future__ import annotations

import datetime as dt
import importlib

from sqlalchemy import func, select

from core.people import sms_login as core_sms
from core import acceptance
from core.platform.clock import now
from core.platform.errors import Conflict, InvalidInput
from core.platform.identifiers import mask_phone
from core.platform.models import Application, Citizen

from core.identity import settings
from core.identity.steps import require_own_open_application

PURPOSES = ("sms", "esign")


def register_sender(name: str, factory) -> None:
    """Make a sender available under ``name`` (``SMS_SENDER=name``)."""
    core_sms.SENDERS[name] = factory


def _resolve_sender(quanke) -> None:
    """A ``module:attribute`` SMS_SENDER is imported and registered under that name, so
    :func:`core.people.sms_login.send_code` uses it; an unknown plain name is an error, never a silent
    fall-back to the console."""
    name = quanke.config.get("SMS_SENDER") or "console"
    if name in core_sms.SENDERS:
        return
    module, sep, attr = name.partition(":")
    if not sep:
        raise InvalidInput(f"短信发送通道 {name!r} 未注册", code="sms_sender_unknown")
    register_sender(name, getattr(importlib.import_module(module), attr))


def purpose_key(purpose: str, app_id: int) -> str:
    if purpose not in PURPOSES:
        raise InvalidInput("未知的验证码用途", code="invalid_purpose")
    return f"{purpose}:{app_id}"


def _load(session, quanke, citizen: Citizen, app_id: int, purpose: str) -> tuple[Application, str]:
    app = session.get(Application, app_id)
    who, _ = require_own_open_application(quanke, session, app, citizen, purpose,
                                          action="进行身份核验", not_needed="该事项不需要此项核验")
    phone = (app.applicant.phone if app.applicant.kind == "person" else "") or who.phone
    if not phone:
        raise InvalidInput("没有登记手机号码，请到便民服务中心更新", code="phone_missing")
    return app, phone


def send_identity_code(quanke, citizen: Citizen, app_id: int, *, purpose: str = "sms",
                       at: dt.datetime | None = None) -> dict:
    """Send a code for the phone step (``sms``) or for signing (``esign``).

    Returns ``{"phone_masked", "expires_in", "resend_after"}``; the code itself never comes
    back. Too soon after the last code: :class:`Conflict` ``sms_too_soon`` (from core.people.sms_login);
    too many this hour: :class:`Conflict` ``sms_hourly_limit``.
    """
    at = at or now()
    key = purpose_key(purpose, app_id)
    s = settings(quanke)
    _resolve_sender(quanke)
    with quanke.db.session() as session:
        app, phone = _load(session, quanke, citizen, app_id, purpose)
        phone = core_sms.normalise_phone(phone)
        if purpose == "sms" and "sms" in (app.identity_passed or []):
            raise Conflict("手机号码已验证，无需重复验证", code="sms_already_passed")
        sent = session.scalar(select(func.count(core_sms.SmsCode.id)).where(
            core_sms.SmsCode.phone == phone, core_sms.SmsCode.created_at > at - dt.timedelta(hours=1)))
        if sent >= s.identity_sms_per_hour:
            raise Conflict("验证码发送过于频繁，请1小时后再试", code="sms_hourly_limit")
        core_sms.send_code(quanke, session, phone, purpose=key, at=at)
    return {"phone_masked": mask_phone(phone), "expires_in": int(core_sms.CODE_TTL.total_seconds()),
            "resend_after": int(core_sms.RESEND_AFTER.total_seconds())}


def check_identity_code(quanke, citizen: Citizen, app_id: int, code: str, *, purpose: str,
                        at: dt.datetime | None = None) -> str:
    """Consume a code (one use, constant-time); returns the masked phone. Errors as core.people.sms_login."""
    key = purpose_key(purpose, app_id)
    with quanke.db.session() as session:
        _, phone = _load(session, quanke, citizen, app_id, purpose)
        phone = core_sms.verify_code(quanke, session, phone, code, purpose=key, at=at)
    return mask_phone(phone)


def confirm_phone(quanke, citizen: Citizen, app_id: int, code: str, *,
                  at: dt.datetime | None = None) -> Application:
    """The phone step: a right code records ``sms`` as passed on the draft."""
    masked = check_identity_code(quanke, citizen, app_id, code, purpose="sms", at=at)
    return acceptance.record_identity_step(quanke, citizen, app_id, "sms",
                                         evidence={"phone": masked, "method": "sms_code"})


__all__ = ["register_sender", "send_identity_code", "check_identity_code", "confirm_phone", "purpose_key"]
