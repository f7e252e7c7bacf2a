"""The district's applications over the last years, across every service and state, generated
lazily and written one audited batch (one transaction) at a time, so a run can resume.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from typing import Iterator

from sqlalchemy import func, select
from tqdm import tqdm

from core.ops.district.bulk import BATCH, Size, _batched, _copy_rows
from core.ops.district.residents import district_people
from core.platform import audit
from core.platform.crypto import sealed
from core.platform.clock import now
from core.platform.models import Application, Citizen, State

#: state → share of applications. A district three years in has finished almost all of its
#: work: about 900 applications a day, open ones only from the last few weeks (≈ 2.5% of
#: three years), so the approver queues hold thousands, not hundreds of thousands.
STATE_MIX = [
    (State.DELIVERED, 0.80), (State.ISSUED, 0.03), (State.APPROVED, 0.01),
    (State.REJECTED, 0.04), (State.NOT_ACCEPTED, 0.04), (State.WITHDRAWN, 0.055),
    (State.IN_REVIEW, 0.008), (State.ACCEPTED, 0.008), (State.SUBMITTED, 0.003),
    (State.CORRECTION_REQUESTED, 0.004), (State.DRAFT, 0.002),
]
ACCEPTED_OR_LATER = {State.ACCEPTED, State.IN_REVIEW, State.APPROVED, State.REJECTED,
                     State.ISSUED, State.DELIVERED}
DECIDED = {State.APPROVED, State.REJECTED, State.ISSUED, State.DELIVERED}


APP_COLUMNS = ["number", "service_code", "department_code", "state", "channel", "applicant_id",
               "citizen_id", "centre_id", "pickup_centre_id", "delivery_method", "form_data",
               "filed_by_id", "on_behalf", "consent_text", "consent_at", "created_at",
               "submitted_at", "accepted_at", "accepted_by_id", "receipt_no", "warn_reason",
               "claimed_by_id", "claimed_at", "decided_at", "decided_by_id",
               "deadline_working_days", "due_date", "paused", "extension_days",
               "extension_reason", "overdue", "overdue_since", "identity_passed"]


def _state_for(rng: random.Random) -> State:
    roll, total = rng.random(), 0.0
    for state, share in STATE_MIX:
        total += share
        if roll < total:
            return state
    return State.DELIVERED


def _application_rows(quanke, size: Size, start: int, centres, counters, approvers: list[int],
                      applicant_ids: list[int], citizen_of: dict[int, int]) -> Iterator[tuple]:
    services = sorted((s for s in quanke.plugins.services.values() if s.example),
                      key=lambda s: s.code)
    by_service = {s.code: [c for c in centres.values()
                           if c.level != "community" or s.community] for s in services}
    # COPY goes past the column type: each service's example sealed once here (its ID number
    # and phone encrypted like any application's, core.platform.crypto.sealed).
    ring = quanke.keys.ring()
    forms = {s.code: json.dumps(sealed.seal(ring, s.example_for("示例申请人", "320102199003071234"),
                                            "applications.form_data"), ensure_ascii=False)
             for s in services}
    today = now().date()
    first_day = today - dt.timedelta(days=365 * size.years)
    for i in range(start, size.applications):
        rng = random.Random(i * 7919)
        service = services[i % len(services)] if rng.random() < 0.3 else rng.choice(services)
        state = _state_for(rng)
        applicant_id = applicant_ids[rng.randrange(len(applicant_ids))]
        citizen_id = citizen_of.get(applicant_id)
        remote = citizen_id is not None and rng.random() < 0.5
        if state is State.DRAFT and not remote:   # only the portal keeps drafts
            state = State.SUBMITTED
        # Spread over the years, recent open work more likely; nothing dated today (receipt
        # numbers of live work start at 1 each day).
        open_work = state not in DECIDED and state not in (State.NOT_ACCEPTED, State.WITHDRAWN)
        age = rng.randrange(1, 40) if open_work else rng.randrange(1, (today - first_day).days)
        day = today - dt.timedelta(days=age)
        created = dt.datetime.combine(day, dt.time(1 + rng.randrange(9), rng.randrange(60)),
                                      tzinfo=dt.timezone.utc)
        centre = rng.choice(by_service[service.code])
        filed_by = None if remote else counters.get(centre.id)
        accepted = state in ACCEPTED_OR_LATER
        accepted_at = created + dt.timedelta(minutes=20) if accepted else None
        # Live receipts are <centre>-<day>-<nnnn>; imported ones carry the row index instead,
        # unique across resumed runs and never equal to a live one.
        receipt = f"{centre.code}-{day:%Y%m%d}-D{i:07d}" if accepted else None
        days = service.deadline_working_days if accepted else None
        due = day + dt.timedelta(days=round(days * 7 / 5)) if days else None
        overdue = bool(due and state in (State.ACCEPTED, State.IN_REVIEW) and due < today)
        decided_at = created + dt.timedelta(days=rng.randrange(1, 5)) if state in DECIDED else None
        in_review = state in (State.IN_REVIEW,) or state in DECIDED
        approver_id = approvers[i % len(approvers)] if approvers else None
        yield (
            f"QK{day:%Y%m%d}D{i:07d}", service.code, service.department, state.value,
            "remote" if remote else "counter", applicant_id, citizen_id,
            None if remote else centre.id, centre.id, "pickup", forms[service.code],
            filed_by, not remote, "" if remote else "申请人当面同意代为填报",
            None if remote else created, created,
            None if state is State.DRAFT else created, accepted_at,
            counters.get(centre.id) if accepted else None, receipt, "",
            approver_id if in_review else None, accepted_at if in_review else None,
            decided_at, approver_id if decided_at else None,
            days, due, False, 0, "", overdue, due if overdue else None, "[]",
        )


def _applications(quanke, session_factory, size: Size, centres, counters, approvers,
                  progress: bool) -> int:
    with session_factory() as session:
        start = session.scalar(select(func.count()).select_from(Application)
                               .where(Application.number.like("QK________D%")))
        if start >= size.applications:
            return 0
        # Read up front (a few MB at district scale): no session stays open while batches
        # are written (SQLite allows one writer, and a reader would hold it back).
        applicant_ids = [applicant_id for applicant_id, _phone in district_people(session)]
        district = set(applicant_ids)
        citizen_of = {a: c for a, c in session.execute(select(Citizen.applicant_id, Citizen.id)).all()
                      if a in district}
    added = 0
    rows = _application_rows(quanke, size, start, centres, counters, approvers, applicant_ids,
                             citizen_of)
    with tqdm(total=size.applications, initial=start, desc="办件", unit="件",
              disable=not progress) as bar:
        for batch in _batched(rows, BATCH):
            with session_factory() as session:   # one transaction per batch: resumable
                _copy_rows(session, Application.__table__, APP_COLUMNS, batch)
                audit.record(session, actor="demo", action="district_demo_loaded",
                             object_type="application", object_id=batch[0][0],
                             data={"rows": len(batch), "last": batch[-1][0]})
            added += len(batch)
            bar.update(len(batch))
    return added
