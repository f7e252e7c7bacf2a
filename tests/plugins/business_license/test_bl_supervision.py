"""批管同步: the daily push, the feed, inspection tasks, and commitment → broken → revocation."""
import datetime as dt

import pytest
from sqlalchemy import select

from core import acceptance
from core.credit import Commitment, CreditRecord
from core.deadlines import add_working_days
from core.papers import issuance
from core.platform.clock import local_date
from core.platform.clock import (
    today as local_today,  # 北京时间: the service day, not the machine's UTC date
)
from core.platform.errors import Forbidden, InvalidInput, InvalidState
from core.platform.models import Document, OutboxMessage
from plugins.business_license.domain import filing, inspections, supervision
from plugins.business_license.domain.lookups import FOOD_PERMIT, REGISTRATION
from plugins.business_license.models import (
    FoodPermit,
    InspectionTask,
    RegisteredBusiness,
    SupervisionRecord,
)

PAPER = ["operator_id", "premises_proof", "food_commitment", "layout_plan"]


def _licence_and_permit(flow, bl_world):
    applicant = flow.person()
    form = {**flow.registration_form(applicant), **flow.food_form()}
    joint = filing.file_joint(flow.quanke, bl_world.counter, applicant_id=applicant.id, form_data=form,
                              paper=PAPER, consent=True)
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, joint.bundle.reference)
    registration = flow.decide(joint.registration)
    permit = flow.decide(joint.permit, approver="food_approver")
    return registration, permit


def _tasks(flow):
    with flow.quanke.db.session() as session:
        return {t.kind: t for t in session.scalars(select(InspectionTask))}


def test_daily_push_feeds_approvals_and_creates_tasks_once(flow, bl_world):
    registration, permit = _licence_and_permit(flow, bl_world)
    result = supervision.daily_push(flow.quanke)
    assert result["pushed"] == 2 and result["tasks"] == 2
    tasks = _tasks(flow)
    routine, verify = tasks["routine"], tasks["permit_commitment"]
    assert routine.team == "新街口街道综合行政执法队" and routine.street == "xinjiekou"
    assert routine.department_code == "market_regulation" and verify.department_code == "food_safety"
    decided = local_date(permit.decided_at)
    with flow.quanke.db.session() as session:
        expected = add_working_days(flow.quanke.calendar(session), decided, 20)
        feed, total = supervision.feed(session)
    assert verify.due_date == expected and verify.commitment_id is not None
    assert routine.due_date == local_date(registration.decided_at) + dt.timedelta(days=60)
    assert total == 2 and {row["kind"] for row in feed} == {"registration", "food_permit"}
    permit_row = next(r for r in feed if r["kind"] == "food_permit")
    assert permit_row["by_commitment"] and permit_row["permit_no"].startswith("JY")
    # Idempotent: the second run pushes nothing and creates no task.
    again = supervision.daily_push(flow.quanke)
    assert again["pushed"] == 0 and again["tasks"] == 0 and flow.count(InspectionTask) == 2


def test_a_push_for_an_earlier_day_leaves_later_approvals_for_later(flow):
    flow.register()
    result = supervision.daily_push(flow.quanke, day=local_today() - dt.timedelta(days=2))
    assert result["pushed"] == 0 and flow.count(SupervisionRecord) == 0


def test_premises_commitment_creates_a_verification_task(flow):
    app = flow.file(REGISTRATION, flow.registration_form(),
                    paper=["operator_id", "premises_commitment"])
    flow.decide(app)
    supervision.daily_push(flow.quanke)
    tasks = _tasks(flow)
    assert set(tasks) == {"routine", "premises_commitment"}


def test_kept_commitment_closes_the_task(flow, bl_world):
    _licence_and_permit(flow, bl_world)
    supervision.daily_push(flow.quanke)
    task = _tasks(flow)["permit_commitment"]
    closed = inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="kept",
                                       note="现场与承诺一致")
    assert closed.status == "kept" and closed.closed_at is not None
    with flow.quanke.db.session() as session:
        assert session.get(Commitment, task.commitment_id).status == "kept"
        assert session.scalar(select(FoodPermit.status)) == "valid"
    with pytest.raises(InvalidState):
        inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="kept")


