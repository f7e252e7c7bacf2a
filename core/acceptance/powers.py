"""Who may accept (受理权): an active 全科社工 at a centre authorised for the service."""
from __future__ import annotations
import logging
from sqlalchemy import select
from sqlalchemy.orm import Session
from core.platform.errors import Forbidden
from core.platform.models import (Application, Centre, CentreService, Role, User)
from core.platform.actors import Actor
from core.statemachine.guards import require_staff
log = logging.getLogger(__name__)


def require_counter(session: Session, actor: Actor, app: Application, what: str,
                     *, authorised: bool = True) -> User:
    user = require_staff(actor, what)
    if not user.has_role(Role.COUNTER):
        raise Forbidden(f"只有全科社工可以{what}", code="forbidden_role")
    if authorised and authorised_centre(session, user.centre_id, app.service_code) is None:
        raise Forbidden("本中心未获授权受理该事项", code="centre_not_authorised")
    return user


def authorised_centre(session: Session, centre_id: int | None, service_code: str) -> Centre | None:
    """The centre, if it may accept the service (one query; the centre stays in the session)."""
    if centre_id is None:
        return None
    return session.scalar(select(Centre).join(CentreService, CentreService.centre_id == Centre.id)
                          .where(Centre.id == centre_id, CentreService.service_code == service_code))
