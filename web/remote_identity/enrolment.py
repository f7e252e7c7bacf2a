"""人像登记 at the counter: the person is there with their ID; the worker reads the ID's number
(it must be the applicant's), takes a photo with the counter's camera or uploads one (the ID's
photo read from the card, or a picture taken on the spot), and the core enrols the face
(:func:`core.identity.enrolment.enrol`, audited). After that the person's remote face check
has a reference to compare with — the step the citizen's "没有找到您的登记照片" sends them to."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from core.identity.enrolment import enrol, references_for
from core.platform.errors import QuankeError
from core.platform.models import Applicant, Role

from ..helpers import flash_error, quanke
from ..identity import staff_required
from .blueprint import _me, bp

#: The core's source labels are Chinese only; these follow the page's language.
SOURCE_NAMES = {"id_photo": _l("身份证件照片（读卡）"), "live_photo": _l("窗口现场拍摄"), "import": _l("批量导入")}
#: A phone photo is 2–5 MB; the core refuses what it cannot decode or what is too large.
MAX_PHOTO_BYTES = 8 * 1024 * 1024


def _person(applicant_id: int) -> Applicant:
    with quanke().db.session() as db:
        person = db.get(Applicant, applicant_id)
        if person is None or person.kind != "person":
            abort(404)
        db.expunge(person)
    return person


@bp.get("/counter/applicants/<int:applicant_id>/portrait")
@staff_required(Role.COUNTER)
def portrait(applicant_id: int):
    person = _person(applicant_id)
    refs = references_for(quanke(), _me(), applicant_id=applicant_id)
    return render_template("counter/portrait.html", person=person, refs=refs, sources=SOURCE_NAMES,
                           active=[r for r in refs if r["active"]])


@bp.post("/counter/applicants/<int:applicant_id>/portrait")
@staff_required(Role.COUNTER)
def portrait_enrol(applicant_id: int):
    _person(applicant_id)
    upload = request.files.get("photo")
    photo = upload.read(MAX_PHOTO_BYTES + 1) if upload else b""
    if not photo:
        flash(_("请拍摄或选择一张本人照片"), "error")
        return redirect(url_for("remote_identity.portrait", applicant_id=applicant_id))
    if len(photo) > MAX_PHOTO_BYTES:
        flash(_("照片文件太大（不超过 8 MB）"), "error")
        return redirect(url_for("remote_identity.portrait", applicant_id=applicant_id))
    if request.form.get("id_checked") != "y":
        flash(_("请先核验申请人本人的身份证件原件，并勾选“已核验身份证件，人证一致”"), "error")
        return redirect(url_for("remote_identity.portrait", applicant_id=applicant_id))
    try:
        enrol(quanke(), _me(), photo=photo, source=request.form.get("source", "live_photo"),
              applicant_id=applicant_id, shown_id_number=request.form.get("shown_id_number", ""))
    except QuankeError as exc:
        if exc.http_status == 404:
            abort(404)
        flash_error(exc)
        return redirect(url_for("remote_identity.portrait", applicant_id=applicant_id))
    flash(_("人像已登记。申请人现在可以在网上完成人脸核验。"), "success")
    return redirect(url_for("remote_identity.portrait", applicant_id=applicant_id))
