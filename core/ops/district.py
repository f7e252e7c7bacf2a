"""District-scale demonstration data (``quanke demo-data --scale district``, 区级规模演示数据).

A whole district as the load test and the capacity planning need it: 137 centres (the
district centre, 13 street centres, 123 community stations), a counter worker per centre,
250,000 applicants (20,000 of them with a portal account) and 1,000,000 applications over the
last three years across every service and state. Plugins add their own rows (75,000
businesses, archives, volunteers) through the ``demo_data`` hook with ``scale="district"``.

Speed and memory: rows are generated lazily and written in batches — ``COPY`` on
PostgreSQL, ``executemany`` on SQLite — so memory stays flat whatever the size. These are
historical records imported in bulk, not live work: each batch is one audit event
(``district_demo_loaded``) rather than one per state change, as a real migration of a legacy
system's records would be. Re-running continues where a previous run stopped.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Iterable, Iterator

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session
from tqdm import tqdm

from core.platform import audit
from core.platform.clock import now
from core.platform.models import (
    Applicant,
    Application,
    Centre,
    CentreService,
    Citizen,
    RoleGrant,
    State,
    User,
)

STREETS = ["新街口", "梅园", "玄武门", "锁金村", "红山", "孝陵卫", "玄武湖", "江东", "南苑",
           "兴隆", "沙洲", "双闸", "莫愁湖"]
COMMUNITY_WORDS = ["丹凤", "估衣廊", "大行宫", "姚坊门", "北门桥", "珠江路", "成贤街", "兰园",
                   "进香河", "台城", "太平门", "花园路", "龙蟠里", "樱铁村", "长白街", "桃源"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建文辉力斌宇浩凯晨欣怡雪梅"
REGIONS = ["320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115"]

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


@dataclass(frozen=True)
class Size:
    applicants: int = 250_000
    citizens: int = 20_000
    applications: int = 1_000_000
    streets: int = 13
    communities: int = 123
    years: int = 3


SIZES = {"district": Size(), "small": Size(applicants=5_000, citizens=1_000, applications=20_000)}
BATCH = 10_000


# -- writing in batches ---------------------------------------------------------------------

def _copy_rows(session: Session, table, columns: list[str], rows: list[tuple]) -> None:
    """One batch: COPY on PostgreSQL (fastest path in), executemany elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cur, cur.copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        session.execute(insert(table), [dict(zip(columns, row)) for row in rows])


