"""Fixtures for the business licence plugin: a world with approvers of both departments and
a driver that takes applications through the core workflow."""
from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from core import acceptance, approval
from core.credit import CreditRecord
from core.ops.demo import valid_resident_id
from core.people.users import create_user
from core.platform.models import Applicant, Citizen
from core.testing import PASSWORD, seed_world
from plugins.business_license.domain import filing
from plugins.business_license.domain.lookups import (
    CHANGE,
    DEREGISTRATION,
    FOOD_PERMIT,
    REGISTRATION,
)

REG_PAPER = ["operator_id", "premises_proof"]
FOOD_PAPER = ["operator_id", "food_commitment", "layout_plan"]


class Flow:
    """Drives this plugin's services through core.workflow as the staff of the test world."""

    def __init__(self, world):
        self.world = world
        self.quanke = world.quanke

    # -- people ----------------------------------------------------------------------------
    def person(self, key: str = "citizen"):
        with self.quanke.db.session() as session:
            citizen = session.get(Citizen, self.world.citizens[key].id)
            return citizen.applicant

    def new_person(self, prefix17: str, name: str, phone: str) -> Applicant:
        from core.people import applicants
        with self.quanke.db.session() as session:
            applicant, _ = applicants.register(session, kind="person", id_number=valid_resident_id(prefix17),
                                               name=name, phone=phone, actor="test")
            return applicant

    def dishonest(self, id_number: str, level: str, ref: str = "r1") -> None:
        with self.quanke.db.session() as session:
            session.add(CreditRecord(ref=ref, subject_kind="person", subject_id=id_number, name="某人",
                                     level=level, reason="拒不履行生效判决", source_department="区人民法院",
                                     valid_from=dt.date(2020, 1, 1), valid_until=None))

    # -- forms -----------------------------------------------------------------------------
    def registration_form(self, applicant=None, **overrides) -> dict:
        applicant = applicant or self.person()
        form = {"trade_name": "悦来", "industry": "面食", "name_form": "馆",
                "operator_name": applicant.name, "operator_id_number": applicant.id_number,
                "operator_residence": "江苏省南京市玄武区长江路12号3幢201室", "organisation_form": "individual", "street": "xinjiekou",
                "address": "中山路88号一层102室", "scopes": ["catering", "general_retail"],
                "capital": 80000, "employees": 3, "phone": "13900000001"}
        form.update(overrides)
        return form

    def food_form(self, **overrides) -> dict:
        form = {"premises": "中山路88号一层102室", "food_category": "catering",
                "food_items": ["hot", "drinks"], "food_area": 45, "food_safety_manager": "王师傅",
                "health_certified": 3, "food_commitment": True}
        form.update(overrides)
        return form

    # -- steps -----------------------------------------------------------------------------
    def file(self, service_code: str, form: dict, *, applicant=None, paper=None, by: str = "counter"):
        applicant = applicant or self.person()
        if paper is None:
            paper = {REGISTRATION: REG_PAPER, FOOD_PERMIT: FOOD_PAPER,
                     CHANGE: ["change_application", "licence_original"],
                     DEREGISTRATION: ["deregistration_application", "licence_original"]}[service_code]
        return filing.file(self.quanke, self.world.users[by], service_code=service_code,
                           applicant_id=applicant.id, form_data=form, paper=paper, consent=True,
                           consent_text="申请人当面同意")

    def decide(self, app, *, approver: str = "approver", issue: bool = True, warn_reason: str = ""):
        """Accept at the counter, claim, approve (and issue) in the department's queue."""
        w = self.world
        if app.state == "submitted":
            app = acceptance.accept(self.quanke, w.counter, app.id, warn_reason=warn_reason)
        app = approval.claim(self.quanke, w.users[approver], app.id)
        app = approval.approve(self.quanke, w.users[approver], app.id)
        if issue:
            app = approval.issue(self.quanke, w.users[approver], app.id)
        return app

    def register(self, applicant=None, *, issue: bool = True, **overrides):
        applicant = applicant or self.person()
        app = self.file(REGISTRATION, self.registration_form(applicant, **overrides), applicant=applicant)
        return self.decide(app, issue=issue)

    def count(self, model) -> int:
        from sqlalchemy import func
        with self.quanke.db.session() as session:
            return session.scalar(select(func.count()).select_from(model))

    def business(self, app_id: int):
        from plugins.business_license.domain.lookups import business_for_application
        with self.quanke.db.session() as session:
            return business_for_application(session, app_id)


def make_world(quanke, monkeypatch):
    """seed_world with market-regulation approvers plus food-safety approver and lead."""
    # Fourteen staff accounts: cheap argon2 parameters keep set-up fast on a shared machine
    # (passwords are not what these tests are about).
    monkeypatch.setattr("core.people.users._hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    world = seed_world(quanke, department="market_regulation")
    with quanke.db.session() as session:
        for key, roles in {"food_approver": ["approver:food_safety"],
                           "food_lead": ["dept_lead:food_safety", "approver:food_safety"],
                           "food_inspector": ["inspector:food_safety"]}.items():
            world.users[key] = create_user(session, username=f"t_{key}", name=f"测试{key}",
                                           password=PASSWORD, roles=roles, centre_code="T01")
    return world


@pytest.fixture
def bl_world(quanke, monkeypatch):
    return make_world(quanke, monkeypatch)


@pytest.fixture
def pg_flow(pg_quanke, monkeypatch) -> "Flow":
    """The same driver on PostgreSQL (a database private to the test run)."""
    return Flow(make_world(pg_quanke, monkeypatch))


@pytest.fixture
def flow(bl_world) -> Flow:
    return Flow(bl_world)

