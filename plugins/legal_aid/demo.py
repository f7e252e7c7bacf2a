"""Demonstration data: a lawyer roster, Jiangsu's standards and a few decided cases (one of
them a court's notification, Art. 25).

Idempotent: the roster and standards are added once (by licence number / area and date);
the cases only when no legal-aid case has been decided yet.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from core.api import Application, Citizen, Role, User, accept, file_application

from plugins.legal_aid.domain import roster
from plugins.legal_aid.domain.access import CENTRE
from plugins.legal_aid.models import HardshipStandard, Lawyer
from plugins.legal_aid.domain.standards import load_bytes
from plugins.legal_aid.domain.status import SERVICE

log = logging.getLogger(__name__)

#: Demonstration figures modelled on Jiangsu's practice (the standard is the local monthly
#: minimum wage); a real centre loads the province's published figures.
STANDARDS_CSV = """area_code,effective_from,monthly_per_head,assets_per_head,source
320000,2021-08-01,2280,,参照江苏省一类地区月最低工资标准
320000,2025-01-01,2490,,参照江苏省一类地区月最低工资标准
""".encode()

LAWYERS = [
    ("林法援", "13201201010000001", "江苏仙林律师事务所", "13905000001"),
    ("何维权", "13201201010000002", "江苏仙林律师事务所", "13905000002"),
    ("宋公益", "13201201010000003", "南京栖霞律师事务所", "13905000003"),
    ("顾明理", "13201201010000004", "南京栖霞律师事务所", "13905000004"),
    ("沈正言", "13201201010000005", "江苏燕子矶律师事务所", "13905000005"),
]
CONFLICTS = [("13201201010000003", "某建筑劳务有限公司", "该所常年法律顾问单位")]


def _roster(quanke) -> int:
    created = 0
    with quanke.db.session() as session:
        have = set(session.scalars(select(Lawyer.licence_no)))
        for name, licence, firm, phone in LAWYERS:
            if licence not in have:
                roster.add_lawyer(session, actor="demo", name=name, licence_no=licence, firm=firm, phone=phone)
                created += 1
        if created:
            by_licence = {lw.licence_no: lw for lw in session.scalars(select(Lawyer))}
            for licence, party, note in CONFLICTS:
                roster.add_conflict(session, by_licence[licence].id, party_name=party, note=note, actor="demo")
        existing = session.scalar(select(HardshipStandard.id).limit(1))
        if existing is None:
            report = load_bytes(session, STANDARDS_CSV, filename="demo-standards.csv", actor="demo")
            created += report.inserted
    return created


def _cases(quanke) -> int:
    from plugins.legal_aid.domain.decisions import decide, give_urgent_aid
    with quanke.db.session() as session:
        decided = session.scalar(select(Application.id).where(
            Application.service_code == SERVICE, Application.decided_at.is_not(None)).limit(1))
        staff = list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).unique())
        counter = next((u for u in staff if u.has_role(Role.COUNTER) and u.centre is not None
                        and u.centre.may_accept(SERVICE)), None)
        deciders = [u for u in staff if u.has_role(Role.APPROVER, CENTRE) and u is not counter][:2]
        citizens = list(session.scalars(select(Citizen).order_by(Citizen.id)))
        if decided is not None or counter is None or not deciders or not citizens:
            return 0
        people = [(c.applicant_id, c.applicant.name) for c in citizens]
    service = quanke.service(SERVICE)
    samples = [
        ({"category": "labour", "opposing_party": "某建筑劳务有限公司", "status": "migrant_worker",
          "matter": "在栖霞区某工地务工四个月，工资一万六千元被拖欠。"}, ["status_proof"], True),
        ({"category": "abuse_victim", "opposing_party": "李某某",
          "matter": "长期遭受配偶家庭暴力，已取得告诫书，申请离婚并主张损害赔偿。"}, [], True),
        ({"category": "maintenance", "opposing_party": "王某某",
          "household": "本人,{name},6000\n配偶,陈某,5800", "matter": "请求子女给付赡养费，子女拒不支付。"},
         ["integrity_commitment"], False),
        # an organ's notification (Art. 25): registered for the court, no means test
        ({"category": "notification", "notifying_organ_kind": "court", "notifying_organ": "南京市栖霞区人民法院",
          "criminal_case_no": "（2026）苏0113刑初100号", "notification_ground": "minor", "opposing_party": "",
          "matter": "被告人涉嫌盗窃罪一案，审判时未满十八周岁，没有委托辩护人，法院通知指派律师。"},
         ["notification_letter"], True),
    ]
    created = 0
    for i, (extra, paper, grant) in enumerate(samples):
        applicant_id, name = people[i % len(people)]
        form = {**service.example_for(name, ""), **{k: v.format(name=name) for k, v in extra.items()}}
        try:
            app = file_application(
                quanke, counter, service_code=SERVICE, applicant_id=applicant_id, form_data=form,
                paper=["applicant_id", "case_materials", *paper], consent=True,
                consent_text="申请人当面同意代为填报（演示数据）")
            app = accept(quanke, counter, app.id, warn_reason="演示数据")
            if i == 0:
                give_urgent_aid(quanke, deciders[0], app.id, reason="preservation",
                                note="对方正在转移工地设备，需立即申请财产保全（演示）")
            decide(quanke, deciders[i % len(deciders)], app.id, grant=grant,
                   reasons="" if grant else "家庭月人均收入高于当地经济困难标准")
            created += 1
        except Exception:  # noqa: BLE001 - demo data must not stop the other plugins' demo
            log.exception("legal-aid demo case %s failed", i)
    return created


def load(quanke, *, scale: str = "demo") -> int:
    return _roster(quanke) + _cases(quanke)
