"""Revoking (撤销) a valid document: who may, with a reason, audited."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.clock import now as utcnow
from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Application, Document, Role, User


def _actor_key(actor) -> str:
    from core.platform.actors import actor_key
    return actor if isinstance(actor, str) else actor_key(actor)


def _may_revoke(session: Session, actor, app: Application | None, finding: bool = False) -> User:
    user = session.get(User, actor.id) if isinstance(actor, User) else None
    if user is None or not user.active:
        raise Forbidden("只有工作人员可以撤销文书", code="forbidden_role")
    if user.has_role(Role.SYS_ADMIN) or user.has_role(Role.CENTRE_ADMIN):
        return user
    if app is not None and user.has_role(Role.DEPT_LEAD, app.department_code):
        return user
    if finding and app is not None and user.has_role(Role.INSPECTOR, app.department_code):
        return user
    raise Forbidden("只有审批部门负责人或中心、系统管理员可以撤销文书", code="forbidden_role")


def revoke(quanke, actor, document_id: int, reason: str, *, finding: bool = False) -> Document:
    """Revoke (撤销) a valid document with a reason; audited. Its verification page then says
    revoked, with the date. Allowed to the department lead of the application's department,
    centre and system administrators; with ``finding=True`` (the revocation follows an
    inspection finding, e.g. a notification commitment found broken: 核查不实) also to an
    inspector of that department, who recorded the finding."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写撤销理由", code="reasons_required", field="reason")
    if len(reason) > 2000:
        raise InvalidInput("撤销理由过长（最多2000字）", code="reasons_too_long", field="reason")
    with quanke.db.session() as session:
        stmt = select(Document).where(Document.id == document_id)
        if quanke.db.is_postgres:
            stmt = stmt.with_for_update()
        doc = session.scalars(stmt).first()
        if doc is None:
            raise NotFound("文书不存在", code="document_not_found")
        app = session.get(Application, doc.application_id) if doc.application_id else None
        user = _may_revoke(session, actor, app, finding)
        if doc.status != "valid":
            label = {"revoked": "已撤销", "superseded": "已被替换"}.get(doc.status, doc.status)
            raise InvalidState(f"文书{label}，不能撤销", code="document_not_valid",
                               details={"status": doc.status})
        at = utcnow()
        doc.status, doc.revoked_at, doc.revoke_reason = "revoked", at, reason
        session.flush()
        audit.record(session, actor=_actor_key(user), action="revoke_document", object_type="document",
                     object_id=doc.id, application_id=doc.application_id,
                     subject=app.applicant.id_number if app else "",
                     data={"kind": doc.kind, "number": doc.number, "version": doc.version,
                           "reason": reason, **({"finding": True} if finding else {})}, at=at)
    return doc
