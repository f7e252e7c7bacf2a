"""The whole path on PostgreSQL: decisions, letters, objections, lists and statistics (the
SQL there — JSON fields, EXISTS filters, row locks — must work on both databases)."""
import pytest

from core.platform.clock import today
from plugins.legal_aid.domain import decisions, objections, queries, termination

pytestmark = pytest.mark.postgres


def test_grant_refusal_objection_termination_and_statistics_on_postgres(la_pg):
    la = la_pg
    granted = la.accepted()
    decisions.decide(la.quanke, la.w.approver, granted.id, grant=True)
    refused = la.accepted(category="maintenance", household="本人,测试citizen,9000")
    decisions.decide(la.quanke, la.w.approver, refused.id, grant=False, reasons="")
    obj = objections.lodge(la.quanke, la.w.citizen, refused.id, grounds="不服", received_on=today())
    objections.decide(la.quanke, la.bureau, obj.id, uphold=False, reasons="应予援助")
    objections.carry_out(la.quanke, la.w.approver2, obj.id)
    ended = la.accepted(category="abuse_victim")
    decisions.decide(la.quanke, la.w.approver, ended.id, grant=True)
    termination.terminate(la.quanke, la.w.approver, ended.id, reason="fraud", facts="虚构事实", found_on=today())
    with la.quanke.db.session() as s:
        stats = queries.compute(la.quanke, s, today(), today())
        rows, total = queries.case_list(la.quanke, s, category="maintenance")
        corrected, _ = queries.case_list(la.quanke, s, status="granted_on_correction")
        assert queries.waiting_for_lawyer(la.quanke, s) == []
    outcome = {code: n for code, _label, n in stats.by_outcome}
    assert outcome == {"granted": 1, "granted_on_correction": 1, "terminated": 1}
    assert (total, rows[0].id, [r.id for r in corrected]) == (1, refused.id, [refused.id])
    assert stats.decision_time["decided"] == 3 and stats.objections["corrected"] == 1
    assert sum(l["total"] for l in stats.lawyers) == 3
    paths = dict(stats.by_path)
    assert paths["第三十二条（免经济审查）"] == 1 and paths["经济困难审查（第三十四条）"] == 2


def test_notification_criminal_application_and_centre_area_on_postgres(la_pg):
    """The new paths on PostgreSQL: a court's notification (no means test, lawyer within three
    days of receipt), an Art. 24 application measured against the receiving centre's area,
    and the statistics and lists that read them (JSON category filter, receipt dates)."""
    import datetime as dt

    from sqlalchemy import select

    from core.platform.models import CheckEvidence
    from plugins.legal_aid.domain.standards import load_bytes
    from plugins.legal_aid.models import Assignment
    la = la_pg
    la.quanke.config["LEGAL_AID_CENTRE_AREAS"] = "T01=320115"
    with la.quanke.db.session() as s:
        load_bytes(s, b"area_code,effective_from,monthly_per_head\n320115,2025-01-01,1000\n",
                   filename="low.csv", actor="test")
    notified = la.notified()
    decisions.decide(la.quanke, la.w.approver, notified.id, grant=True)
    defence = la.accepted(category="criminal_defence", criminal_reason="hardship", opposing_party="",
                          household="本人,测试citizen,900")
    decisions.decide(la.quanke, la.w.approver, defence.id, grant=True)
    with la.quanke.db.session() as s:
        assignment = s.scalars(select(Assignment).where(Assignment.application_id == notified.id)).one()
        evidence = s.scalars(select(CheckEvidence.matched).where(
            CheckEvidence.application_id == defence.id, CheckEvidence.phase == "decision")).one()
        stats = queries.compute(la.quanke, s, today(), today())
        rows, total = queries.case_list(la.quanke, s, category="notification")
    assert assignment.due_on >= today() + dt.timedelta(days=3) and "第三十六条" in assignment.reason
    assert evidence["area_code"] == "320115" and evidence["standard"]["area_code"] == "320115"
    assert (total, rows[0].id) == (1, notified.id)
    paths = dict(stats.by_path)
    assert paths["通知指派（第二十五条、第二十八条）"] == 1 and paths["经济困难审查（第三十四条）"] == 1
    assert stats.decision_time["decided"] == 2 and stats.decision_time["late"] == 0
