"""查看完整信息: a staff member seeing a person's full name, ID number and phone — audited
one view at a time, limited per hour, and flagged for the auditors when one worker views many.

One view at a time is not enough against harvesting (a worker paging through every issued
application of the district): :func:`record_reveal` refuses more than ``REVEAL_LIMIT_PER_HOUR``
views per worker in an hour (429, ``reveal_rate_limited``), and the view that makes
``REVEAL_FLAG_PER_DAY`` in 24 hours writes one ``many_personal_data_views`` event, which the
audit log shows at the top. 个人信息保护法第五十一条 requires access control and audit of
personal data; it sets no figures: both numbers are this deployment's choice (configuration).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.clock import now
from core.platform.errors import QuankeError

REVEAL_LIMIT_PER_HOUR = 30
REVEAL_FLAG_PER_DAY = 50
VIEWED = "view_personal_data"
FLAGGED = "many_personal_data_views"
#: The audit view looks for flags among this many newest events (the log is indexed by id and
#: actor, not by action: a bounded range of ids keeps the page fast on a district's log).
FLAG_WINDOW = 200_000


class TooManyReveals(QuankeError):
    code = "reveal_rate_limited"
    http_status = 429


def _setting(quanke, name: str, default: int) -> int:
    value = (quanke.config.get(name) if quanke is not None else None) or default
    return int(value)


def views_since(session: Session, actor: str, since: dt.datetime) -> int:
    event = audit.AuditEvent
    return session.scalar(select(func.count()).select_from(event).where(
        event.actor == actor, event.action == VIEWED, event.at >= since)) or 0


def record_reveal(session: Session, quanke, *, actor: str, object_type: str, object_id,
                  subject: str, fields: list[str], application_id: int | None = None) -> None:
    """Check the hourly limit, then record the view (and the daily flag when it is reached)."""
    limit = _setting(quanke, "REVEAL_LIMIT_PER_HOUR", REVEAL_LIMIT_PER_HOUR)
    moment = now()
    if views_since(session, actor, moment - dt.timedelta(hours=1)) >= limit:
        raise TooManyReveals(
            f"一小时内查看完整个人信息已达 {limit} 次，请稍后再试；如确因工作需要，请联系中心管理员",
            code="reveal_rate_limited", details={"limit_per_hour": limit})
    audit.record_view(session, actor=actor, object_type=object_type, object_id=object_id,
                      subject=subject, fields=fields, application_id=application_id)
    flag_at = _setting(quanke, "REVEAL_FLAG_PER_DAY", REVEAL_FLAG_PER_DAY)
    if views_since(session, actor, moment - dt.timedelta(hours=24)) == flag_at:
        audit.record(session, actor="system", action=FLAGGED, object_type="staff", object_id=actor,
                     data={"actor": actor, "views_24h": flag_at})


def flagged(session: Session, *, days: int = 7) -> list[dict]:
    """Workers flagged for many views in the last ``days`` (newest first): actor, count, when."""
    event = audit.AuditEvent
    newest = session.scalar(select(func.max(event.id))) or 0
    rows = session.scalars(select(event).where(
        event.id > newest - FLAG_WINDOW, event.action == FLAGGED,
        event.at >= now() - dt.timedelta(days=days)).order_by(event.id.desc()).limit(50)).all()
    return [{"actor": r.data.get("actor", r.object_id), "views": r.data.get("views_24h"), "at": r.at}
            for r in rows]
