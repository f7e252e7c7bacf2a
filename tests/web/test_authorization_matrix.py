"""Authorisation matrix: every endpoint × every role of the test world (plus another centre's
and another department's staff, citizens and anonymous visitors).

Allowed roles get a working answer (and, for actions, the change happens); everyone else gets
403/404 (401 or the login page when signed out) and nothing changes. A completeness check makes
sure no page or API endpoint is missing from the table.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from core.acceptance import ratings, tickets
from core.platform.clock import today
from core.platform.models import Application, Citizen, Material
from core.testing import WORLD_STAFF, drive_to, file_at_counter, snapshot
from webtools import Browser, sign_in

STAFF = set(WORLD_STAFF)
CITIZENS = {"citizen", "other_citizen"}
ROLES = sorted(STAFF) + sorted(CITIZENS) + [None]
EVERYONE = STAFF | CITIZENS | {None}
COUNTERS = {"counter", "counter_b", "counter_unauth", "acceptor"}
FILERS = COUNTERS | {"agent"}
DEPT = {"approver", "approver2", "lead", "acceptor"}
APPROVER_ROLE = DEPT | {"approver_other"}
T01_COUNTER = {"counter", "acceptor"}
DRAFT_HELPERS = {"counter", "counter_b", "acceptor"}
#: a courier choice needs the courier details (core.acceptance.delivery_choice)
COURIER_FIELDS = {"courier_recipient": "矩阵收件人", "courier_phone": "13900000001",
                  "courier_address": "南京市玄武区中山路1号"}
ACCEPTED_VIEWERS = T01_COUNTER | {"approver", "approver2", "lead", "centre_admin", "auditor"}
PDF = b"%PDF-1.4\n" + b"x" * 64


@dataclass
class E:
    method: str
    path: str                     # may contain {app} {applicant} {ticket} {appointment} ...
    allowed: set
    state: str | None = None      # application state needed (drive_to)
    data: dict = field(default_factory=dict)
    changes: str | None = None    # "app": the application changes; "count": a new application
    noop: set = field(default_factory=set)  # answered without error, but nothing may change
    api: bool = False
    at_window: bool = False       # each staff member has just re-checked the citizen's ID


HTML = [
    # public
    E("GET", "/", EVERYONE), E("GET", "/healthz", EVERYONE), E("GET", "/lang/en", EVERYONE),
    E("GET", "/favicon.ico", EVERYONE),
    E("GET", "/login", EVERYONE), E("GET", "/portal/login", EVERYONE),
    E("POST", "/login", EVERYONE, data={"username": "nobody", "password": "x"}),
    E("POST", "/portal/login", EVERYONE, data={"step": "send", "p-phone": "12"}),
    E("POST", "/logout", EVERYONE),
    E("GET", "/queue/T01", EVERYONE), E("POST", "/queue/T01", EVERYONE), E("GET", "/queue/T01/board", EVERYONE),
    E("GET", "/validate-id?number=1", STAFF | CITIZENS),
    E("GET", "/account", STAFF), E("POST", "/account", STAFF, data={"old_password": "x", "new_password": "y"}),
    # counter
    E("GET", "/counter/", FILERS), E("GET", "/counter/applicant", FILERS),
    E("POST", "/counter/applicant", FILERS, data={"kind": "person", "id_number": "1"}),
    E("GET", "/counter/applicants/{applicant}", FILERS), E("GET", "/counter/services?q=x", FILERS),
    # 人像登记: a counter worker, the person there with their ID (no photo here: refused, nothing saved)
    E("GET", "/counter/applicants/{applicant}/portrait", COUNTERS),
    E("POST", "/counter/applicants/{applicant}/portrait", COUNTERS, data={"shown_id_number": "{id_number}"}),
    E("POST", "/counter/applicants/{applicant}/phone", COUNTERS, data={"id_number": "{id_number}", "phone": "13900000002"}),
    E("GET", "/counter/applicants/{applicant}/apply/sample.permit", {"counter", "counter_b", "acceptor", "agent"}),
    E("POST", "/counter/applicants/{applicant}/apply/sample.permit", {"counter", "counter_b", "acceptor", "agent"},
      data={"f-purpose": "矩阵测试", "mat-id_proof": "paper", "consent": "y"}, changes="count"),
    E("GET", "/counter/applications/{app}", T01_COUNTER, state="submitted"),
    E("POST", "/counter/applications/{app}/accept", T01_COUNTER, state="submitted", changes="app"),
    E("POST", "/counter/applications/{app}/return", T01_COUNTER, state="submitted",
      data={"defect-id_proof": "1", "reason-id_proof": "模糊"}, changes="app"),
    E("POST", "/counter/applications/{app}/refuse", T01_COUNTER, state="submitted",
      data={"reasons": "不属于受理范围"}, changes="app"),
    E("POST", "/counter/applications/{app}/materials", T01_COUNTER, state="submitted",
      data={"mat-photo": "paper"}, changes="app"),
    E("POST", "/counter/applications/{app}/resubmit", T01_COUNTER, state="correction_requested", changes="app"),
    E("POST", "/counter/applications/{app}/withdraw", T01_COUNTER, state="submitted",
      data={"reason": "申请人要求"}, changes="app"),
    E("GET", "/counter/pickup?q=x", COUNTERS),
    E("GET", "/counter/applications/{app}/deliver", COUNTERS, state="issued"),
    E("POST", "/counter/applications/{app}/deliver", COUNTERS, state="issued",
      data={"method": "pickup", "recipient_id_number": "{id_number}"}, changes="app"),
    E("GET", "/counter/applications/{app}/rate", T01_COUNTER, state="accepted"),
    E("POST", "/counter/applications/{app}/rate", T01_COUNTER, state="accepted", data={"level": "5"}),
    E("GET", "/counter/queue", COUNTERS), E("POST", "/counter/queue/call", COUNTERS),
    E("POST", "/counter/queue/{ticket}/finish", T01_COUNTER),
    E("POST", "/counter/appointments/{appointment}/check-in", T01_COUNTER),
    E("GET", "/counter/tickets/{done_ticket}/rate", T01_COUNTER),
    E("POST", "/counter/tickets/{done_ticket}/rate", T01_COUNTER, data={"level": "5"}),
    E("GET", "/counter/ratings", COUNTERS),
    E("POST", "/counter/ratings/{rating}/appeal", {"counter"}, data={"reasons": "评价的是隔壁窗口"}),
    # approvals
    E("GET", "/approvals/", APPROVER_ROLE), E("GET", "/approvals/sample_dept", DEPT),
    E("POST", "/approvals/sample_dept/assign", {"lead"}, state="accepted",
      data={"app_id": "{app}", "approver_id": "{approver2}"}, changes="app", noop={"acceptor"}),
    E("GET", "/approvals/applications/{app}", DEPT | {"auditor", "centre_admin"}, state="accepted"),
    E("POST", "/approvals/applications/{app}/claim", {"approver", "approver2", "lead"}, state="accepted", changes="app"),
    E("POST", "/approvals/applications/{app}/release", {"approver", "lead"}, state="in_review", changes="app"),
    # 首问负责: the owner (the worker who filed it), or the centre's admin, hands a case over by name
    E("POST", "/applications/{app}/hand-over", {"counter", "centre_admin"}, state="accepted",
      data={"to_department": "sample_dept", "note": "转部门办理"}, changes="app"),
    E("POST", "/counter/enquiries", FILERS, data={"question": "办营业执照要带什么", "answer": "身份证和场地证明"}),
    E("POST", "/counter/enquiries/999999/answer", set(), data={"answer": "已答复"}),  # owner only: test_first_contact
    E("GET", "/counter/enquiries/999999/rate", set()),  # this centre's answered ones: test_browser_ratings
    E("POST", "/counter/enquiries/999999/rate", set(), data={"level": "5"}),
    E("POST", "/approvals/applications/{app}/assign", {"lead"}, state="accepted",
      data={"approver_id": "{approver2}"}, changes="app"),
    E("POST", "/approvals/applications/{app}/approve", {"approver"}, state="in_review", changes="app"),
    E("POST", "/approvals/applications/{app}/reject", {"approver"}, state="in_review",
      data={"reasons": "不符合条件"}, changes="app"),
    E("POST", "/approvals/applications/{app}/recheck", {"approver", "approver2", "lead"}, state="accepted", changes="app"),
    E("POST", "/approvals/applications/{app}/pause", {"approver", "lead"}, state="in_review",
      data={"reason": "等待核查"}, changes="app"),
    E("POST", "/approvals/applications/{app}/resume", {"approver", "lead"}, state="in_review+paused", changes="app"),
    E("POST", "/approvals/applications/{app}/extend", {"lead"}, state="accepted",
      data={"days": "2", "reason": "需要论证"}, changes="app"),
    E("POST", "/approvals/applications/{app}/issue", {"approver"}, state="approved", changes="app"),
    # portal
    E("GET", "/portal/", CITIZENS), E("GET", "/portal/profile", CITIZENS),
    E("POST", "/portal/profile", CITIZENS, data={"name": "x", "id_number": "1"}),
    E("GET", "/portal/services", CITIZENS), E("GET", "/portal/services/sample.permit", CITIZENS),
    E("GET", "/portal/services/sample.permit/apply", CITIZENS),
    E("POST", "/portal/services/sample.permit/apply", CITIZENS,
      data={"f-purpose": "网上矩阵", "action": "draft"}, changes="count"),
    E("GET", "/portal/applications/{app}", {"citizen"}, state="accepted"),
    E("GET", "/portal/applications/{app}/identity", {"citizen"}, state="draft"),
    E("POST", "/portal/applications/{app}/submit", {"citizen"}, state="draft", changes="app"),
    E("POST", "/portal/applications/{app}/materials", {"citizen"}, state="draft",
      data={"file-photo": "PNG"}, changes="app"),
    E("POST", "/portal/applications/{app}/resubmit", {"citizen"}, state="correction_requested", changes="app"),
    E("GET", "/portal/applications/{app}/edit", {"citizen"}, state="draft"),
    E("POST", "/portal/applications/{app}/edit", {"citizen"}, state="draft",
      data={"f-purpose": "矩阵修改草稿", "delivery_method": "courier", **COURIER_FIELDS}, changes="app"),
    # a counter worker helping the citizen at the window with a draft: the citizen's ID
    # re-checked (core.people.presence) and the centre authorised for the service; without
    # the ID check nobody but the citizen reaches the draft (issue 22 #1)
    E("GET", "/counter/drafts/{app}/edit", DRAFT_HELPERS, state="draft", at_window=True),
    E("POST", "/counter/drafts/{app}/edit", DRAFT_HELPERS, state="draft", at_window=True,
      data={"f-purpose": "窗口矩阵修改", "consent": "y", "delivery_method": "courier", **COURIER_FIELDS}, changes="app"),
    E("GET", "/counter/drafts/{app}/edit", set(), state="draft"),
    E("POST", "/counter/drafts/{app}/edit", set(), state="draft",
      data={"f-purpose": "窗口矩阵修改", "consent": "y", "delivery_method": "courier", **COURIER_FIELDS}, changes="app"),
    E("POST", "/counter/applicants/{applicant}/identify", COUNTERS, data={"id_number": "{id_number}"}),
    E("POST", "/portal/applications/{app}/withdraw", {"citizen"}, state="submitted", changes="app"),
    E("POST", "/portal/applications/{app}/rate", {"citizen"}, state="accepted", data={"level": "4"}),
    E("GET", "/portal/appointments", CITIZENS),
    E("POST", "/portal/appointments", CITIZENS, data={"centre": "T01", "day": "{workday}", "slot": "15:00"}),
    E("POST", "/portal/appointments/{appointment}/cancel", {"citizen"}),
    E("GET", "/portal/consents", CITIZENS),
    E("POST", "/portal/consents", CITIZENS, data={"centre_id": "1", "hours": "24"}),
    E("POST", "/portal/consents/1/revoke", CITIZENS),
    E("POST", "/portal/tickets/{done_ticket}/rate", {"citizen"}, data={"level": "4"}),
    # admin
    E("GET", "/admin/users", {"sys_admin"}), E("GET", "/admin/users/new", {"sys_admin"}),
    E("POST", "/admin/users/new", {"sys_admin"},
      data={"username": "matrix_new", "name": "矩阵", "password": "matrix-pass-1", "roles": "auditor"}),
    E("GET", "/admin/users/{user}", {"sys_admin"}),
    E("POST", "/admin/users/{user}", {"sys_admin"}, data={"name": "改名", "roles": "auditor", "active": "y"}),
    E("POST", "/admin/users/{user}/tokens", {"sys_admin"}, data={"name": "矩阵"}),
    E("POST", "/admin/tokens/{token}/revoke", {"sys_admin"}),
    E("GET", "/admin/centres", {"sys_admin"}), E("GET", "/admin/centres/{centre}", {"sys_admin"}),
    E("POST", "/admin/centres/{centre}", {"sys_admin"}, data={"service": "sample.permit"}),
    E("GET", "/admin/follow-ups", {"centre_admin", "sys_admin"}),
    E("POST", "/admin/follow-ups/{follow_up}/close", {"centre_admin", "sys_admin"}, data={"resolution": "已回访"}),
    E("GET", "/admin/appeals", {"centre_admin"}),
    E("POST", "/admin/appeals/{appeal}/decide", {"centre_admin"}, data={"decision": "reject", "reasons": "评价属实"}),
    E("GET", "/admin/stats", {"sys_admin", "centre_admin", "auditor"}),
    E("GET", "/admin/stats.csv", {"sys_admin", "centre_admin", "auditor"}),
    E("GET", "/admin/audit", {"auditor"}),
    # files
    E("GET", "/materials/{material}", T01_COUNTER | {"centre_admin", "auditor", "citizen"}),
    E("GET", "/documents/{document}.pdf", ACCEPTED_VIEWERS | {"citizen"}, state="accepted"),
]

API = [
    E("GET", "/api/openapi.json", EVERYONE, api=True),
    E("GET", "/api/v1/me", STAFF, api=True), E("GET", "/api/v1/services", STAFF, api=True),
    E("GET", "/api/v1/services/sample.permit", STAFF, api=True),
    E("GET", "/api/v1/applicants?id_number=1", FILERS, api=True),
    E("POST", "/api/v1/applicants", FILERS, api=True, data={"kind": "person", "id_number": "{id_number}", "name": "测试citizen"}),
    E("GET", "/api/v1/applicants/{applicant}", FILERS, api=True),
    E("GET", "/api/v1/applicants/{applicant}/portraits", COUNTERS | {"auditor", "centre_admin", "sys_admin"}, api=True),
    E("POST", "/api/v1/applicants/{applicant}/portraits", set(), api=True, noop=COUNTERS,
      data={"id_number": "{id_number}", "photo_base64": ""}),  # no photo: 400 photo_missing
    E("POST", "/api/v1/applicants/{applicant}/phone", COUNTERS, api=True,
      data={"id_number": "{id_number}", "phone": "13900000001"}),
    E("GET", "/api/v1/applications", STAFF, api=True),
    E("POST", "/api/v1/applications", {"counter", "counter_b", "acceptor", "agent"}, api=True, changes="count",
      data={"service_code": "sample.permit", "applicant_id": "{applicant}", "form_data": {"purpose": "接口矩阵"},
            "paper": ["id_proof"], "consent": True}),
    E("GET", "/api/v1/applications/{app}", ACCEPTED_VIEWERS, state="accepted", api=True),
    E("GET", "/api/v1/applications/{app}/checks", T01_COUNTER, state="submitted", api=True),
    E("GET", "/api/v1/applications/{app}/timeline", ACCEPTED_VIEWERS, state="accepted", api=True),
    E("GET", "/api/v1/applications/{app}/due-date", ACCEPTED_VIEWERS, state="accepted", api=True),
    E("GET", "/api/v1/applications/{app}/documents", ACCEPTED_VIEWERS, state="accepted", api=True),
    E("POST", "/api/v1/applications/{app}/materials", T01_COUNTER, state="submitted", api=True,
      data={"paper": ["photo"]}, changes="app"),
    E("POST", "/api/v1/applications/{app}/accept", T01_COUNTER, state="submitted", api=True, changes="app"),
    E("PATCH", "/api/v1/applications/{app}", DRAFT_HELPERS, state="draft", api=True, changes="app", at_window=True,
      data={"form_data": {"purpose": "接口矩阵修改"}, "consent": True, "delivery_method": "courier",
            "courier_address": {"recipient": "矩阵收件人", "phone": "13900000001", "address": "南京市玄武区中山路1号"}}),
    E("PATCH", "/api/v1/applications/{app}", set(), state="draft", api=True, changes="app",
      data={"form_data": {"purpose": "接口矩阵修改"}, "consent": True, "delivery_method": "courier",
            "courier_address": {"recipient": "矩阵收件人", "phone": "13900000001", "address": "南京市玄武区中山路1号"}}),
    # (the auditor reads every record, drafts included, as before)
    E("GET", "/api/v1/applications/{app}", DRAFT_HELPERS | {"auditor"}, state="draft", api=True, at_window=True),
    E("GET", "/api/v1/applications/{app}", {"auditor"}, state="draft", api=True),
    E("POST", "/api/v1/applicants/{applicant}/identify", COUNTERS, api=True, data={"id_number": "{id_number}"}),
    E("POST", "/api/v1/applications/{app}/return", T01_COUNTER, state="submitted", api=True,
      data={"defects": {"id_proof": "模糊"}}, changes="app"),
    E("POST", "/api/v1/applications/{app}/refuse", T01_COUNTER, state="submitted", api=True,
      data={"reasons": "不属于受理范围"}, changes="app"),
    E("POST", "/api/v1/applications/{app}/resubmit", T01_COUNTER, state="correction_requested", api=True, changes="app"),
    E("POST", "/api/v1/applications/{app}/withdraw", T01_COUNTER, state="submitted", api=True,
      data={"reason": "申请人要求"}, changes="app"),
    E("POST", "/api/v1/applications/{app}/claim", {"approver", "approver2", "lead"}, state="accepted", api=True, changes="app"),
    E("POST", "/api/v1/applications/{app}/release", {"approver", "lead"}, state="in_review", api=True, changes="app"),
    E("POST", "/api/v1/applications/{app}/hand-over", {"counter", "centre_admin"}, state="accepted",
      api=True, data={"to_department": "sample_dept", "note": "转部门办理"}, changes="app"),
    E("POST", "/api/v1/enquiries", FILERS, api=True, data={"question": "办营业执照要带什么", "answer": "身份证"}),
    E("POST", "/api/v1/enquiries/999999/rating", set(), api=True, data={"level": 5}),  # test_first_contact
    E("POST", "/api/v1/applications/{app}/assign", {"lead"}, state="accepted", api=True,
      data={"approver_id": "{approver2}"}, changes="app"),
    E("POST", "/api/v1/applications/{app}/approve", {"approver"}, state="in_review", api=True, changes="app"),
    E("POST", "/api/v1/applications/{app}/reject", {"approver"}, state="in_review", api=True,
      data={"reasons": "不符合条件"}, changes="app"),
    E("POST", "/api/v1/applications/{app}/issue", {"approver"}, state="approved", api=True, changes="app"),
    E("POST", "/api/v1/applications/{app}/recheck", {"approver", "approver2", "lead"}, state="accepted", api=True, changes="app"),
    E("POST", "/api/v1/applications/{app}/pause", {"approver", "lead"}, state="in_review", api=True,
      data={"reason": "等待核查"}, changes="app"),
    E("POST", "/api/v1/applications/{app}/resume", {"approver", "lead"}, state="in_review+paused", api=True, changes="app"),
    E("POST", "/api/v1/applications/{app}/extend", {"lead"}, state="accepted", api=True,
      data={"days": 2, "reason": "需要论证"}, changes="app"),
    E("POST", "/api/v1/applications/{app}/deliver", COUNTERS, state="issued", api=True,
      data={"method": "pickup", "recipient_id_number": "{id_number}"}, changes="app"),
    E("POST", "/api/v1/applications/{app}/rating", T01_COUNTER, state="accepted", api=True, data={"level": 5}),
    E("GET", "/api/v1/queues/sample_dept", DEPT, api=True),
    E("GET", "/api/v1/tickets", COUNTERS, api=True), E("POST", "/api/v1/tickets", COUNTERS, api=True),
    E("POST", "/api/v1/tickets/call", COUNTERS, api=True),
    E("POST", "/api/v1/tickets/{done_ticket}/rating", T01_COUNTER, api=True, data={"level": 5}),
    E("GET", "/api/v1/ratings/mine", COUNTERS, api=True),
    E("POST", "/api/v1/ratings/{rating}/appeal", {"counter"}, api=True, data={"reasons": "评价的是隔壁窗口"}),
    E("GET", "/api/v1/appeals", {"centre_admin"}, api=True),
    E("POST", "/api/v1/appeals/{appeal}/decide", {"centre_admin"}, api=True, data={"uphold": False, "reasons": "评价属实"}),
    E("GET", "/api/v1/stats", {"sys_admin", "centre_admin", "auditor"}, api=True),
    E("GET", "/api/v1/follow-ups", {"centre_admin", "sys_admin"}, api=True),
    E("POST", "/api/v1/follow-ups/{follow_up}/close", {"centre_admin", "sys_admin"}, api=True,
      data={"resolution": "已回访"}),
    E("GET", "/api/v1/audit", {"auditor"}, api=True), E("GET", "/api/v1/audit/verify", {"auditor"}, api=True),
]

from core.testing import TINY_PNG as PNG  # a real image: uploads are re-encoded

#: The objects an endpoint's path or data may name ({app}, {ticket}, …): see Objects.make_*.
PLACEHOLDERS = ("app", "applicant", "ticket", "done_ticket", "appointment", "follow_up", "rating",
                "appeal", "user", "centre", "token", "material", "document")


class Objects:
    """The things endpoints point at, created fresh whenever an allowed call used one up."""

    def __init__(self, world):
        self.world = world
        self.q = world.quanke
        self.cache: dict[str, int] = {}

    def fresh(self, name: str) -> None:
        self.cache.pop(name, None)

    def get(self, name: str, state: str | None):
        key = f"{name}:{state}"
        if key not in self.cache:
            self.cache[key] = getattr(self, "make_" + name)(state)
        return self.cache[key]

    def make_app(self, state):
        return drive_to(self.world, state).id

    def make_applicant(self, _):
        return self.world.citizen.applicant_id

    def make_ticket(self, _):
        with self.q.db.session() as s:
            ticket = tickets.take_ticket(s, s.get(type(self.world.centre), self.world.centre.id))
            ticket.status, ticket.called_by_id = "called", self.world.counter.id
            return ticket.id

    def make_appointment(self, _):
        with self.q.db.session() as s:
            citizen = s.get(Citizen, self.world.citizen.id)
            appointment = tickets.Appointment(citizen_id=citizen.id, centre_id=self.world.centre.id,
                                              day=today(), slot="16:00")
            s.add(appointment)
            s.flush()
            return appointment.id

    def make_done_ticket(self, _):
        """A number of world.citizen's appointment at T01, served by ``counter``."""
        from core.platform.clock import now
        with self.q.db.session() as s:
            booked = tickets.Appointment(citizen_id=self.world.citizen.id, centre_id=self.world.centre.id,
                                         day=today(), slot="16:00", status="checked_in")
            s.add(booked)
            s.flush()
            ticket = tickets.take_ticket(s, s.get(type(self.world.centre), self.world.centre.id),
                                         kind="appointment", appointment=booked)
            ticket.status, ticket.called_by_id, ticket.finished_at = "done", self.world.counter.id, now()
            return ticket.id

    def make_rating(self, _):
        """A bad rating naming ``counter`` (rated on its second screen)."""
        from core.platform.models import User
        app_id = drive_to(self.world, "accepted").id
        with self.q.db.session() as s:
            return ratings.rate(self.q, s, s.get(User, self.world.counter.id), app_id, level=1).id

    def make_appeal(self, _):
        from core.platform.models import User
        rating_id = self.make_rating(None)
        with self.q.db.session() as s:
            return ratings.file_appeal(s, s.get(User, self.world.counter.id), rating_id, reasons="误评").id

    def make_follow_up(self, _):
        app_id = drive_to(self.world, "accepted").id
        with self.q.db.session() as s:
            rating = ratings.rate(self.q, s, s.get(Citizen, self.world.citizen.id), app_id, level=1)
            return s.scalar(select(ratings.FollowUp.id).where(ratings.FollowUp.rating_id == rating.id))

    def make_user(self, _):
        return self.world.auditor.id

    def make_centre(self, _):
        return self.world.station.id

    def make_token(self, _):
        from core.platform.models import User
        from core.people.tokens import ApiToken, create_token
        with self.q.db.session() as s:
            create_token(s, s.get(User, self.world.counter.id), name="matrix")
            return s.scalar(select(func.max(ApiToken.id)))

    def make_material(self, _):
        from core.acceptance.uploads import Upload
        from core import acceptance
        app = file_at_counter(self.world)
        acceptance.attach_material(self.q, self.world.counter, app.id, uploads=[Upload("photo", "p.png", PNG)])
        with self.q.db.session() as s:
            return s.scalar(select(Material.id).where(Material.application_id == app.id,
                                                      Material.status == "scan"))

    def make_document(self, _):
        from core.papers import issuance
        app_id = drive_to(self.world, "accepted").id
        with self.q.db.session() as s:
            return issuance.documents_for(s, app_id)[0].id


