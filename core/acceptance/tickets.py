"""Queue tickets (取号 / 叫号) and counter appointments (预约) at a centre.

A ticket is taken at a centre's kiosk (or on behalf of the person at the door) and waits
until a counter worker calls the next one. Appointments are booked in the portal for a
centre, a day and a time slot; checking in on the day turns one into a ticket that is
called before walk-ins. Tickets are not applications: they never go through
:mod:`core.workflow`, but every call is audited.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (Date, ForeignKey, Index, Integer, String, UniqueConstraint, func,
                        select)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.platform import audit
from core.platform.clock import local, now, today
from core.platform.db import Base, UTCDateTime
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Centre, Citizen, Role, User

#: Bookable slots (local time); each holds SLOT_CAPACITY appointments per centre.
SLOTS = ("09:00", "10:00", "11:00", "14:00", "15:00", "16:00")
SLOT_CAPACITY = 4
BOOK_DAYS_AHEAD = 14
TICKET_STATUSES = {"waiting": "等候中", "called": "已叫号", "done": "已办结", "no_show": "过号"}
PREFIX = {"walk_in": "A", "appointment": "Y"}


class TicketSequence(Base):
    """Per centre, day and prefix counter behind ticket numbers."""

    __tablename__ = "ticket_sequences"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(2), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Appointment(Base):
    """A counter appointment booked in the portal (预约)."""

    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_centre_day", "centre_id", "day", "slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(5))
    service_code: Mapped[str] = mapped_column(String(96), default="")
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked/checked_in/cancelled
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    centre: Mapped[Centre] = relationship()
    citizen: Mapped[Citizen] = relationship()


class QueueTicket(Base):
    """A queue number at a centre (取号)."""

    __tablename__ = "queue_tickets"
    __table_args__ = (UniqueConstraint("centre_id", "day", "number"),
                      Index("ix_queue_tickets_waiting", "centre_id", "day", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16), default="walk_in")
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    service_code: Mapped[str] = mapped_column(String(96), default="")
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    window: Mapped[str] = mapped_column(String(16), default="")
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self) -> str:
        return TICKET_STATUSES.get(self.status, self.status)


def _next_seq(session: Session, centre_id: int, day: dt.date, prefix: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(TicketSequence).values(centre_id=centre_id, day=day, prefix=prefix, last=1)
            .on_conflict_do_update(index_elements=["centre_id", "day", "prefix"],
                                   set_={"last": TicketSequence.last + 1})
            .returning(TicketSequence.last))
    return session.execute(stmt).scalar_one()


def centre_by_code(session: Session, code: str) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.code == (code or "").strip()))
    if centre is None:
        raise NotFound("服务中心不存在", code="unknown_centre")
    return centre


def take_ticket(session: Session, centre: Centre, *, service_code: str = "",
                kind: str = "walk_in", appointment: Appointment | None = None,
                at: dt.datetime | None = None) -> QueueTicket:
    """Take the next number at a centre (取号)."""
    at = at or now()
    day = today(at)
    prefix = PREFIX[kind]
    seq = _next_seq(session, centre.id, day, prefix)
    ticket = QueueTicket(centre_id=centre.id, day=day, number=f"{prefix}{seq:03d}", kind=kind,
                         service_code=(service_code or "")[:96], taken_at=at,
                         appointment_id=appointment.id if appointment else None)
    session.add(ticket)
    session.flush()
    return ticket


def _counter_user(user) -> User:
    if not isinstance(user, User) or not user.active or not user.has_role(Role.COUNTER):
        raise Forbidden("只有全科社工可以叫号", code="forbidden_role")
    if user.centre_id is None:
        raise Forbidden("未分配服务中心，不能叫号", code="no_centre")
    return user


def waiting(session: Session, centre_id: int, day: dt.date | None = None) -> list[QueueTicket]:
    """Who waits, in calling order: appointments first, then by number."""
    day = day or today()
    return list(session.scalars(
        select(QueueTicket).where(QueueTicket.centre_id == centre_id, QueueTicket.day == day,
                                  QueueTicket.status == "waiting")
        .order_by((QueueTicket.kind == "appointment").desc(), QueueTicket.id)))


def current_for(session: Session, user: User, day: dt.date | None = None) -> QueueTicket | None:
    """The ticket this worker called last and has not finished."""
    day = day or today()
    return session.scalar(
        select(QueueTicket).where(QueueTicket.called_by_id == user.id, QueueTicket.day == day,
                                  QueueTicket.status == "called")
        .order_by(QueueTicket.called_at.desc()).limit(1))


def call_next(session: Session, user, *, window: str = "") -> QueueTicket | None:
    """Call the next waiting ticket at the worker's centre (叫号); None when nobody waits.

    The worker's previous called ticket is marked done. Two workers calling at once never
    get the same ticket (row lock with SKIP LOCKED on PostgreSQL; SQLite serialises writes).
    """
    user = _counter_user(user)
    day = today()
    previous = current_for(session, user, day)
    if previous is not None:
        previous.status, previous.finished_at = "done", now()
    stmt = (select(QueueTicket).where(QueueTicket.centre_id == user.centre_id,
                                      QueueTicket.day == day, QueueTicket.status == "waiting")
            .order_by((QueueTicket.kind == "appointment").desc(), QueueTicket.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ticket = session.scalar(stmt)
    if ticket is None:
        session.flush()
        return None
    ticket.status, ticket.called_at, ticket.called_by_id = "called", now(), user.id
    ticket.window = (window or "")[:16]
    audit.record(session, actor=f"user:{user.id}", action="ticket_called",
                 object_type="queue_ticket", object_id=ticket.id,
                 data={"number": ticket.number, "centre_id": ticket.centre_id})
    return ticket


def finish(session: Session, user, ticket_id: int, *, no_show: bool = False) -> QueueTicket:
    user = _counter_user(user)
    ticket = session.get(QueueTicket, ticket_id)
    if ticket is None or ticket.centre_id != user.centre_id:
        raise NotFound("号码不存在", code="ticket_not_found")
    if ticket.status != "called":
        raise InvalidState("该号码不在办理中", code="invalid_ticket_state")
    ticket.status = "no_show" if no_show else "done"
    ticket.finished_at = now()
    return ticket


# -- appointments -----------------------------------------------------------------------------

def slots_for(session: Session, centre_id: int, day: dt.date) -> list[dict]:
    """Each slot of the day with how many places are left."""
    booked = dict(session.execute(
        select(Appointment.slot, func.count(Appointment.id))
        .where(Appointment.centre_id == centre_id, Appointment.day == day,
               Appointment.status != "cancelled").group_by(Appointment.slot)).all())
    return [{"slot": s, "left": max(SLOT_CAPACITY - booked.get(s, 0), 0)} for s in SLOTS]


def book(session: Session, citizen: Citizen, *, centre_code: str, day: dt.date, slot: str,
         service_code: str = "", at: dt.datetime | None = None) -> Appointment:
    """Book a counter appointment (预约) for a citizen."""
    at = at or now()
    if not isinstance(citizen, Citizen):
        raise Forbidden("只有市民可以预约", code="forbidden_role")
    centre = centre_by_code(session, centre_code)
    if slot not in SLOTS:
        raise InvalidInput("请选择有效的预约时段", code="invalid_slot", field="slot")
    first = today(at)
    if day < first or day > first + dt.timedelta(days=BOOK_DAYS_AHEAD):
        raise InvalidInput(f"只能预约今天起{BOOK_DAYS_AHEAD}天内的时段", code="invalid_day", field="day")
    if day == first and slot <= local(at).strftime("%H:%M"):
        raise InvalidInput("该时段已过，请选择其他时段", code="slot_passed", field="slot")
    if day.weekday() >= 5:
        raise InvalidInput("周末不办公，请选择工作日", code="invalid_day", field="day")
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":  # serialise bookings of one centre and day (capacity check)
        session.execute(select(func.pg_advisory_xact_lock(centre.id * 100000 + day.toordinal() % 100000)))
    mine = session.scalar(select(Appointment).where(
        Appointment.citizen_id == citizen.id, Appointment.day == day,
        Appointment.status == "booked"))
    if mine is not None:
        raise Conflict("您当天已有预约，如需改约请先取消", code="already_booked")
    left = {s["slot"]: s["left"] for s in slots_for(session, centre.id, day)}
    if left[slot] <= 0:
        raise Conflict("该时段已约满，请选择其他时段", code="slot_full", field="slot")
    appointment = Appointment(citizen_id=citizen.id, centre_id=centre.id, day=day, slot=slot,
                              service_code=(service_code or "")[:96], created_at=at)
    session.add(appointment)
    session.flush()
    audit.record(session, actor=f"citizen:{citizen.id}", action="appointment_booked",
                 object_type="appointment", object_id=appointment.id,
                 data={"centre": centre.code, "day": day.isoformat(), "slot": slot})
    return appointment


def cancel(session: Session, citizen: Citizen, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or not isinstance(citizen, Citizen) or appointment.citizen_id != citizen.id:
        raise NotFound("预约不存在", code="appointment_not_found")
    if appointment.status != "booked":
        raise InvalidState("该预约不能取消", code="invalid_appointment_state")
    appointment.status = "cancelled"
    audit.record(session, actor=f"citizen:{citizen.id}", action="appointment_cancelled",
                 object_type="appointment", object_id=appointment.id)
    return appointment


def appointments_for_centre(session: Session, centre_id: int, day: dt.date | None = None) -> list[Appointment]:
    day = day or today()
    return list(session.scalars(
        select(Appointment).where(Appointment.centre_id == centre_id, Appointment.day == day,
                                  Appointment.status != "cancelled")
        .order_by(Appointment.slot, Appointment.id)))


def check_in(session: Session, user, appointment_id: int) -> QueueTicket:
    """The citizen arrived: their appointment becomes a priority ticket (Y001...)."""
    user = _counter_user(user)
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.centre_id != user.centre_id:
        raise NotFound("预约不存在", code="appointment_not_found")
    if appointment.status != "booked" or appointment.day != today():
        raise InvalidState("只能为当天未签到的预约签到", code="invalid_appointment_state")
    appointment.status = "checked_in"
    centre = session.get(Centre, user.centre_id)
    return take_ticket(session, centre, service_code=appointment.service_code,
                       kind="appointment", appointment=appointment)
