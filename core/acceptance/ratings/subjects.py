"""What can be rated (评价对象): an application, a queue ticket and a counter enquiry (咨询).

Each kind answers the same questions: may this actor rate it, on which channel, is the
service given yet, whom does the rating name, and how is the rater told what a bad rating's
follow-up did. :func:`register_subject_kind` adds a kind (the enquiry module calls it with its
own :class:`SubjectKind`); :func:`core.acceptance.ratings.rate_subject` then rates it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.acceptance.ratings.models import RATEABLE, Rating
from core.acceptance.tickets import Appointment, QueueTicket
from core.platform.actors import actor_key
from core.platform.errors import Forbidden, InvalidInput, NotFound
from core.platform.models import Application, Centre, Citizen, Delivery, Enquiry, Role, State, User


@dataclass(frozen=True)
class Target:
    """One subject as a rating will record it."""

    column: str                    # Rating column naming the subject: application_id, ticket_id …
    subject_id: int
    object_type: str               # the audit trail's name for the subject
    centre_id: int | None
    service_code: str
    channel: str                   # counter / portal
    staff_id: int | None           # the worker the rating names (may appeal it)
    actor: str                     # who recorded it, for the audit trail
    not_rateable: str = ""         # why it cannot be rated yet ("" = it can)
    already_rated: str = "已评价，感谢您的反馈"
    application_id: int | None = None
    audit_subject: str = ""        # the applicant's identifier, for the audit trail


@dataclass(frozen=True)
class Rater:
    """Whom to tell what a follow-up did: a phone, and the SMS's opening words."""

    phone: str
    recipient_kind: str            # applicant / citizen
    opening: str                   # "您的申请（A…）的服务评价"


class SubjectKind(Protocol):
    kind: str

    def target(self, session: Session, actor, subject_id: int) -> Target:
        """The subject as ``actor`` may rate it; NotFound / Forbidden when they may not."""

    def rater(self, session: Session, rating: Rating) -> Rater | None:
        """Who rated it and can be told, or None (a walk-in left no phone)."""

    def describe(self, session: Session, rating: Rating) -> str:
        """The subject in a few words, for staff lists."""


def _counter_user(actor) -> User | None:
    if isinstance(actor, User) and actor.active and actor.has_role(Role.COUNTER):
        return actor
    return None


class ApplicationSubject:
    kind = "application"

    def target(self, session: Session, actor, subject_id: int) -> Target:
        app = session.get(Application, subject_id)
        if app is None:
            raise NotFound("申请不存在", code="application_not_found")
        if isinstance(actor, Citizen):
            if app.citizen_id != actor.id:
                raise NotFound("申请不存在", code="application_not_found")
            channel, staff_id = "portal", None
        elif _counter_user(actor):
            if app.centre_id != actor.centre_id and not _delivered_here(session, app, actor):
                raise Forbidden("只能为本中心办理的事项评价", code="forbidden_role")
            channel, staff_id = "counter", actor.id
        else:
            raise Forbidden("无权评价", code="forbidden_role")
        return Target(column="application_id", subject_id=app.id, object_type="application",
                      centre_id=app.centre_id, service_code=app.service_code, channel=channel,
                      staff_id=staff_id, actor=actor_key(actor),
                      not_rateable="" if State(app.state) in RATEABLE else "办理后才能评价",
                      already_rated="该事项已评价，感谢您的反馈", application_id=app.id,
                      audit_subject=app.applicant.id_number)

    def rater(self, session: Session, rating: Rating) -> Rater | None:
        app = session.get(Application, rating.application_id)
        opening = f"您的申请（{app.number}）的服务评价"
        if rating.channel == "portal" and app.citizen_id:  # the citizen who rated online
            citizen = session.get(Citizen, app.citizen_id)
            return Rater(citizen.phone, "citizen", opening) if citizen.phone else None
        # rated on the counter's second screen: the applicant who stood there
        return Rater(app.applicant.phone, "applicant", opening) if app.applicant.phone else None

    def describe(self, session: Session, rating: Rating) -> str:
        app = session.get(Application, rating.application_id)
        return f"申请 {app.receipt_no or app.number}"