def fill(value, values: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in values:
        return values[value[1:-1]]
    if isinstance(value, str):
        return value.format(**values) if "{" in value else value
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value


def count_apps(q):
    with q.db.session() as s:
        return s.scalar(select(func.count(Application.id)))


def next_workday():
    day = today() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def _id(e: E) -> str:
    return f"{e.method} {e.path}" + (" (ID checked)" if e.at_window else "")


def _identify_citizen(world, role: str) -> None:
    from core.people import presence
    from core.platform.models import User
    with world.quanke.db.session() as s:
        applicant = s.get(Citizen, world.citizen.id).applicant
        presence.identify(s, s.get(User, world.users[role].id), applicant.id, applicant.id_number, how="test")


@pytest.mark.parametrize("entry", HTML + API, ids=_id)
def test_matrix(entry: E, web, world, api_tokens):
    objects = Objects(world)
    q = world.quanke
    problems = []
    for role in ROLES:
        names = {n for n in PLACEHOLDERS if "{" + n + "}" in entry.path + str(entry.data)}
        values = {n: objects.get(n, entry.state if n == "app" else None) for n in names}
        app_id = values.get("app")
        values.update(approver2=world.approver2.id, workday=next_workday())
        with q.db.session() as s:
            values["id_number"] = s.get(Citizen, world.citizen.id).applicant.id_number
        path = entry.path.format(**values)
        data = fill(entry.data, values)
        if entry.at_window and role in STAFF:
            _identify_citizen(world, role)
        before = snapshot(q, app_id) if app_id else None
        apps_before = count_apps(q)
        client = web.test_client()
        # one address per person: rate limits (web.limits) count per client address
        client.environ_base["REMOTE_ADDR"] = f"10.0.{ROLES.index(role)}.1"
        headers = {}
        if entry.api:
            if role in STAFF:
                headers["Authorization"] = f"Bearer {api_tokens[role]}"
            if entry.method == "GET":
                r = client.get(path, headers=headers)
            else:
                r = client.open(path, method=entry.method, json=data, headers=headers)
        else:
            browser = Browser(client)
            if role in STAFF:
                sign_in(client, f"u:{world.users[role].id}")
            elif role in CITIZENS:
                sign_in(client, f"c:{world.citizens[role].id}")
            if entry.method == "GET":
                r = browser.get(path)
            else:
                form = {k: (io.BytesIO(PNG), "p.png") if v == "PNG" else v for k, v in data.items()}
                r = browser.post(path, form, content_type="multipart/form-data")
        status = r.status_code
        to_login = (status == 302 and "login" in r.headers.get("Location", "")
                    and entry.path != "/logout")
        ok = status < 400 and not to_login
        changed = (snapshot(q, app_id) != before) if app_id else False
        if entry.changes == "count":
            changed = count_apps(q) != apps_before
        if role in entry.allowed:
            if not ok:
                problems.append(f"{role}: expected success, got {status} {r.headers.get('Location', '')}")
            elif entry.changes and not changed:
                problems.append(f"{role}: answered {status} but nothing changed")
            if entry.method in ("POST", "PATCH"):
                objects.cache.clear()  # used up: the next role gets fresh objects
        elif role in entry.noop:
            if status >= 500 or changed:
                problems.append(f"{role}: expected a no-op, got {status}, changed={changed}")
        else:
            if role is None:
                denied = status == 401 if entry.api else (to_login or status in (401, 403))
            else:
                denied = status in (403, 404) or (entry.api and status == 401 and role in CITIZENS)
            if not denied:
                problems.append(f"{role}: expected 403/404, got {status} {r.headers.get('Location', '')}")
            if changed:
                problems.append(f"{role}: denied but the application changed")
    assert not problems, "\n".join(problems)


def test_matrix_covers_every_endpoint(web):
    """A new page or API endpoint must be added to the matrix."""
    covered = set()
    for e in HTML + API:
        covered.add((e.method, e.path.split("?")[0]))
    missing = []
    for rule in web.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0] if "." in rule.endpoint else ""
        if blueprint not in ("auth", "counter", "approvals", "portal", "admin", "api", "files", "drafts", ""):
            continue  # plugin pages and the public verification page have their own tests
        if rule.endpoint == "static":
            continue
        path = rule.rule
        for conv in ("<int:app_id>", "<int:applicant_id>", "<int:ticket_id>", "<int:appointment_id>",
                     "<int:item_id>", "<int:user_id>", "<int:token_id>", "<int:centre_id>",
                     "<int:material_id>", "<int:document_id>", "<service_code>", "<code>",
                     "<department>", "<centre_code>"):
            path = path.replace(conv, "*")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if not any(m == method and _match(p, path) for m, p in covered):
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing


