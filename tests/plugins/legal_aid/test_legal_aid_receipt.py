"""Where and when an application was received choose the means test (Arts. 34, 43): the
receiving centre's area (plugin settings) and the system's receipt date — never what anyone
typed. Old applications' typed values stay readable and are not used."""
import datetime as dt

import pytest
from sqlalchemy import select

from core.platform.clock import today
from core.platform.errors import Forbidden
from core.platform.models import Application, Centre, CheckEvidence
from plugins.legal_aid.domain import decisions
from plugins.legal_aid.domain.detail import case_detail
from plugins.legal_aid.domain.receipt import area_of_centre, config_problems
from plugins.legal_aid.domain.standards import load_bytes
from plugins.legal_aid.plugin import check_config

#: A district whose own standard is lower than the province's: 1000 a head from 2025.
QIXIA_LOW = b"area_code,effective_from,monthly_per_head\n320115,2025-01-01,1000\n"


def decision_evidence(la, app_id) -> CheckEvidence:
    with la.quanke.db.session() as s:
        return s.scalars(select(CheckEvidence).where(
            CheckEvidence.application_id == app_id, CheckEvidence.phase == "decision")
            .order_by(CheckEvidence.id.desc())).first()


def test_the_receiving_centres_area_chooses_the_standard(la):
    """T01 is mapped to 320115 (standard 1000 a head), T02 falls back to the district default
    (320113 → Jiangsu's 2490): the same household of 1100 a head is refused at one and
    granted at the other."""
    la.quanke.config["LEGAL_AID_CENTRE_AREAS"] = "T01=320115"
    with la.quanke.db.session() as s:
        load_bytes(s, QIXIA_LOW, filename="low.csv", actor="test")
    at_t01 = la.accepted()
    at_t02 = la.accepted(by="counter_b")
    with pytest.raises(Forbidden) as err:
        decisions.decide(la.quanke, la.w.approver, at_t01.id, grant=True)
    assert err.value.code == "not_eligible" and "江苏省南京市江宁区自2025年1月1日起" in err.value.message
    decisions.decide(la.quanke, la.w.approver, at_t02.id, grant=True)
    granted = decision_evidence(la, at_t02.id).matched
    assert (granted["area_code"], granted["area_source"]) == ("320113", "default")
    assert granted["standard"]["area_code"] == "320000"
    decisions.decide(la.quanke, la.w.approver, at_t01.id, grant=False, reasons="")
    refused = decision_evidence(la, at_t01.id)
    assert refused.matched["area_code"] == "320115" and refused.list_version == "320115@2025-01-01:1000.00"


def test_a_station_takes_its_parent_centres_area_and_a_bad_entry_gives_no_area(la):
    la.quanke.config["LEGAL_AID_CENTRE_AREAS"] = {"T01": "320115", "T02": "3201"}
    with la.quanke.db.session() as s:
        t01, t02, t03 = (s.scalar(select(Centre).where(Centre.code == c)) for c in ("T01", "T02", "T03"))
        t03.parent_id = t01.id
        s.flush()
        assert area_of_centre(la.quanke, s, t03.id).code == "320115"
        assert area_of_centre(la.quanke, s, t03.id).source == "parent"
        assert area_of_centre(la.quanke, s, t02.id).source == "invalid"
        assert area_of_centre(la.quanke, s, None).code == "320113"     # online, not yet accepted
    app = la.accepted(by="counter_b")   # received at T02, whose entry is not a code
    with la.quanke.db.session() as s:
        detail = case_detail(la.quanke, s, s.get(Application, app.id))
    assert detail["assessment"]["outcome"] == "undetermined"
    assert "地区的配置无效" in detail["assessment"]["reasons"][-1]


def test_the_day_of_receipt_not_a_typed_date_chooses_the_standard(la):
    """An old (0.1) application whose applicant typed a back date and an area: the system's
    receipt date and the centre's area are used, the typed values are shown as not used."""
    effective = today() - dt.timedelta(days=3)
    with la.quanke.db.session() as s:
        load_bytes(s, f"area_code,effective_from,monthly_per_head\n320000,{effective.isoformat()},1000\n".encode(),
                   filename="new.csv", actor="test")
    app = la.accepted()
    back = (effective - dt.timedelta(days=20)).isoformat()
    with la.quanke.db.session() as s:   # what 0.1 stored
        row = s.get(Application, app.id)
        row.form_data = {**row.form_data, "application_date": back, "area_code": "110101"}
    with pytest.raises(Forbidden) as err:   # today's receipt: the new, lower standard applies
        decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert err.value.code == "not_eligible"
    with la.quanke.db.session() as s:
        detail = case_detail(la.quanke, s, s.get(Application, app.id))
    assert detail["received_on"] == today().isoformat() and detail["area_code"] == "320113"
    assert detail["legacy"] == {"application_date": back, "area_code": "110101"}
    assert detail["assessment"]["standard"]["effective_from"] == effective.isoformat()


def test_the_case_page_counts_seven_days_from_receipt_not_acceptance(la, app):
    app_row = la.file()
    with la.quanke.db.session() as s:   # received on Monday 2026-11-02, accepted on Thursday
        s.get(Application, app_row.id).submitted_at = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.timezone.utc)
    from core import acceptance
    acceptance.accept(la.quanke, la.w.counter, app_row.id, warn_reason="测试",
                      at=dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.timezone.utc))
    with la.quanke.db.session() as s:
        detail = case_detail(la.quanke, s, s.get(Application, app_row.id))
        from plugins.legal_aid.domain.queries import case_list
        rows, _ = case_list(la.quanke, s)
    assert detail["decide_by"] == "2026-11-09" and "2026年11月02日" in detail["decide_by_explained"]
    assert rows[0].decide_by == dt.date(2026, 11, 9)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"u:{la.w.approver.id}"
        sess["_fresh"] = True
    html = client.get(f"/legal-aid/cases/{app_row.id}").get_data(as_text=True)
    assert "2026-11-02" in html and "系统记录" in html and "江苏省南京市栖霞区（320113，本区默认地区）" in html


def test_check_config_reports_bad_area_settings_and_the_retired_counting(la, monkeypatch):
    assert check_config(la.quanke) == []
    la.quanke.config["LEGAL_AID_DEFAULT_AREA"] = "Qixia"
    la.quanke.config["LEGAL_AID_CENTRE_AREAS"] = "T01=320115,T09=320114,=320113,T02=32"
    monkeypatch.setenv("QUANKE_LEGAL_AID_DEADLINE_COUNTING", "working_days")
    problems = check_config(la.quanke)
    text = "\n".join(problems)
    assert "LEGAL_AID_DEFAULT_AREA='Qixia'" in text and "T09 在数据库中不存在" in text
    assert "缺少中心编码" in text and "中心 T02 的地区 '32'" in text
    assert "LEGAL_AID_DEADLINE_COUNTING" in text and "第四十三条" in text
    with la.quanke.db.session() as s:
        assert not any("T01" in p for p in config_problems(la.quanke, s))
