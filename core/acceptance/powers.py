"""Who may accept (受理权): an active 全科社工 at a centre authorised for the service.

Everything on the applicant's side (accept, return, refuse, add materials, resubmit, withdraw
on the applicant's behalf) belongs to the **receiving centre** — the one the application was
filed at (``Application.centre_id``); an application submitted remotely has none until a
centre accepts it. The pick-up centre (``pickup_centre_id``) may only hand the result over:
check the collector's ID and record the delivery (:mod:`core.acceptance.delivery`).
"""
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
                     *, authorised: bool = True, receiving: bool = True) -> User:
    """A counter worker who may do ``what``; ``receiving=False`` only for the hand-over
    (delivery), which any centre may do."""
    user = require_staff(actor, what)
    if not user.has_role(Role.COUNTER):
        raise Forbidden(f"只有全科社工可以{what}", code="forbidden_role")
    if receiving:
        require_receiving_centre(app, user.centre_id, what)
    if authorised and authorised_centre(session, user.centre_id, app.service_code) is None:
        raise Forbidden("本中心未获授权受理该事项", code="centre_not_authorised")
    return user


def require_receiving_centre(app: Application, centre_id: int | None, what: str) -> None:
    """Only the receiving centre acts for the applicant; a pick-up centre only hands over."""
    if app.centre_id is not None and centre_id != app.centre_id:
        raise Forbidden(f"只有接收该申请的服务中心可以{what}；领取中心只能核验身份、办理领取",
                        code="not_receiving_centre")


def authorised_centre(session: Session, centre_id: int | None, service_code: str) -> Centre | None:
    """The centre, if it may accept the service (one query; the centre stays in the session)."""
    if centre_id is None:
        return None
    return session.scalar(select(Centre).join(CentreService, CentreService.centre_id == Centre.id)
                          .where(Centre.id == centre_id, CentreService.service_code == service_code))