def _match(concrete: str, pattern: str) -> bool:
    a, b = concrete.strip("/").split("/"), pattern.strip("/").split("/")
    if len(a) != len(b):
        return False
    return all(y == "*" or x == y or ("*" in y and x.startswith(y.split("*")[0]) and x.endswith(y.split("*")[-1]))
               for x, y in zip(a, b))


# -- segregation of duties: the applicant's side never decides (issue 23 #3) -----------------------

def _filed_by_acceptor(world, *, claimed=False, approved=False):
    """Filed at the counter by ``acceptor`` (counter + approver + lead), accepted by ``counter``;
    optionally claimed / approved by ``acceptor`` as rows from before the rule."""
    from core import acceptance
    q = world.quanke
    app = file_at_counter(world, by="acceptor")
    acceptance.accept(q, world.counter, app.id)
    if claimed or approved:
        with q.db.session() as s:
            row = s.get(Application, app.id)
            row.state, row.claimed_by_id = ("approved" if approved else "in_review"), world.acceptor.id
            if approved:
                row.decided_by_id = world.acceptor.id
    return app


def _handled_by_acceptor(world):
    """Filed and accepted by ``counter``, but ``acceptor`` returned it for correction once."""
    from core import acceptance
    q = world.quanke
    app = file_at_counter(world, paper=[])
    acceptance.return_for_correction(q, world.acceptor, app.id)
    acceptance.attach_material(q, world.counter, app.id, paper=["id_proof"])
    acceptance.resubmit(q, world.counter, app.id)
    acceptance.accept(q, world.counter, app.id)
    return app


