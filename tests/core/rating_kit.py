"""Shared set-up of the rating tests: a served queue number, the outbox's messages."""
from __future__ import annotations

from sqlalchemy import select

from core.acceptance import tickets
from core.platform.clock import today
from core.platform.models import Centre, OutboxMessage, User


def served_ticket(world, *, appointment: bool = False, status: str = "done") -> int:
    """A number at the test centre called by ``world.counter`` and then ``status`` ("done",
    "no_show", or "called" / "waiting" to stop earlier); with ``appointment`` it is the
    checked-in appointment of ``world.citizen``."""
    with world.quanke.db.session() as s:
        counter = s.get(User, world.counter.id)
        if appointment:
            booked = tickets.Appointment(citizen_id=world.citizen.id, centre_id=world.centre.id,
                                         day=today(), slot="16:00")
            s.add(booked)
            s.flush()
            ticket = tickets.check_in(s, counter, booked.id)
        else:
            ticket = tickets.take_ticket(s, s.get(Centre, world.centre.id))
        if status != "waiting":
            assert tickets.call_next(s, counter).id == ticket.id
        if status in ("done", "no_show"):
            tickets.finish(s, counter, ticket.id, no_show=status == "no_show")
        return ticket.id


def messages(quanke, event: str = "follow_up_closed") -> list[OutboxMessage]:
    with quanke.db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.event == event)
                              .order_by(OutboxMessage.id)))
