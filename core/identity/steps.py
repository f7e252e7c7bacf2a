"""What every remote identity step (face, SMS code, e-signature) checks first: the application
exists, belongs to the signed-in citizen, its service asks for this step, and it is still open."""
from __future__ import annotations

from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Application, Citizen, State

#: Identity steps are taken before submission or while a correction is due.
OPEN_STATES = (State.DRAFT.value, State.CORRECTION_REQUESTED.value)


def require_own_open_application(quanke, session, app: Application | None, citizen, step: str, *,
                                 action: str, not_needed: str, needed_for: str = "身份核验"):
    """Refuse with the error the citizen should see; returns ``(citizen row, service)``."""
    if app is None:
        raise NotFound("申请不存在", code="application_not_found")
    who = session.get(Citizen, citizen.id) if isinstance(citizen, Citizen) else None
    if who is None or app.citizen_id != who.id:
        raise Forbidden(f"只有申请人本人可以{action}", code="forbidden_role")
    service = quanke.service(app.service_code)
    if step not in service.identity:
        raise InvalidInput(not_needed, code="unknown_identity_step")
    if app.state not in OPEN_STATES:
        raise InvalidState(f"只有草稿或待补正的申请需要{needed_for}", code="invalid_state")
    return who, service
