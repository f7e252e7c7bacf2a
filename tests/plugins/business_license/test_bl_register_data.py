"""Credit codes and permit numbers, demo register data, the contract check, the catch-up job."""
from sqlalchemy import func, select
from stdnum.cn import uscc

from core import approval
from core.testing import check_plugin
from plugins.business_license.domain import codes, events, names
from plugins.business_license import demo
from plugins.business_license.models import RegisteredBusiness


def test_credit_codes_validate_with_stdnum_and_differ(quanke):
    seen = set()
    for serial in list(range(1, 2000)) + [31 ** 5, 31 ** 6 - 1]:
        code = codes.credit_code_for("320102", serial)
        assert uscc.is_valid(code), code
        assert code[:2] == "92" and code[2:8] == "320102" and code[8:10] == "MA"
        assert codes.organisation_check(code[8:16]) == code[16]
        seen.add(code)
    assert len(seen) == 2001


def test_sequences_hand_out_each_number_once(quanke):
    with quanke.db.session() as session:
        values = [codes.next_value(session, "uscc:320102") for _ in range(5)]
    assert values == [1, 2, 3, 4, 5]


def test_demo_register_is_large_plausible_and_idempotent(quanke):
    added = demo.load(quanke, scale="demo", progress=False)
    assert added == demo.SIZES["demo"] >= 3000
    with quanke.db.session() as session:
        rows = session.scalars(select(RegisteredBusiness).limit(300)).all()
        total = session.scalar(select(func.count(RegisteredBusiness.id)))
        keys = session.scalar(select(func.count(func.distinct(RegisteredBusiness.name_key))))
    assert total == keys == added
    for row in rows:
        assert uscc.is_valid(row.credit_code)
        assert row.name == "南京市玄武区" + row.trade_name + row.industry + row.name_form
        assert names.forbidden_message(row.name_key) is None
        assert row.street in demo.ROADS and any(road in row.address for road in demo.ROADS[row.street])
    assert demo.load(quanke, scale="demo", progress=False) == 0


def test_demo_citizens_operate_the_first_businesses(quanke):
    from core.ops.demo import CITIZENS
    demo.load(quanke, count=50, progress=False)
    with quanke.db.session() as session:
        operators = set(session.scalars(select(RegisteredBusiness.operator_id_number)))
    assert {number for _phone, _name, number in CITIZENS} <= operators


def test_the_plugin_passes_the_contract(quanke):
    check_plugin("business_license", quanke)


def test_catch_up_processes_an_approval_the_event_hook_missed(flow, bl_world, monkeypatch):
    """As if the process died between the commit and the hook: the scheduled job catches up."""
    quanke = flow.quanke
    monkeypatch.setattr(events, "handle", lambda quanke, event: None)
    app = flow.register(issue=False)
    assert flow.business(app.id) is None
    monkeypatch.undo()
    assert events.process_decisions(quanke) == 1
    assert flow.business(app.id) is not None
    assert events.process_decisions(quanke) == 0
    assert approval.issue(quanke, bl_world.approver, app.id).state == "issued"


def test_check_config_reports_a_bad_division_code(quanke):
    from plugins.business_license import plugin
    assert plugin.check_config(quanke=quanke) == []
    quanke.config["BL_DIVISION_CODE"] = "3201"
    quanke.config["BL_ROUTINE_INSPECTION_DAYS"] = "soon"
    problems = plugin.check_config(quanke=quanke)
    assert any("BL_DIVISION_CODE 应为6位行政区划代码" in p for p in problems)
    assert any("BL_ROUTINE_INSPECTION_DAYS 应为正整数" in p for p in problems)