SEGREGATION = [
    ("claim, filer", lambda w: _filed_by_acceptor(w), "acceptor", "post", "/api/v1/applications/{app}/claim", {}),
    ("claim, filer, page", lambda w: _filed_by_acceptor(w), "acceptor", "form", "/approvals/applications/{app}/claim", {}),
    ("claim, returned it", _handled_by_acceptor, "acceptor", "post", "/api/v1/applications/{app}/claim", {}),
    ("assign to the filer", lambda w: _filed_by_acceptor(w), "lead", "post", "/api/v1/applications/{app}/assign",
     {"approver_id": "{acceptor}"}),
    ("approve, filer", lambda w: _filed_by_acceptor(w, claimed=True), "acceptor", "post",
     "/api/v1/applications/{app}/approve", {}),
    ("reject, filer, page", lambda w: _filed_by_acceptor(w, claimed=True), "acceptor", "form",
     "/approvals/applications/{app}/reject", {"reasons": "不符合条件"}),
    ("issue, filer", lambda w: _filed_by_acceptor(w, approved=True), "acceptor", "post",
     "/api/v1/applications/{app}/issue", {}),
]


@pytest.mark.parametrize("case", SEGREGATION, ids=[c[0] for c in SEGREGATION])
def test_the_applicant_side_never_decides(case, web, world, api_tokens):
    _name, make, who, how, path, data = case
    app = make(world)
    q = world.quanke
    path = path.format(app=app.id)
    data = {k: (world.acceptor.id if v == "{acceptor}" else v) for k, v in data.items()}
    before = snapshot(q, app.id)
    client = web.test_client()
    if how == "form":
        sign_in(client, f"u:{world.users[who].id}")
        r = Browser(client).post(path, data, follow_redirects=True)
        assert "受审分离" in r.get_data(as_text=True)
    else:
        r = client.post(path, json=data, headers={"Authorization": f"Bearer {api_tokens[who]}"})
        assert r.status_code == 403 and r.get_json()["error"] == "segregation_of_duties", r.get_json()
    assert snapshot(q, app.id) == before


