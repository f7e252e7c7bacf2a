"""The counter's side: the video check (视频核验) of borderline face checks, the identity
evidence of a remote application, the signed letter and the reference photo (each with a
reason, audited in the core)."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from core.identity.enrolment import view_reference_photo
from core.identity.esign import signed_commitment
from core.identity.evidence import identity_evidence
from core.identity.verification import (
    EVIDENCE_ROLES,
    face_check_status,
    recent_checks,
    review_face_check,
    review_queue,
)
from core.platform.errors import QuankeError
from core.platform.models import Application, Role

from ..common import load_app
from ..helpers import flash_error, quanke
from ..identity import staff_required
from ..portal import IDENTITY_STEP_NAMES, IDENTITY_STEP_ORDER
from .blueprint import _labels, _me, bp


def _times(check: dict) -> dict:
    """The core gives ISO strings (UTC); the pages show Beijing time through ``local_time``."""
    out = _labels(check)
    for key in ("created_at", "finished_at"):
        out[key] = dt.datetime.fromisoformat(check[key]) if check.get(key) else None
    if check.get("review") and check["review"].get("at"):
        out["review"] = {**check["review"], "at": dt.datetime.fromisoformat(check["review"]["at"])}
    return out


@bp.get("/counter/identity/reviews")
@staff_required(Role.COUNTER)
def reviews():
    return render_template("counter/identity_reviews.html",
                           waiting=[_times(c) for c in review_queue(quanke(), _me())],
                           failed=[_times(c) for c in recent_checks(quanke(), _me(), statuses=("failed",),
                                                                    limit=30)])


@bp.get("/counter/identity/checks/<int:check_id>")
@staff_required(Role.COUNTER)
def review(check_id: int):
    try:
        check = face_check_status(quanke(), _me(), check_id)
    except QuankeError as exc:
        if exc.http_status == 404:
            abort(404)
        raise
    with quanke().db.session() as db:
        # Not load_app: a remote draft is not yet in the counter's view of applications, but
        # its borderline check is theirs to review (face_check_status checked the role).
        app = db.get(Application, check["application_id"])
        number, name = app.number, (app.applicant.name if app.applicant else "")
    return render_template("counter/identity_review.html", check=_times(check), number=number, name=name,
                           app_id=check["application_id"])


@bp.get("/counter/identity/applications/<int:app_id>")
@staff_required(*EVIDENCE_ROLES)
def evidence(app_id: int):
    """What the counter worker sees about a remote applicant's identity when accepting (核验证据):
    the steps, each face check's scores and the signature's summary — no photo."""
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        number, service = app.number, quanke().service(app.service_code)
    found = identity_evidence(quanke(), _me(), app_id)
    found["face_checks"] = [_times(c) for c in found["face_checks"]]
    found["steps"].sort(key=lambda s: (IDENTITY_STEP_ORDER + [s["step"]]).index(s["step"]))
    return render_template("counter/identity_evidence.html", evidence=found, number=number,
                           service=service, app_id=app_id, step_names=IDENTITY_STEP_NAMES)


@bp.post("/counter/identity/applications/<int:app_id>/commitment.pdf")
@staff_required(*EVIDENCE_ROLES)
def evidence_pdf(app_id: int):
    """The signed commitment letter (it shows the signature): a reason, audited in the core."""
    with quanke().db.session() as db:
        number = load_app(db, app_id, _me()).number
    reason = (request.form.get("reason") or "").strip()[:200]
    if not reason:
        flash(_("查看承诺书须说明理由"), "error")
        return redirect(url_for("remote_identity.evidence", app_id=app_id))
    try:
        data, _summary = signed_commitment(quanke(), _me(), app_id, reason=reason)
    except QuankeError as exc:
        if exc.http_status == 403:
            raise
        flash_error(exc)
        return redirect(url_for("remote_identity.evidence", app_id=app_id))
    from io import BytesIO
    response = send_file(BytesIO(data), mimetype="application/pdf", download_name=f"commitment-{number}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/counter/identity/checks/<int:check_id>/reference/<int:ref_id>")
@staff_required(Role.COUNTER)
def reference_photo(check_id: int, ref_id: int):
    """The reference photo the check was compared with, for the video call: needs a reason,
    and every look is an audit event (core.identity.enrolment.view_reference_photo)."""
    try:
        check = face_check_status(quanke(), _me(), check_id)
        if ref_id not in (check.get("reference_ids") or []):
            abort(404)
        data, content_type = view_reference_photo(quanke(), _me(), ref_id,
                                                  reason=request.form.get("reason", "")[:200])
    except QuankeError as exc:
        if exc.http_status == 403:
            raise
        flash_error(exc)
        return redirect(url_for("remote_identity.review", check_id=check_id))
    from io import BytesIO
    response = send_file(BytesIO(data), mimetype=content_type, as_attachment=False,
                         download_name=f"reference-{ref_id}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/counter/identity/checks/<int:check_id>")
@staff_required(Role.COUNTER)
def review_decide(check_id: int):
    decision = request.form.get("decision")
    if decision not in ("pass", "fail"):
        flash(_("请选择核验结论"), "error")
        return redirect(url_for("remote_identity.review", check_id=check_id))
    try:
        review_face_check(quanke(), _me(), check_id, passed=decision == "pass",
                          note=request.form.get("note", "")[:500])
    except QuankeError as exc:
        if exc.http_status == 404:
            abort(404)
        flash_error(exc)
        return redirect(url_for("remote_identity.review", check_id=check_id))
    flash(_("视频核验结论已记录"), "success")
    return redirect(url_for("remote_identity.reviews"))
