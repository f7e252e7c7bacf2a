"""One transition = one transaction: load and lock the application, run the action's body,
audit it, and after the commit tell plugins (``application_event``) and enqueue the jobs
(seal, notifications, document rendering) in one Redis round trip.
"""
from __future__ import annotations
import datetime as dt
import functools
import logging
from dataclasses import dataclass
from typing import Callable
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from core.platform import audit
from core.platform.clock import now as utcnow
from core.platform.errors import Forbidden, NotFound
from core.platform.events import ApplicationEvent
from core.jobs.runner import SEAL_CALL, Call
from core.platform.models import (Application, Citizen, User)
from core.platform.actors import Actor, actor_key
log = logging.getLogger(__name__)


@dataclass
class Pending:
    action: str
    app: Application
    from_state: str | None
    actor: str
    data: dict
    seal: bool = False  # the audit chain is to be sealed after the commit


def load_application(session: Session, app_id: int, *, lock: bool, options=()) -> Application:
    stmt = select(Application).where(Application.id == app_id).options(*options)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Application)
    found = session.scalars(stmt).unique().all()  # all rows: eager-joined collections
    app = found[0] if found else None
    if app is None:
        raise NotFound("申请不存在", code="application_not_found")
    return app


def fresh_actor(session: Session, actor: Actor) -> Actor:
    if isinstance(actor, User):
        # grants in the same query (one round trip instead of two: every rule reads them)
        fresh = session.get(User, actor.id, options=[joinedload(User.grants)])
        if fresh is None:
            raise Forbidden("用户不存在", code="forbidden_role")
        return fresh
    if isinstance(actor, Citizen):
        fresh = session.get(Citizen, actor.id)
        if fresh is None:
            raise Forbidden("账户不存在", code="forbidden_role")
        return fresh
    return actor


def transition(quanke, actor: Actor, app_id: int, action: str,
                body: Callable[[Session, Application, Actor], dict | None],
                *, at: dt.datetime | None = None, load_options=(),
                reload_actor: bool = True) -> Application:
    """Run ``body`` in one transaction and audit it. The actor is read again from the
    database first (roles may have changed since login) unless ``reload_actor`` is False:
    then ``body`` reads what it needs of the actor itself."""
    with quanke.db.session() as session:
        app = load_application(session, app_id, lock=True, options=load_options)
        who = fresh_actor(session, actor) if reload_actor else actor
        from_state = app.state
        data = body(session, app, who) or {}
        pending = finish(session, app, action, from_state, actor_key(who), data, at=at)
        pending.seal = quanke.db.take_seal_request(session)
    after_commit(quanke, pending)
    return app


def finish(session: Session, app: Application, action: str, from_state: str | None,
            actor: str, data: dict, *, at: dt.datetime | None = None) -> Pending:
    session.flush()
    audit.record(session, actor=actor, action=action, object_type="application",
                 object_id=app.id, application_id=app.id, subject=app.applicant.id_number,
                 data={"from": from_state, "to": app.state,
                       **{k: v for k, v in data.items() if not k.startswith("_")}}, at=at)
    return Pending(action, app, from_state, actor, data)


def write_columns(session: Session, app: Application, **values) -> None:
    """Set columns of ``app`` with one UPDATE now, instead of leaving them for the flush.

    The object shows the new values as committed ones, so the flush finds nothing to do
    (a unit-of-work flush of one object costs several plain statements: accept is the hot
    path). Only for plain columns.
    """
    session.execute(_update_statement(tuple(sorted(values))), {"app_id": app.id, **values})
    for key, value in values.items():
        set_committed_value(app, key, value)


@functools.lru_cache(maxsize=64)
def _update_statement(keys: tuple[str, ...]):
    # built once per set of columns: building it costs more than running it
    table = Application.__table__
    return (update(table).where(table.c.id == bindparam("app_id"))
            .values({key: bindparam(key) for key in keys}))


def after_commit(quanke, pending: Pending) -> None:
    app = pending.app
    event = ApplicationEvent(action=pending.action, application_id=app.id,
                             application_number=app.number, service_code=app.service_code,
                             department_code=app.department_code, from_state=pending.from_state,
                             to_state=app.state, actor=pending.actor, at=utcnow(),
                             data=pending.data)
    try:
        quanke.hook.application_event(event=event, quanke=quanke)
    except Exception:  # noqa: BLE001 - observers never undo a committed change
        log.exception("application_event hook failed for %s", app.number)
    calls = []
    if pending.seal:  # a worker seals: the request goes with the other jobs, one round trip
        if quanke.jobs.inline:
            quanke.db.request_seal()
        else:
            calls.append(SEAL_CALL)
    if pending.data.get("_notify"):
        calls.append(Call("core.jobs.outbox.dispatch_pending", job_id="outbox-dispatch"))
    if not (quanke.jobs.inline and not quanke.config.get("RENDER_DOCUMENTS_INLINE", True)):
        # (inline without rendering: rendered on first download instead; tests use this)
        calls += [Call("core.papers.issuance.render_document", {"document_id": document_id},
                       must_not_lose=True, job_id=f"render-document-{document_id}", new=True)
                  for document_id in pending.data.get("_documents", ())]
    if calls:
        try:  # one Redis round trip for all of them (see JobRunner.enqueue_many)
            quanke.jobs.enqueue_many(calls)
        except Exception:  # noqa: BLE001 - rows are committed: the outbox sweep sends,
            log.exception("could not enqueue after-commit jobs")  # pdf_bytes renders on demand