def test_an_approver_who_never_touched_it_still_claims(web, world, api_tokens):
    app = _filed_by_acceptor(world)
    r = web.test_client().post(f"/api/v1/applications/{app.id}/claim",
                               headers={"Authorization": f"Bearer {api_tokens['approver']}"})
    assert r.status_code == 200


# -- the pick-up centre only hands over (issue 23 #1) -----------------------------------------------

def _picked_up_elsewhere(world, state="submitted"):
    """Filed by ``counter`` (centre) with the other centre (``counter_b``'s) as pick-up centre."""
    from core import acceptance, approval
    q = world.quanke
    with q.db.session() as s:
        applicant = s.get(Citizen, world.citizen.id).applicant
        form = q.service("sample.permit").example_for(applicant.name, applicant.id_number)
    paper = [] if state == "correction_requested" else ["id_proof"]
    app = acceptance.file_application(q, world.counter, service_code="sample.permit",
                                      applicant_id=world.citizen.applicant_id, form_data=form, paper=paper,
                                      consent=True, consent_text="申请人当面同意",
                                      pickup_centre_id=world.other_centre.id)
    if state == "issued":
        acceptance.accept(q, world.counter, app.id)
        approval.claim(q, world.approver, app.id)
        approval.approve(q, world.approver, app.id)
        with q.db.session() as s:
            approved = s.get(Application, app.id).state == "approved"
        if approved:          # a service without automatic issuing
            approval.issue(q, world.approver, app.id)
    return app