def _delivered_here(session: Session, app: Application, user: User) -> bool:
    return session.scalar(select(Delivery.id).where(Delivery.application_id == app.id,
                                                    Delivery.centre_id == user.centre_id)) is not None


class TicketSubject:
    """A queue ticket (取号), rateable once served: status ``done`` (not ``no_show``)."""

    kind = "ticket"

    def target(self, session: Session, actor, subject_id: int) -> Target:
        ticket = session.get(QueueTicket, subject_id)
        if ticket is None:
            raise NotFound("号码不存在", code="ticket_not_found")
        if isinstance(actor, Citizen):  # online only for the citizen's own appointment
            appointment = session.get(Appointment, ticket.appointment_id) if ticket.appointment_id else None
            if appointment is None or appointment.citizen_id != actor.id:
                raise NotFound("号码不存在", code="ticket_not_found")
            channel = "portal"
        elif _counter_user(actor):
            if ticket.centre_id != actor.centre_id:
                raise NotFound("号码不存在", code="ticket_not_found")
            channel = "counter"
        else:
            raise Forbidden("无权评价", code="forbidden_role")
        return Target(column="ticket_id", subject_id=ticket.id, object_type="queue_ticket",
                      centre_id=ticket.centre_id, service_code=ticket.service_code or "",
                      channel=channel, staff_id=ticket.called_by_id, actor=actor_key(actor),
                      not_rateable="" if ticket.status == "done" else "号码办结后才能评价",
                      already_rated="该号码已评价，感谢您的反馈")

    def rater(self, session: Session, rating: Rating) -> Rater | None:
        ticket = session.get(QueueTicket, rating.ticket_id)
        appointment = session.get(Appointment, ticket.appointment_id) if ticket.appointment_id else None
        if appointment is None:
            return None  # a walk-in number: nobody left a phone
        centre = session.get(Centre, ticket.centre_id)
        return Rater(appointment.citizen.phone, "citizen",
                     f"您{ticket.day.month}月{ticket.day.day}日在{centre.name}"
                     f"（{ticket.number}号）的服务评价")

    def describe(self, session: Session, rating: Rating) -> str:
        ticket = session.get(QueueTicket, rating.ticket_id)
        return f"取号 {ticket.number}（{ticket.day.isoformat()}）"


class EnquirySubject:
    """A counter enquiry (咨询), rateable on the counter's second screen once answered; the
    rating names whoever answered it. The enquirer leaves no phone, so nobody is told."""

    kind = "enquiry"

    def target(self, session: Session, actor, subject_id: int) -> Target:
        enquiry = session.get(Enquiry, subject_id)
        user = _counter_user(actor)
        if enquiry is None or user is None or enquiry.centre_id != user.centre_id:
            raise NotFound("咨询记录不存在", code="enquiry_not_found")
        return Target(column="enquiry_id", subject_id=enquiry.id, object_type="enquiry",
                      centre_id=enquiry.centre_id, service_code=enquiry.service_code or "",
                      channel="counter", staff_id=enquiry.owner_id or enquiry.received_by_id,
                      actor=actor_key(actor),
                      not_rateable="" if enquiry.state == "answered" else "咨询答复后才能评价",
                      already_rated="该咨询已评价，感谢您的反馈")

    def rater(self, session: Session, rating: Rating) -> Rater | None:
        return None

    def describe(self, session: Session, rating: Rating) -> str:
        enquiry = session.get(Enquiry, rating.enquiry_id)
        return f"咨询：{enquiry.question[:20]}"


SUBJECT_KINDS: dict[str, SubjectKind] = {"application": ApplicationSubject(), "ticket": TicketSubject(),
                                         "enquiry": EnquirySubject()}


def register_subject_kind(spec: SubjectKind) -> None:
    """Make ``spec.kind`` rateable; its ``target`` must name a column of :class:`Rating`."""
    SUBJECT_KINDS[spec.kind] = spec


def kind_of(kind: str) -> SubjectKind:
    spec = SUBJECT_KINDS.get(kind)
    if spec is None:
        raise InvalidInput("未知的评价对象", code="unknown_rating_subject", field="kind")
    return spec
