"""The archive bureau's switch: approve verified self-queries automatically (自动审批开关).

Only the bureau's department lead may change it; every change is audited with the old and
new value and the lead's stated reason, in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Forbidden, InvalidInput, User, now, record_audit

from plugins.archive_query.domain.access import is_archive_lead
from plugins.archive_query.models import BureauSettings


@dataclass(frozen=True)
class Settings:
    auto_approve_self: bool
    updated_at: object = None
    updated_by: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return {"auto_approve_self": self.auto_approve_self,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None,
                "updated_by": self.updated_by, "note": self.note}


def read(session: Session) -> Settings:
    """The current settings (defaults — switch off — until a lead first sets them)."""
    row = session.get(BureauSettings, 1)
    if row is None:
        return Settings(False)
    return Settings(row.auto_approve_self, row.updated_at, row.updated_by, row.note)


def set_auto_approve(quanke, user, *, enabled, note: str) -> Settings:
    """Turn automatic approval of verified self-queries on or off (lead only, audited)."""
    if not isinstance(enabled, bool):
        raise InvalidInput("auto_approve_self 应为 true 或 false", code="invalid_field",
                           field="auto_approve_self")
    text = (note or "").strip()
    if len(text) < 2 or len(text) > 500:
        raise InvalidInput("请填写调整原因（2至500字）", code="reason_required", field="note")
    with quanke.db.session() as session:
        me = session.get(User, user.id) if isinstance(user, User) else None
        if not is_archive_lead(me):
            raise Forbidden("只有区档案馆负责人可以调整自动审批设置", code="not_archive_lead")
        stmt = select(BureauSettings).where(BureauSettings.id == 1)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = session.scalar(stmt)
        if row is None:
            row = BureauSettings(id=1, auto_approve_self=False)
            session.add(row)
        before = bool(row.auto_approve_self)
        if before == enabled:
            return Settings(row.auto_approve_self, row.updated_at, row.updated_by, row.note)
        row.auto_approve_self, row.updated_at = enabled, now()
        row.updated_by, row.note = f"user:{me.id}", text
        session.flush()
        record_audit(session, actor=f"user:{me.id}", action="archive_setting_changed",
                     object_type="aq_bureau_settings", object_id=1,
                     data={"auto_approve_self": {"from": before, "to": enabled}, "note": text})
        return Settings(row.auto_approve_self, row.updated_at, row.updated_by, row.note)
