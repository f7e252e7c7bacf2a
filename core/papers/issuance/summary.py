"""The public, masked summary of a document (what ``/verify/<code>`` shows): never the
application's form data, only masked names and numbers (``张**``, ``3201**********1234``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.papers.issuance.kinds import KINDS
from core.platform.clock import local_date
from core.platform.identifiers import mask_id, mask_name
from core.platform.models import Application, Centre, Delivery, Department, Document

DELIVERY_LABELS = {"pickup": "窗口领取", "courier": "邮寄送达"}


def _department_name(session: Session, code: str) -> str:
    name = session.scalar(select(Department.name).where(Department.code == code))
    return name or code


def _kind_label(kind: str, service=None, app: Application | None = None,
                session: Session | None = None) -> str:
    """The document's own title. A certificate renderer that issues different documents
    (档案查询结果证明 or 无档案记录证明) names this application's with ``title_for(app, session)``."""
    if kind == "certificate" and service is not None:
        title_for = getattr(service.certificate, "title_for", None)
        title = title_for(app, session) if title_for is not None and app is not None else None
        title = title or getattr(service.certificate, "title", None)
        if title:
            return str(title)
    return KINDS[kind]


def _delivery_summary(session: Session, app_id: int) -> dict | None:
    """The latest delivery in masked form (no ID number; recipient and tracking number masked)."""
    delivery = session.scalars(select(Delivery).where(Delivery.application_id == app_id)
                               .order_by(Delivery.at.desc(), Delivery.id.desc()).limit(1)).first()
    if delivery is None:
        return None
    out = {"method": delivery.method, "method_label": DELIVERY_LABELS.get(delivery.method, delivery.method),
           "on": local_date(delivery.at).isoformat(), "recipient": mask_name(delivery.recipient_name)}
    if delivery.method == "pickup":
        centre = session.get(Centre, delivery.centre_id) if delivery.centre_id else None
        out["centre"] = centre.name if centre else ""
        out["identity_checked"] = bool(delivery.identity_checked)
    else:
        out["tracking_no"] = mask_id(delivery.tracking_no)
    return out


def _summary(session: Session, app: Application, kind: str, number: str, issued_at: dt.datetime,
             version: int, service=None, *, department_name: str | None = None) -> dict:
    """The public, masked summary shown on ``/verify/<code>``."""
    applicant = app.applicant
    centre = app.centre
    summary = {
        "kind": kind,
        "kind_label": _kind_label(kind, service, app, session),
        "number": number,
        "version": version,
        "service_code": app.service_code,
        "service_name": service.name if service is not None else app.service_code,
        "applicant_name": mask_name(applicant.name),
        "applicant_id": mask_id(applicant.id_number),
        "issued_on": local_date(issued_at).isoformat(),
        "centre": centre.name if centre is not None else "",
        "department": department_name or _department_name(session, app.department_code),
    }
    if kind == "certificate":
        delivery = _delivery_summary(session, app.id)
        if delivery:
            summary["delivery"] = delivery
    return summary


def note_delivery(session: Session, app: Application) -> None:
    """Put the (masked) delivery on the valid certificate's summary, in the caller's transaction."""
    session.flush()
    delivery = _delivery_summary(session, app.id)
    if delivery is None:
        return
    for doc in session.scalars(select(Document).where(
            Document.application_id == app.id, Document.kind == "certificate",
            Document.status == "valid")):
        doc.summary = {**(doc.summary or {}), "delivery": delivery}
