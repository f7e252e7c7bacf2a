"""What several pages show about one application, and the shared file/document downloads.

Everything is read inside one database session; state changes go through core.workflow.
"""
from __future__ import annotations

import importlib.util
import io

from flask import Blueprint, abort, current_app, send_file
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import inputs

from core.acceptance import uploads as material_store
from core import acceptance, approval, deadlines
from core.acceptance.delivery_choice import masked as masked_address
from core.deadlines.explain import clock_of, notice_window_end
from core.papers import issuance
from core.platform import actors
from core.platform.audit import AuditEvent
from core.platform.errors import QuankeError
from core.platform.models import Application, Centre, Decision, Delivery, Material, User
from core.platform.masking import HIDDEN, kind_of, mask_form

from .access import can_view
from .deadline_text import explanation_lines
from .helpers import quanke
from .labels import label
from .identity import actor

bp = Blueprint("files", __name__)


def has_issuance() -> bool:
    """Document issuance (core.papers.issuance) is being built alongside; use it when present."""
    try:
        return importlib.util.find_spec("core.papers.issuance") is not None
    except (ImportError, ValueError):
        return False


def load_app(db: Session, app_id: int, who) -> Application:
    app = db.get(Application, app_id)
    if app is None or not can_view(who, app, db=db):
        abort(404)
    return app