def test_who_may_record_a_commitment_finding_and_bad_input_changes_nothing(flow, bl_world):
    quanke = flow.quanke
    _licence_and_permit(flow, bl_world)
    supervision.daily_push(quanke)
    task = _tasks(flow)["permit_commitment"]
    # Who approved does not verify (审管分离); bad input changes nothing.
    for not_inspector in (bl_world.food_approver, bl_world.inspector):  # the other department's
        with pytest.raises(Forbidden):
            inspections.record_result(quanke, not_inspector, task.id, outcome="false",
                                      note="后厨无冷藏设施，与承诺不符")
    with pytest.raises(InvalidInput) as err:
        inspections.record_result(quanke, bl_world.food_lead, task.id, outcome="false", note="")
    assert err.value.field == "note"
    with pytest.raises(InvalidInput) as err:
        inspections.record_result(quanke, bl_world.food_lead, task.id, outcome="maybe")
    assert err.value.field == "outcome"
    assert _tasks(flow)["permit_commitment"].status == "open"


def test_a_false_commitment_revokes_the_permit_records_credit_and_notifies(flow, bl_world):
    """A commitment found untrue (not merely unmet) is revoked without a period to correct
    (行政许可法第六十九条); see test_bl_rectification for the order-to-correct path."""
    quanke = flow.quanke
    _registration, permit = _licence_and_permit(flow, bl_world)
    supervision.daily_push(quanke)
    task = _tasks(flow)["permit_commitment"]
    inspections.record_result(quanke, bl_world.food_inspector, task.id, outcome="false",
                              note="承诺的后厨和冷藏设施并不存在，经营场所为空置商铺")
    with quanke.db.session() as session:
        certificate = session.scalar(select(Document).where(Document.application_id == permit.id,
                                                            Document.kind == "certificate"))
        found = issuance.lookup(session, certificate.verification_code)
        row = session.scalar(select(FoodPermit))
        commitment = session.get(Commitment, task.commitment_id)
        record = session.get(CreditRecord, commitment.credit_record_id)
        notices = [m for m in session.scalars(select(OutboxMessage).where(   # recipients are encrypted
            OutboxMessage.recipient_kind == "department", OutboxMessage.event == "bl_inspection_broken"))
            if m.recipient == "market_regulation"]
        operator = session.scalar(select(RegisteredBusiness.operator_id_number))
    assert found.status == "revoked" and found.public()["revoked_on"]
    assert row.status == "revoked" and "经营场所为空置商铺" in row.status_reason
    assert commitment.status == "broken"
    assert record.subject_id == operator and record.level == "general"
    assert record.source_department == "区市场监督管理局食品经营许可科"
    assert len(notices) == 1 and "食品经营许可已撤销" in notices[0].body


def test_after_a_broken_commitment_the_operator_is_warned_and_the_commitment_path_closed(flow, bl_world):
    quanke = flow.quanke
    _licence_and_permit(flow, bl_world)
    supervision.daily_push(quanke)
    task = _tasks(flow)["permit_commitment"]
    inspections.record_result(quanke, bl_world.food_lead, task.id, outcome="false",
                              note="实际经营面积仅8平方米，无独立后厨")
    # A second permit application under commitment is refused on the field ...
    with quanke.db.session() as session:
        code = session.scalar(select(RegisteredBusiness.credit_code))
    with pytest.raises(InvalidInput) as err:
        flow.file(FOOD_PERMIT, flow.food_form(credit_code=code, food_category="catering"))
    assert "三年内不得适用告知承诺制" in err.value.details["fields"]["food_commitment"][0]
    # ... and a new registration meets the credit record as a warning (general level).
    app = flow.file(REGISTRATION, flow.registration_form(trade_name="聚福", industry="百货", name_form="店",
                                                         scopes=["general_retail"]))
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, bl_world.counter, app.id)
    assert err.value.code == "warn_reason_required"