PICKUP = [
    ("post", "/api/v1/applications/{app}/accept", {}),
    ("post", "/api/v1/applications/{app}/return", {"defects": {"id_proof": "模糊"}}),
    ("post", "/api/v1/applications/{app}/refuse", {"reasons": "不属于受理范围"}),
    ("post", "/api/v1/applications/{app}/materials", {"paper": ["photo"]}),
    ("post", "/api/v1/applications/{app}/withdraw", {"reason": "申请人要求"}),
    ("form", "/counter/applications/{app}/accept", {}),
    ("form", "/counter/applications/{app}/return", {"defect-id_proof": "1", "reason-id_proof": "模糊"}),
    ("form", "/counter/applications/{app}/refuse", {"reasons": "不属于受理范围"}),
    ("form", "/counter/applications/{app}/materials", {"mat-photo": "paper"}),
    ("form", "/counter/applications/{app}/withdraw", {"reason": "申请人要求"}),
]


@pytest.mark.parametrize("case", PICKUP, ids=[f"{c[0]} {c[1]}" for c in PICKUP])
def test_the_pickup_centre_cannot_act_for_the_applicant(case, web, world, api_tokens):
    how, path, data = case
    q = world.quanke
    app = _picked_up_elsewhere(world)
    path = path.format(app=app.id)
    before = snapshot(q, app.id)
    client = web.test_client()
    if how == "form":
        sign_in(client, f"u:{world.users['counter_b'].id}")
        r = Browser(client).post(path, data, content_type="multipart/form-data", follow_redirects=True)
        assert r.status_code in (200, 403) and "领取中心只能" in r.get_data(as_text=True)
    else:
        r = client.post(path, json=data, headers={"Authorization": f"Bearer {api_tokens['counter_b']}"})
        assert r.status_code == 403 and r.get_json()["error"] == "not_receiving_centre", r.get_json()
    assert snapshot(q, app.id) == before
    with q.db.session() as s:
        assert s.get(Application, app.id).centre_id == world.centre.id


def test_the_pickup_centre_hands_over(web, world, api_tokens):
    q = world.quanke
    app = _picked_up_elsewhere(world, "issued")
    with q.db.session() as s:
        number = s.get(Citizen, world.citizen.id).applicant.id_number
    r = web.test_client().post(f"/api/v1/applications/{app.id}/deliver",
                               json={"method": "pickup", "recipient_id_number": number},
                               headers={"Authorization": f"Bearer {api_tokens['counter_b']}"})
    assert r.status_code == 200, r.get_json()
    with q.db.session() as s:
        assert s.get(Application, app.id).state == "delivered"
        assert s.get(Application, app.id).centre_id == world.centre.id
