"""SMS login codes for the citizen portal (短信验证码登录).

Codes are six digits, stored only as a keyed hash, valid for five minutes, usable once and
for at most ``MAX_ATTEMPTS`` wrong guesses. A phone may ask for a new code once a minute.
Sending goes through a pluggable sender; the console sender prints the code (development).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.platform.clock import now
from core.platform.crypto import BlindIndex
from core.platform.db import Base, UTCDateTime
from core.platform import identifiers
from core.platform.errors import Conflict, Forbidden, InvalidInput
from core.platform.models import Citizen

log = logging.getLogger(__name__)

CODE_TTL = dt.timedelta(minutes=5)
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 5
PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")


class SmsCode(Base):
    __tablename__ = "sms_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The phone's blind index only (HMAC-SM3): the code is sent once and never needs the number.
    phone: Mapped[str] = mapped_column(BlindIndex("phone"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="login")
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))


def normalise_phone(raw: str) -> str:
    """ASCII digits only (NFKC first): see :func:`core.platform.identifiers.normalise_phone`."""
    return identifiers.normalise_phone(raw)


def _hash(secret_key: str, phone: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


class ConsoleSmsSender:
    """Development sender: logs that a message went out, with the phone and any code masked
    (logs are read by more people than the phone's owner; production refuses this sender)."""

    def send(self, phone: str, text: str) -> None:
        log.info("[短信 → %s] %s", identifiers.mask_phone(phone), mask_secrets(text))


_CODE = re.compile(r"(?<![0-9])[0-9]{4,8}(?![0-9])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_secrets(text: str) -> str:
    """Phones as ``138****5678`` and verification codes (4–8 digits) as ``******``."""
    text = _PHONE_IN_TEXT.sub(lambda m: identifiers.mask_phone(m.group(0)), text or "")
    return _CODE.sub(lambda m: "*" * len(m.group(0)), text)


class MemorySmsSender:
    """Test sender: keeps messages in memory (``MemorySmsSender.sent``) instead of sending."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        type(self).sent.append((phone, text))

    @classmethod
    def last_code(cls, phone: str) -> str | None:
        for to, text in reversed(cls.sent):
            if to == phone:
                match = re.search(r"\d{6}", text)
                return match.group(0) if match else None
        return None


SENDERS = {"console": ConsoleSmsSender, "memory": MemorySmsSender}


def send_code(quanke, session: Session, phone: str, *, purpose: str = "login",
              at: dt.datetime | None = None) -> str:
    """Create and send a code; returns the normalised phone. The code is never returned."""
    at = at or now()
    phone = normalise_phone(phone)
    last = session.scalar(select(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose)
                          .order_by(SmsCode.id.desc()).limit(1))
    if last is not None and at - last.created_at < RESEND_AFTER:
        wait = int((RESEND_AFTER - (at - last.created_at)).total_seconds()) + 1
        raise Conflict(f"验证码已发送，请{wait}秒后再试", code="sms_too_soon")
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(SmsCode(phone=phone, purpose=purpose, created_at=at, expires_at=at + CODE_TTL,
                        code_hash=_hash(quanke.config["SECRET_KEY"], phone, code)))
    session.flush()
    sender = SENDERS.get(quanke.config.get("SMS_SENDER") or "console", ConsoleSmsSender)()
    sender.send(phone, f"您的验证码是{code}，5分钟内有效。如非本人操作请忽略。【全科政务】")
    return phone


def verify_code(quanke, session: Session, phone: str, code: str, *, purpose: str = "login",
                at: dt.datetime | None = None) -> str:
    """Check and consume a code; returns the phone. Wrong, expired or used codes fail.

    A wrong guess is counted and committed in ``session`` before the error is raised.
    """
    at = at or now()
    phone = normalise_phone(phone)
    code = (code or "").strip()
    if not re.fullmatch(r"[0-9]{6}", code):
        raise InvalidInput("请输入6位数字验证码", code="invalid_sms_code", field="code")
    stmt = (select(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose,
                                  SmsCode.used_at.is_(None))
            .order_by(SmsCode.id.desc()).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None or row.expires_at < at:
        raise InvalidInput("验证码已失效，请重新获取", code="sms_code_expired", field="code")
    if row.attempts >= MAX_ATTEMPTS:
        raise Forbidden("验证码错误次数过多，请重新获取", code="sms_code_locked")
    if not hmac.compare_digest(row.code_hash, _hash(quanke.config["SECRET_KEY"], phone, code)):
        row.attempts += 1
        session.commit()  # the failed attempt counts even though we raise
        raise InvalidInput("验证码不正确", code="sms_code_wrong", field="code")
    row.used_at = at
    return phone


def citizen_for_phone(session: Session, phone: str) -> Citizen:
    """The portal account of this phone, created on first login (注册即登录)."""
    citizen = session.scalar(select(Citizen).where(Citizen.phone_index == phone))
    if citizen is None:
        citizen = Citizen(phone=phone, name="")
        session.add(citizen)
        session.flush()
    elif citizen.applicant_id is not None:
        # filed at a counter since the last visit: it joins 我的办件 (core.people.walk_ins)
        from core.people.walk_ins import link_walk_ins
        link_walk_ins(session, citizen, actor=f"citizen:{citizen.id}")
    return citizen
