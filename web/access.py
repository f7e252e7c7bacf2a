"""Who may see which application (object-level access for pages and the API).

Role checks for *actions* live in :mod:`core.workflow`; this module only decides what a
user may read, so forged IDs in URLs answer 404 and lists never leak other people's cases.
"""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select

from core.people import presence
from core.platform.models import Application, CentreService, Citizen, Delivery, Role, State, User

#: Staff roles that may see the full resident ID / phone on a detail page (audited).
REVEAL_ROLES = (Role.COUNTER, Role.APPROVER, Role.DEPT_LEAD, Role.AUDITOR)


def _departments(user: User) -> set[str]:
    return user.departments(Role.APPROVER) | user.departments(Role.DEPT_LEAD)


#: The columns :func:`can_view` reads: a visibility check loads only these, not the whole
#: application with its (encrypted) form data, on the busiest API requests.
VISIBILITY_COLUMNS = (Application.id, Application.citizen_id, Application.state, Application.filed_by_id,
                      Application.centre_id, Application.pickup_centre_id, Application.channel,
                      Application.service_code, Application.department_code, Application.accepted_at)


#: Remote applications waiting for a counter: any centre authorised for the service may
#: pre-review and accept them (网上预审; 区街同权).
REMOTE_POOL_STATES = (State.SUBMITTED.value, State.CORRECTION_REQUESTED.value)


def in_remote_pool(app: Application) -> bool:
    return app.channel == "remote" and app.centre_id is None and app.state in REMOTE_POOL_STATES


def centre_may_accept(db, centre_id: int | None, service_code: str) -> bool:
    if db is None or centre_id is None:
        return False
    return db.get(CentreService, (centre_id, service_code)) is not None


def delivered_at(db, app_id: int, centre_id: int | None) -> bool:
    """Handed over at this centre (the handing-over centre keeps seeing what it did)."""
    if db is None or centre_id is None:
        return False
    return db.scalar(select(Delivery.id).where(Delivery.application_id == app_id,
                                               Delivery.centre_id == centre_id).limit(1)) is not None


def can_view(who, app: Application, db=None) -> bool:
    if isinstance(who, Citizen):
        return app.citizen_id == who.id
    if not isinstance(who, User) or not who.active:
        return False
    if who.has_role(Role.AUDITOR):
        return True
    if app.state == State.DRAFT.value:
        return app.filed_by_id == who.id
    if who.has_role(Role.COUNTER):
        if app.centre_id is not None and app.centre_id == who.centre_id:
            return True
        if app.filed_by_id == who.id:
            return True
        # 同城取件: any centre hands over an issued result (identity re-checked there).
        if app.state == State.ISSUED.value:
            return True
        if app.pickup_centre_id is not None and app.pickup_centre_id == who.centre_id:
            return True
        if in_remote_pool(app) and centre_may_accept(db, who.centre_id, app.service_code):
            return True
        if app.state == State.DELIVERED.value and delivered_at(db, app.id, who.centre_id):
            return True
    if who.has_role(Role.AGENT) and app.filed_by_id == who.id:
        return True
    if app.department_code in _departments(who) and app.accepted_at is not None:
        return True  # the back office sees what a counter has accepted
    if who.has_role(Role.CENTRE_ADMIN) and app.centre_id is not None and app.centre_id == who.centre_id:
        return True
    return False


def visible_filter(who):
    """A SQL condition matching the applications ``who`` may see (for lists and the API)."""
    if isinstance(who, Citizen):
        return Application.citizen_id == who.id
    if not isinstance(who, User) or not who.active:
        return false()
    if who.has_role(Role.AUDITOR):
        return Application.state != State.DRAFT.value
    parts = [Application.filed_by_id == who.id]
    if who.has_role(Role.COUNTER) and who.centre_id:
        parts += [Application.centre_id == who.centre_id,
                  Application.pickup_centre_id == who.centre_id,
                  Application.state == State.ISSUED.value,
                  and_(Application.channel == "remote", Application.centre_id.is_(None),
                       Application.state.in_(REMOTE_POOL_STATES),
                       Application.service_code.in_(
                           select(CentreService.service_code).where(CentreService.centre_id == who.centre_id))),
                  Application.id.in_(select(Delivery.application_id).where(Delivery.centre_id == who.centre_id))]
    departments = _departments(who)
    if departments:
        parts.append(and_(Application.department_code.in_(sorted(departments)),
                          Application.accepted_at.is_not(None)))
    if who.has_role(Role.CENTRE_ADMIN) and who.centre_id:
        parts.append(Application.centre_id == who.centre_id)
    return (Application.state != State.DRAFT.value) & or_(*parts) | (
        (Application.state == State.DRAFT.value) & (Application.filed_by_id == who.id))


def may_reveal(who, app: Application, db=None) -> bool:
    """Full personal data on the detail page (the view is audited and rate-limited by the
    caller, :func:`core.people.reveals.record_reveal`).

    Auditors, and the back office on what its department has accepted, may; a counter worker
    on the applications of their own centre and those they filed. Every other case a counter
    sees — a result picked up here from another centre (同城取件), a remote application in
    the pool — is revealed only for the person at the window: after the worker re-checked
    their ID (:mod:`core.people.presence`), so the district's cases cannot be paged through.
    """
    if not (isinstance(who, User) and can_view(who, app, db)
            and any(who.has_role(r) for r in REVEAL_ROLES)):
        return False
    if who.has_role(Role.AUDITOR):
        return True
    if app.department_code in _departments(who) and app.accepted_at is not None:
        return True
    if who.has_role(Role.COUNTER):
        if (app.centre_id is not None and app.centre_id == who.centre_id) or app.filed_by_id == who.id:
            return True
        return db is not None and presence.is_present(db, who, app.applicant_id)
    return False


def reveal_needs_identity(who, app: Application, db) -> bool:
    """A counter worker who could reveal after re-checking the person's ID (the page offers it)."""
    return (isinstance(who, User) and who.has_role(Role.COUNTER) and can_view(who, app, db)
            and not may_reveal(who, app, db))


def may_help_with_draft(who, app: Application, db) -> bool:
    """A counter worker helping the citizen in front of them edit a draft (修改草稿): a draft
    is otherwise private to the citizen. The worker must have re-checked the citizen's ID at
    the window in the last half hour (:mod:`core.people.presence`), or the citizen must have
    consented from the portal to the worker's centre helping (:mod:`core.people.consent`) —
    the same rule for reading (GET) and changing (PATCH) — and the centre must be authorised
    for the service (the workflow checks this again and records the citizen's consent)."""
    return (isinstance(who, User) and who.active and who.has_role(Role.COUNTER)
            and app.state == State.DRAFT.value
            and centre_may_accept(db, who.centre_id, app.service_code)
            and helping(db, who, app.applicant_id))


def helping(db, who: User, applicant_id) -> bool:
    """The worker is helping this person: identified at the window, or consented to."""
    from core.people import consent
    return (presence.is_present(db, who, applicant_id)
            or consent.has_consent(db, applicant_id, who.centre_id))