def run_action(app_id: int, fn, success: str, back: str):
    """Do one workflow action for a form post.

    Two kinds of "no" are kept apart. *You may not see this*: the application is not visible
    to the user (404, as for a forged ID) or the page's role check refused (403, before we get
    here) — an error page. *A business rule says no* (受审分离, a re-check that blocks, not the
    claimant, …): the person may see the case, so the case page itself is shown with the reason
    on it — with the rule's status (403), so nothing downstream mistakes it for success.
    Anything about the input or the state (400/409) is flashed next to the page.
    """
    from flask import flash, redirect

    from .helpers import flash_error
    with quanke().db.session() as db:
        load_app(db, app_id, actor())
    try:
        result = fn()
        flash(success(result) if callable(success) else success, "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            return refused_on_page(exc, back)
        flash_error(exc)
    return redirect(back)


def refused_on_page(exc: QuankeError, back: str):
    """The page at ``back`` (a case page the user may see) with ``exc``'s reason on it, answered
    with ``exc``'s status. Only GET-only pages are shown this way (a page that also takes
    posts must not see this POST); otherwise the plain error page, as before."""
    from urllib.parse import urlsplit

    from flask import make_response, request
    from werkzeug.exceptions import HTTPException

    from .helpers import flash_error
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        rule, values = adapter.match(urlsplit(back).path, method="GET", return_rule=True)
    except HTTPException:
        raise exc from None
    if "POST" in (rule.methods or ()):
        raise exc
    flash_error(exc)
    response = make_response(current_app.view_functions[rule.endpoint](**values))
    response.status_code = exc.http_status
    return response


def form_rows(service, data: dict) -> list[tuple[str, str]]:
    """(label, shown value) for each field of the service's own form."""
    rows = []
    try:
        form = service.form(formdata=acceptance.to_formdata(data or {}))
    except Exception:  # noqa: BLE001 - show raw data rather than nothing
        return [(k, str(v)) for k, v in (data or {}).items()]
    for fld in form:
        if fld.name in ("csrf_token", "submit"):
            continue
        value = (data or {}).get(fld.name, "")
        if value == HIDDEN:   # masked by kind (core.platform.masking)
            rows.append((str(fld.label.text), _("（已隐去）")))
            continue
        choices = dict((str(k), v) for k, v, *_ in (fld.iter_choices() if hasattr(fld, "iter_choices") else []))
        if isinstance(value, (list, tuple)):
            shown = "、".join(str(choices.get(str(v), v)) for v in value)
        elif isinstance(value, bool):
            shown = _("是") if value else _("否")
        else:
            shown = str(choices.get(str(value), value)) if value not in (None, "") else "—"
        rows.append((str(fld.label.text), shown))
    return rows


def _actor_names(db: Session, keys: set[str]) -> dict[str, str]:
    ids = [int(k.split(":", 1)[1]) for k in keys if k.startswith("user:") and inputs.try_id(k.split(":", 1)[1])]
    names = {}
    if ids:
        for uid, name, username in db.execute(select(User.id, User.name, User.username)
                                              .where(User.id.in_(ids))):
            names[f"user:{uid}"] = name or username
    return names


def timeline(db: Session, app_id: int, *, for_citizen: bool = False) -> list[dict]:
    events = db.scalars(select(AuditEvent).where(AuditEvent.application_id == app_id)
                        .order_by(AuditEvent.id)).all()
    names = _actor_names(db, {e.actor for e in events})
    out = []
    for ev in events:
        if for_citizen and ev.action in ("view_personal_data", "recheck", "claim", "release",
                                         "assign", "mark_overdue"):
            continue
        if ev.actor.startswith("citizen:"):
            who = _("申请人")
        elif ev.actor == "system":
            who = _("系统")
        else:
            who = _("工作人员") if for_citizen else names.get(ev.actor, ev.actor)
        data = ev.data or {}
        out.append({"at": ev.at, "action": ev.action, "label": label(ev.action, "event"),
                    "who": who, "to": data.get("to"), "data": data, "seq": ev.seq})
    return out


def documents(db: Session, app_id: int) -> list:
    if not has_issuance():
        return []
    try:
        return list(issuance.documents_for(db, app_id))
    except Exception:  # noqa: BLE001 - a missing feature must not break the page
        current_app.logger.exception("documents_for failed")
        return []


def details(db: Session, app: Application, who, *, reveal: bool = False, for_citizen: bool = False) -> dict:
    """Everything the detail pages show; ``reveal`` records the unmasked view in the audit log."""
    q = quanke()
    service = q.service(app.service_code)
    names = {m.code: m.name for m in service.materials}
    mats = [{"row": m, "name": names.get(m.code, m.code)} for m in app.materials]
    statuses = acceptance.material_statuses(app)
    missing = acceptance.missing_materials(service, statuses)
    explanation = deadlines.due_date_explanation(q, db, app)
    clock = clock_of(q, app)
    notice_window = notice_window_end(q, db, clock, app) if app.state == "submitted" else None
    decisions = db.scalars(select(Decision).where(Decision.application_id == app.id)
                           .order_by(Decision.id)).all()
    last_return = next((d for d in reversed(decisions) if d.kind == "return"), None)
    deliveries = db.scalars(select(Delivery).where(Delivery.application_id == app.id)
                            .order_by(Delivery.id)).all()
    centre = db.get(Centre, app.centre_id) if app.centre_id else None
    pickup_centre = db.get(Centre, app.pickup_centre_id) if app.pickup_centre_id else None
    user_names = _actor_names(db, {f"user:{i}" for i in (app.accepted_by_id, app.claimed_by_id,
                                                         app.decided_by_id, app.filed_by_id) if i})
    if reveal:  # audited, limited per hour, flagged when many (core.people.reveals)
        from core.people.reveals import record_reveal
        record_reveal(db, q, actor=actors.actor_key(who), object_type="application",
                      object_id=app.id, subject=app.applicant.id_number,
                      fields=["id_number", "phone", "name"]
                      + (["courier_address"] if app.courier_address else [])
                      + sorted(k for k in (app.form_data or {}) if kind_of(k, service.sensitive_fields)),
                      application_id=app.id)
    from core.acceptance.ratings import rating_for
    return {
        "app": app, "service": service, "applicant": app.applicant, "form_rows": form_rows(service, app.form_data if (reveal or for_citizen)
                                                                  else mask_form(app.form_data, service.sensitive_fields)),
        "materials": mats, "missing": [(c, names.get(c, c)) for c in missing],
        "evidence": list(app.evidence), "changes": approval.evidence_changes(app),
        "due_lines": explanation_lines(explanation),
        "clock": clock, "notice_window": notice_window,
        **_first_contact(db, app, who),
        "timeline": timeline(db, app.id, for_citizen=for_citizen), "decisions": decisions,
        "last_return": last_return, "deliveries": deliveries, "centre": centre,
        "pickup_centre": pickup_centre, "documents": documents(db, app.id), "revealed": reveal,
        # 邮寄信息: the citizen's own, or unmasked only in an audited reveal
        "courier": app.courier_address if (reveal or for_citizen) else masked_address(app.courier_address),
        "user_names": user_names, "rating": rating_for(db, app.id),
        "department": q.plugins.departments.get(app.department_code, app.department_code),
    }


def _first_contact(db: Session, app: Application, who) -> dict:
    """首问负责: who owns the case, and whom the viewer may hand it to."""
    from core.acceptance import first_contact
    from core.platform.models import Department
    owner = first_contact.owner_label(db, app.owner_id, app.owner_department)
    may = isinstance(who, User) and first_contact.may_hand_over(
        who, app.owner_id, app.owner_department, app.centre_id)
    people, departments = [], []
    if may:
        people = db.scalars(select(User).where(User.active.is_(True), User.id != who.id,
                                               User.centre_id == (app.centre_id or who.centre_id))
                            .order_by(User.name).limit(200)).all()
        departments = db.scalars(select(Department).order_by(Department.code)).all()
    return {"owner": owner, "may_hand_over": may, "handover_people": people,
            "handover_departments": departments}


@bp.get("/materials/<int:material_id>")
@login_required
def material_file(material_id: int):
    """A scan, shown inline to whoever may see its application."""
    who = actor()
    with quanke().db.session() as db:
        material = db.get(Material, material_id)
        if material is None or not material.sha256:
            abort(404)
        load_app(db, material.application_id, who)
        content_type, filename, digest = material.content_type, material.filename, material.sha256
    try:
        data = material_store.read(quanke().config["UPLOAD_DIR"], digest, quanke().keys.ring())
    except OSError:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=content_type or "application/octet-stream",
                         as_attachment=False, download_name=filename or f"material-{material_id}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'"
    return response


@bp.get("/documents/<int:document_id>.pdf")
@login_required
def document_pdf(document_id: int):
    """A receipt, notice, decision letter or certificate of an application one may see."""
    if not has_issuance():
        abort(404)
    from core.platform.models import Document
    issuance = importlib.import_module("core.papers.issuance")
    who = actor()
    with quanke().db.session() as db:
        doc = db.get(Document, document_id)
        if doc is None or doc.application_id is None:
            abort(404)
        load_app(db, doc.application_id, who)
        number = doc.number
    try:
        data = issuance.pdf_bytes(quanke(), document_id)
    except QuankeError:
        raise
    response = send_file(io.BytesIO(bytes(data)), mimetype="application/pdf", as_attachment=False,
                         download_name=f"{number}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response