def test_broken_premises_commitment_lists_the_business_as_abnormal(flow, bl_world):
    app = flow.file(REGISTRATION, flow.registration_form(),
                    paper=["operator_id", "premises_commitment"])
    flow.decide(app)
    supervision.daily_push(flow.quanke)
    task = _tasks(flow)["premises_commitment"]
    inspections.record_result(flow.quanke, bl_world.inspector, task.id, outcome="false",
                              note="该地址为住宅，无法开展餐饮经营")
    business = flow.business(app.id)
    assert business.abnormal and "无法开展餐饮经营" in business.abnormal_reason
    with flow.quanke.db.session() as session:
        certificate = session.scalar(select(Document).where(Document.application_id == app.id,
                                                            Document.kind == "certificate"))
    assert certificate.status == "valid"  # the licence itself stands; the business is listed abnormal


def test_routine_inspection_and_who_may_record(flow, bl_world):
    flow.register()
    supervision.daily_push(flow.quanke)
    task = _tasks(flow)["routine"]
    with pytest.raises(Forbidden):
        inspections.record_result(flow.quanke, bl_world.counter, task.id, outcome="normal")
    with pytest.raises(Forbidden):  # food-safety staff do not inspect for market regulation
        inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="normal")
    with pytest.raises(Forbidden):  # approvers do not inspect (审管分离)
        inspections.record_result(flow.quanke, bl_world.approver, task.id, outcome="normal")
    done = inspections.record_result(flow.quanke, bl_world.inspector, task.id, outcome="problem",
                                     note="未在醒目位置悬挂营业执照")
    assert done.status == "done"


def test_deregistration_cancels_open_tasks_and_the_permit(flow, bl_world):
    registration, permit = _licence_and_permit(flow, bl_world)
    supervision.daily_push(flow.quanke)
    code = flow.business(registration.id).credit_code
    from plugins.business_license.domain.lookups import DEREGISTRATION
    dereg = flow.decide(flow.file(DEREGISTRATION, {"credit_code": code, "reason": "closing", "settled": True}))
    with flow.quanke.db.session() as session:
        statuses = {t.kind: t.status for t in session.scalars(select(InspectionTask))}
        permit_row = session.scalar(select(FoodPermit))
        permit_doc = session.scalar(select(Document).where(Document.application_id == permit.id,
                                                           Document.kind == "certificate"))
    assert statuses == {"routine": "cancelled", "permit_commitment": "cancelled"}
    assert permit_row.status == "cancelled" and permit_doc.status == "superseded"
    result = supervision.daily_push(flow.quanke)
    assert result["pushed"] == 1 and result["tasks"] == 0
    assert dereg.state == "issued"


def test_push_from_the_command_line(flow, bl_world):
    from click.testing import CliRunner

    from core.ops.cli import main
    flow.register()
    env = {"DATABASE_URL": flow.quanke.db.url, "QUANKE_INSTANCE_PATH": flow.quanke.config["INSTANCE_PATH"]}
    bad = CliRunner().invoke(main, ["business-license", "push-supervision", "--day", "2026-13-01"], env=env)
    assert bad.exit_code != 0 and "日期格式应为 YYYY-MM-DD" in bad.output
    ok = CliRunner().invoke(main, ["business-license", "push-supervision"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "推送 1 条核准结果，生成 1 项核查任务" in ok.output
    again = CliRunner().invoke(main, ["business-license", "push-supervision"], env=env)
    assert "推送 0 条核准结果" in again.output


def test_menu_links_follow_the_roles(bl_world):
    from plugins.business_license.views import menu_for
    counter = {link["label"] for link in menu_for(bl_world.counter)}
    approver = {link["label"] for link in menu_for(bl_world.approver)}
    assert "证照联办（执照+食品许可）" in counter and "批管同步·核查任务" not in counter
    assert "批管同步·核查任务" in approver and "证照联办（执照+食品许可）" not in approver
    assert menu_for(bl_world.citizen) is None
