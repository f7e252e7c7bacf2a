"""Issue 21: the archive approver sees the records an application would find before approving —
from the archives queue's panel to a page listing them, the look logged against the application."""
from __future__ import annotations

from sqlalchemy import select

from core import acceptance
from plugins.archive_query.models import AccessLog

from tests.plugins.archive_query.aq_helpers import at_counter, form, switch


def test_the_approver_sees_the_matched_record_before_approving(web, aq, people, archive, quanke):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    switch(quanke, aq, False)                              # a person decides, not the auto rule
    app = at_counter(aq, me.applicant_id, form(me))
    acceptance.accept(quanke, aq.counter, app.id)
    approver = web("approver")
    queue = approver.get("/approvals/archives").get_data(as_text=True)
    assert "待审批的档案查询" in queue and f'href="/archive/applications/{app.id}/records"' in queue
    page = approver.get(f"/archive/applications/{app.id}/records")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "查到 1 条记录" in html and "宁玄结字第001号" in html
    assert f'href="/approvals/applications/{app.id}"' in html           # back to decide
    with quanke.db.session() as s:
        logged = s.scalars(select(AccessLog).where(AccessLog.channel == "application_review")).all()
    assert logged and all(app.number in r.purpose and r.actor == f"user:{aq.approver.id}" for r in logged)
    assert web("counter").get(f"/archive/applications/{app.id}/records").status_code == 403
    assert web("approver").get("/archive/applications/999999/records").status_code == 404
