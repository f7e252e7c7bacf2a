"""API tokens for ``/api/v1`` (created by an admin or ``quanke user token USERNAME``).

Only a SHA-256 of the token is stored; the token itself is shown once, at creation.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from core.platform import audit
from core.platform.clock import now
from core.platform.db import Base, UTCDateTime
from core.platform.errors import NotFound
from core.platform.models import User

PREFIX = "qk_"


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12), default="")  # first characters, to recognise it
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(48), default="")
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, *, name: str = "", actor: str = "system") -> str:
    """Create a token for ``user``; returns the token text (shown once)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=(name or "api")[:64], token_hash=_digest(token),
                   hint=token[:10], created_by=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="api_token_created", object_type="api_token",
                 object_id=row.id, data={"user": user.username, "name": row.name})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked, inactive user)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))
                          .options(joinedload(ApiToken.user).joinedload(User.grants))).unique().first()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    moment = now()
    if row.last_used_at is None or moment - row.last_used_at > dt.timedelta(minutes=10):
        row.last_used_at = moment
    return row.user


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.id)))


def revoke(session: Session, token_id: int, *, actor: str) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("令牌不存在", code="token_not_found")
    if row.revoked_at is None:
        row.revoked_at = now()
        audit.record(session, actor=actor, action="api_token_revoked", object_type="api_token",
                     object_id=row.id)
    return row
