"""The end of the front desk's part: handing the result over (送达) and withdrawal (撤回)."""
from __future__ import annotations
import logging
from core.papers import issuance
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import (Application, Citizen, Delivery, State)
from core.acceptance.powers import require_counter
from core.platform.actors import Actor
from core.statemachine.guards import require_owner, written_reasons
from core.statemachine.notices import notify_department
from core.statemachine.states import require_state
from core.statemachine.transitions import transition
log = logging.getLogger(__name__)


def deliver(quanke, actor: Actor, app_id: int, *, method: str = "pickup",
            recipient_name: str = "", recipient_id_number: str = "",
            tracking_no: str = "") -> Application:
    """Deliver (送达): handover at any centre with the recipient's identity re-checked, or courier."""
    def body(session, app, who):
        user = require_counter(session, who, app, "办理送达", authorised=False, receiving=False)
        require_state(app, "deliver")
        delivery = Delivery(application_id=app.id, method=method, centre_id=user.centre_id,
                            staff_id=user.id)
        if method == "pickup":
            if not (recipient_id_number or "").strip():
                raise InvalidInput("请核验领取人身份证件", code="identity_check_required",
                                   field="recipient_id_number")
            from core.platform.identifiers import ascii_resident_id, validate_resident_id
            number = ascii_resident_id(recipient_id_number)
            if app.applicant.kind == "person" and number != app.applicant.id_number:
                raise Forbidden("领取人身份与申请人不一致", code="recipient_mismatch")
            if app.applicant.kind == "enterprise":
                number = validate_resident_id(number).number
            delivery.recipient_name = (recipient_name or app.applicant.name).strip()
            delivery.recipient_id_number, delivery.identity_checked = number, True
        elif method == "courier":
            if not (tracking_no or "").strip():
                raise InvalidInput("请填写快递单号", code="tracking_no_required", field="tracking_no")
            delivery.tracking_no = tracking_no.strip()
            # the recipient the applicant named for the courier (applications from before 0.2
            # have no courier address: the applicant)
            delivery.recipient_name = ((app.courier_address or {}).get("recipient")
                                       or app.applicant.name)
        else:
            raise InvalidInput("送达方式只能是窗口领取或邮寄", code="invalid_delivery_method")
        session.add(delivery)
        app.state = State.DELIVERED.value
        issuance.note_delivery(session, app)
        return {"method": method, "centre_id": user.centre_id, "tracking_no": delivery.tracking_no}
    return transition(quanke, actor, app_id, "deliver", body)


def withdraw(quanke, actor: Actor, app_id: int, *, reason: str = "") -> Application:
    """Withdraw (撤回) by the applicant, or at a counter on their behalf with a reason."""
    def body(session, app, who):
        if isinstance(who, Citizen):
            require_owner(who, app, "撤回")
        else:
            require_counter(session, who, app, "代为撤回", authorised=False)
            if app.state == State.DRAFT.value:
                raise Forbidden("草稿只能由申请人本人删除或撤回", code="forbidden_role")
            written_reasons(reason, "撤回原因（申请人意愿）")
        require_state(app, "withdraw")
        app.state = State.WITHDRAWN.value
        if app.claimed_by_id:
            notify_department(session, app, "withdrawn", f"申请 {app.number} 已被申请人撤回")
        return {"reason": reason.strip()}
    return transition(quanke, actor, app_id, "withdraw", body)
