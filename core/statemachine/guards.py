"""Guards every transition shares: staff only, the applicant only, written reasons."""
from __future__ import annotations
import logging
from typing import Iterable
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import (Application, Citizen, User)
from core.platform.actors import Actor
log = logging.getLogger(__name__)


def require_staff(actor: Actor, what: str) -> User:
    if not isinstance(actor, User) or not actor.active:
        raise Forbidden(f"只有工作人员可以{what}", code="forbidden_role")
    return actor


def require_owner(actor: Actor, app: Application, what: str) -> Citizen:
    if not isinstance(actor, Citizen) or app.citizen_id != actor.id:
        raise Forbidden(f"只有申请人本人可以{what}", code="forbidden_role")
    return actor


def written_reasons(text: str | Iterable[str], what: str) -> str:
    value = text if isinstance(text, str) else "\n".join(t for t in text if t and t.strip())
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{what}", code="reasons_required", field="reasons")
    if len(value) > 4000:
        raise InvalidInput(f"{what}过长（最多4000字）", code="reasons_too_long", field="reasons")
    return value
