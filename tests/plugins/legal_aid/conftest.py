"""Fixtures for the legal-aid tests: a world whose approvers belong to the legal-aid centre,
bureau staff, the hardship standards and a lawyer roster, and a way to file applications."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text

from core import acceptance
from core.platform.audit import AuditEvent
from core.platform.models import Application, Document, User
from core.testing import PASSWORD, seed_world
from core.people.users import create_user
from plugins.legal_aid.domain import roster
from plugins.legal_aid.domain.standards import load_bytes

SERVICE = "legal_aid.application"
STANDARDS = b"""area_code,effective_from,monthly_per_head,assets_per_head,source
320000,2021-08-01,2280,,test: Jiangsu 2021
320000,2025-01-01,2490,,test: Jiangsu 2025
"""
LAWYERS = [("甲律师", "13201201010000011", "甲律师事务所"),
           ("乙律师", "13201201010000012", "甲律师事务所"),
           ("丙律师", "13201201010000013", "丙律师事务所")]


def form(**overrides) -> dict:
    """A valid application: a labour claim, three people earning 3300 a month in all."""
    data = {"category": "labour", "opposing_party": "某建筑劳务有限公司",
            "matter": "在工地务工三个月，工资共计一万二千元至今未付。", "incident_date": "2026-05-01",
            "household": "本人,测试citizen,1800\n配偶,王某某,1500\n子女,张某某,0", "savings": "3000"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


NOTICE_PAPER = ("applicant_id", "case_materials", "notification_letter")


def notice(**overrides) -> dict:
    """A court's notification for a minor defendant (Art. 25(1)(1)): no household, no savings."""
    data = {"category": "notification", "notifying_organ_kind": "court", "notifying_organ": "南京市栖霞区人民法院",
            "criminal_case_no": "（2026）苏0113刑初100号", "notification_ground": "minor",
            "matter": "被告人涉嫌盗窃罪，审判时未满十八周岁，没有委托辩护人。"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@dataclass
class LA:
    """The legal-aid world: ``w`` is the core test world (department ``justice``)."""

    w: object
    bureau: User
    bureau2: User

    @property
    def quanke(self):
        return self.w.quanke

    def file(self, paper=("applicant_id", "case_materials", "income_proof"), by="counter",
             data=None, **overrides) -> Application:
        return acceptance.file_application(
            self.quanke, self.w.users[by], service_code=SERVICE, applicant_id=self.w.citizen.applicant_id,
            form_data=data if data is not None else form(**overrides), paper=list(paper), consent=True,
            consent_text="申请人当面同意")

    def accepted(self, paper=("applicant_id", "case_materials", "income_proof"), by="counter",
                 **overrides) -> Application:
        app = self.file(paper=paper, by=by, **overrides)
        return acceptance.accept(self.quanke, self.w.users[by], app.id, warn_reason="测试：受理后审查")

    notice = staticmethod(notice)

    def notified(self, paper=NOTICE_PAPER, **overrides) -> Application:
        """A court's notification (Art. 25) registered at the counter and accepted."""
        app = self.file(paper=paper, data=notice(**overrides))
        return acceptance.accept(self.quanke, self.w.counter, app.id, warn_reason="测试：通知辩护")

    def count(self, model) -> int:
        with self.quanke.db.session() as s:
            return s.scalar(select(func.count()).select_from(model))

    def audit_count(self) -> int:
        with self.quanke.db.session() as s:
            return s.scalar(text("SELECT count(*) FROM audit_events"))

    def audit(self, action: str, app_id: int | None = None) -> list[AuditEvent]:
        with self.quanke.db.session() as s:
            stmt = select(AuditEvent).where(AuditEvent.action == action)
            if app_id is not None:
                stmt = stmt.where(AuditEvent.application_id == app_id)
            return list(s.scalars(stmt.order_by(AuditEvent.seq)))

    def app(self, app_id: int) -> Application:
        with self.quanke.db.session() as s:
            app = s.get(Application, app_id)
            _ = app.applicant, app.decisions, app.evidence, app.materials
            return app

    def documents(self, app_id: int, kind: str | None = None) -> list[Document]:
        with self.quanke.db.session() as s:
            stmt = select(Document).where(Document.application_id == app_id)
            if kind:
                stmt = stmt.where(Document.kind == kind)
            return list(s.scalars(stmt.order_by(Document.id)))

    def add_lawyer(self, name: str, licence: str, firm: str, **kw):
        with self.quanke.db.session() as s:
            return roster.add_lawyer(s, actor="test", name=name, licence_no=licence, firm=firm, **kw)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    # The test world creates 14 staff accounts; full-strength argon2 makes that the slowest
    # part of every test on a shared machine, and passwords are not what these tests are about.
    import core.people.users
    from argon2 import PasswordHasher
    monkeypatch.setattr(core.people.users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def build(quanke) -> LA:
    world = seed_world(quanke, department="justice")
    with quanke.db.session() as s:
        bureau = create_user(s, username="t_bureau", name="司法局审查员", password=PASSWORD,
                             roles=["approver:justice_bureau"], centre_code="T01")
        bureau2 = create_user(s, username="t_bureau2", name="司法局负责人", password=PASSWORD,
                              roles=["dept_lead:justice_bureau", "approver:justice_bureau"], centre_code="T01")
        load_bytes(s, STANDARDS, filename="test.csv", actor="test")
        for name, licence, firm in LAWYERS:
            roster.add_lawyer(s, actor="test", name=name, licence_no=licence, firm=firm)
    return LA(world, bureau, bureau2)


@pytest.fixture
def la(quanke) -> LA:
    return build(quanke)


@pytest.fixture
def la_pg(pg_quanke) -> LA:
    """The same world on PostgreSQL (a database private to the test run)."""
    return build(pg_quanke)
