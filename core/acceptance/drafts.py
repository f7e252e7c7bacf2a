"""Editing a draft (修改草稿) before it is submitted."""
from __future__ import annotations
import logging
from typing import Iterable
from core.people import consent as citizen_consent, presence
from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.acceptance.uploads import Upload
from core.platform.models import (Application, Centre, Citizen, State, User)
from core.acceptance.delivery_choice import METHODS, delivery_choice
from core.acceptance.forms import validate_form
from core.acceptance.materials import add_materials, check_uploads
from core.acceptance.powers import require_counter
from core.platform.actors import Actor
from core.statemachine.guards import require_owner
from core.statemachine.transitions import transition
log = logging.getLogger(__name__)


_UNSET = object()


def update_draft(quanke, actor: Actor, app_id: int, *, form_data=None, paper: Iterable[str] = (),
                 uploads: Iterable[Upload] = (), remove_materials: Iterable[int] = (),
                 delivery_method: str | None = None, pickup_centre_id=_UNSET,
                 courier_address=_UNSET, consent: bool = False) -> Application:
    """Edit a draft (修改草稿) before it is submitted: its form, materials and delivery.

    The citizen who owns the draft may edit it; so may a counter worker of a centre
    authorised for the service, helping the citizen in front of them — whose ID the worker
    re-checked at the window (:mod:`core.people.presence`; ``applicant_not_present``
    otherwise) — with the citizen's consent recorded (as when filing on their behalf). ``form_data`` (when given) replaces
    the whole form and is validated by the service's own form; ``remove_materials`` are
    material ids of this draft; ``paper`` (counter only) and ``uploads`` add materials.
    Any state but ``draft`` is refused (``invalid_state``): after submission the counter's
    one-time correction notice (一次性告知) is the way to change an application. Audited
    with the names of the changed fields, never their values (they may be personal data).
    ``courier_address`` (given) replaces the stored one; a draft sent by courier must have one
    (``courier_address_required``), a pick-up draft keeps none.
    """
    uploads, paper = list(uploads), list(paper)
    try:
        remove = {int(x) for x in remove_materials}
    except (TypeError, ValueError):
        raise InvalidInput("要删除的材料编号无效", code="invalid_material_id") from None
    if delivery_method is not None and delivery_method not in METHODS:
        raise InvalidInput("领取方式只能是窗口领取或邮寄", code="invalid_delivery_method",
                           field="delivery_method")
    if courier_address is not _UNSET and courier_address is not None and delivery_method != "pickup":
        courier_address = delivery_choice("courier", courier_address)[1]  # checked before the lock

    def body(session, app, who):
        if isinstance(who, Citizen):
            require_owner(who, app, "修改草稿")
            if paper:
                raise InvalidInput("网上申请只能上传电子件", code="scan_required")
        else:
            require_counter(session, who, app, "协助修改草稿")
            if not consent:
                raise InvalidInput("代为修改须记录申请人的同意", code="consent_required",
                                   field="consent")
        if app.state != State.DRAFT.value:
            raise InvalidState(
                f"申请当前状态为“{State(app.state).label}”，只有草稿可以修改；"
                "已提交的申请如需更正，请等待窗口的一次性告知补正",
                code="not_a_draft", details={"state": app.state})
        if isinstance(who, User) and not (presence.is_present(session, who, app.applicant_id)
                                          or citizen_consent.has_consent(session, app.applicant_id,
                                                                 who.centre_id)):
            raise Forbidden("只能为窗口前的申请人修改草稿：请先核验申请人的身份证件，"
                            "或请申请人在网上授权本中心协助",
                            code="applicant_not_present")
        service = quanke.service(app.service_code)
        changed: dict = {}
        if form_data is not None:
            clean = validate_form(service, form_data)
            before = app.form_data or {}
            fields = sorted(k for k in set(clean) | set(before) if clean.get(k) != before.get(k))
            if fields:
                app.form_data = clean
                changed["fields"] = fields
        if remove:
            mine = {m.id: m for m in app.materials}
            unknown = sorted(remove - set(mine))
            if unknown:
                raise NotFound("材料不存在或不属于该草稿", code="material_not_found",
                               details={"ids": unknown})
            changed["removed"] = sorted(mine[i].code for i in remove)
            for material_id in remove:
                app.materials.remove(mine[material_id])
        if paper or uploads:
            add_materials(quanke, session, app, service, paper,
                          check_uploads(service, uploads, quanke=quanke, actor=who))
            changed["added"] = sorted([*paper, *(u.material_code for u in uploads)])
        if delivery_method is not None and delivery_method != app.delivery_method:
            app.delivery_method = changed["delivery_method"] = delivery_method
        _update_courier_address(app, courier_address, changed)
        if pickup_centre_id is not _UNSET and pickup_centre_id != app.pickup_centre_id:
            if pickup_centre_id is not None and session.get(Centre, pickup_centre_id) is None:
                raise InvalidInput("领取中心不存在", code="unknown_centre", field="pickup_centre_id")
            app.pickup_centre_id = changed["pickup_centre_id"] = pickup_centre_id
        if isinstance(who, User):
            changed["assisted_by_counter"] = True
        return changed
    return transition(quanke, actor, app_id, "update_draft", body)


def _update_courier_address(app: Application, given, changed: dict) -> None:
    """The address follows the delivery method; the audit says that it changed, never what."""
    if app.delivery_method == "pickup":
        new = None
    elif given is _UNSET or given is None:
        new = app.courier_address
        if not new:
            delivery_choice("courier", None)   # raises courier_address_required
    else:
        new = given
    if new != app.courier_address:
        app.courier_address = new
        changed["courier_address"] = "changed" if new else "removed"