def _batched(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- centres and staff ----------------------------------------------------------------------

def _centres(quanke, session: Session, size: Size) -> dict[str, Centre]:
    centres = {c.code: c for c in session.scalars(select(Centre))}
    district = centres["D01"]
    wanted = []
    for s in range(1, size.streets + 1):
        wanted.append((f"S{s:02d}", f"{STREETS[(s - 1) % len(STREETS)]}街道便民服务中心", "street", "D01"))
    streets = [code for code, *_ in wanted]
    have = sum(1 for c in centres.values() if c.level == "community")
    c = 0
    while have < size.communities:   # the demo's own stations count towards the 123
        street = streets[c % len(streets)]
        number = c // len(streets) + 1
        word = COMMUNITY_WORDS[c % len(COMMUNITY_WORDS)]
        code = f"C{street[1:]}{number:02d}"
        c += 1
        if code in centres:
            continue
        wanted.append((code, f"{word}{number}社区便民服务站", "community", street))
        have += 1
    for code, name, level, parent in wanted:
        if code in centres:
            continue
        parent_row = centres.get(parent, district)
        centre = Centre(code=code, name=name, level=level, parent_id=parent_row.id,
                        address=f"{name}一楼大厅")
        session.add(centre)
        session.flush()
        centres[code] = centre
    for centre in centres.values():
        have = {s.service_code for s in centre.services}
        for service in quanke.plugins.services.values():
            if service.code not in have and (centre.level != "community" or service.community):
                centre.services.append(CentreService(service_code=service.code))
    session.flush()
    return centres


def _counter_staff(session: Session, centres: dict[str, Centre]) -> dict[int, int]:
    """One counter worker per centre (``counter_<centre code>``, demo password); centre id → user id."""
    from core.people.passwords import DEMO_PASSWORD
    from core.people.users import hash_password
    by_centre = {}
    existing = {u.username: u for u in session.scalars(select(User).where(User.username.like("counter\\_%", escape="\\")))}
    password_hash = None
    for code, centre in sorted(centres.items()):
        username = f"counter_{code.lower()}"
        user = existing.get(username)
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
            user = User(username=username, name=f"{centre.name}全科社工", password_hash=password_hash,
                        centre_id=centre.id)
            user.grants = [RoleGrant(role="counter", department_code=None)]
            session.add(user)
            session.flush()
        by_centre[centre.id] = user.id
    return by_centre


# -- people -----------------------------------------------------------------------------------

def _person(i: int) -> tuple[str, str, str, dt.date, str, str]:
    """The i-th resident of the demo district (valid, unique resident ID; fictitious)."""
    from stdnum.cn import ric
    rng = random.Random(i)
    region = REGIONS[i % len(REGIONS)]
    serial = f"{i % 1000:03d}"
    # People sharing region and serial (i apart by 1000) get birth days 73 days apart at
    # least: ID numbers never repeat within 250,000 people (≈50 years of birth days).
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i // 1000) * 73 + rng.randrange(73))
    prefix = f"{region}{birth:%Y%m%d}{serial}"
    id_number = prefix + ric.calc_check_digit(prefix + "0")
    name = SURNAMES[rng.randrange(len(SURNAMES))] + "".join(
        GIVEN[rng.randrange(len(GIVEN))] for _ in range(rng.choice((1, 2))))
    gender = "男" if int(serial[-1]) % 2 else "女"
    return id_number, name, f"139{i:08d}", birth, gender, region


def _applicants(session: Session, size: Size, progress: bool) -> None:
    have = session.scalar(select(func.count()).select_from(Applicant).where(Applicant.phone.like("139%")))
    if have >= size.applicants:
        return
    columns = ["kind", "id_number", "name", "phone", "birth_date", "gender", "region_code", "created_at"]
    at = now()
    seen: set[str] = set(session.scalars(select(Applicant.id_number)))

    def rows():
        for i in range(size.applicants):
            id_number, name, phone, birth, gender, region = _person(i)
            if id_number in seen:
                continue
            seen.add(id_number)
            yield ("person", id_number, name, phone, birth, gender, region, at)
    with tqdm(total=size.applicants - have, desc="申请人", unit="人", disable=not progress) as bar:
        for batch in _batched(rows(), BATCH):
            _copy_rows(session, Applicant.__table__, columns, batch)
            bar.update(len(batch))


def _citizens(session: Session, size: Size) -> None:
    have = session.scalar(select(func.count()).select_from(Citizen).where(Citizen.phone.like("139%")))
    if have >= size.citizens:
        return
    existing = set(session.scalars(select(Citizen.phone).where(Citizen.phone.like("139%"))))
    rows = session.execute(select(Applicant.id, Applicant.phone, Applicant.name)
                           .where(Applicant.phone.like("139%")).order_by(Applicant.id)
                           .limit(size.citizens)).all()
    batch = [(phone, name, applicant_id, now()) for applicant_id, phone, name in rows
             if phone not in existing]
    for chunk in _batched(batch, BATCH):
        _copy_rows(session, Citizen.__table__, ["phone", "name", "applicant_id", "created_at"], chunk)


# -- applications -------------------------------------------------------------------------------

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
    forms = {s.code: json.dumps(s.example_for("示例申请人", "320102199003071234"), ensure_ascii=False)
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
        applicant_ids = list(session.scalars(select(Applicant.id).where(Applicant.phone.like("139%"))
                                             .order_by(Applicant.id)))
        citizen_of = dict(session.execute(select(Citizen.applicant_id, Citizen.id)
                                          .where(Citizen.phone.like("139%"))).all())
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


def load_district(quanke, *, progress: bool = False, size: Size | None = None) -> int:
    """Add the district's centres, staff, people and applications; returns rows added."""
    size = size or SIZES["district"]
    with quanke.db.session() as session:
        before = session.scalar(select(func.count()).select_from(Centre))
        centres = _centres(quanke, session, size)
        counters = _counter_staff(session, centres)
        approvers = list(session.scalars(select(User.id).where(
            User.username.in_(("approver1", "approver2", "lead1"))).order_by(User.id)))
        added = len(centres) - before
    with quanke.db.session() as session:
        _applicants(session, size, progress)
    with quanke.db.session() as session:
        _citizens(session, size)
    centres_plain = {}
    with quanke.db.session() as session:
        for c in session.scalars(select(Centre)):
            session.expunge(c)
            centres_plain[c.code] = c
    # Detached centres carry only plain columns (code, level, id): that is all rows need.
    added += _applications(quanke, quanke.db.session, size, centres_plain, counters, approvers,
                           progress)
    refresh_statistics(quanke)
    return added


def refresh_statistics(quanke) -> None:
    """VACUUM ANALYZE after a bulk load on PostgreSQL.

    Rows written by COPY leave the planner without statistics and the visibility map unset,
    so queue counts fall back to heap scans (≈ 350 ms instead of ≈ 30 ms on 1M rows).
    """
    if not quanke.db.is_postgres:
        return
    with quanke.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("applicants", "applications", "audit_events"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))
