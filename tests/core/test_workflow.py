"""Workflow behaviour a counter worker or approver would notice."""
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from core.platform.clock import today as local_today  # 北京时间: the service day, not the machine's UTC date
from core import acceptance, approval, deadlines
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.acceptance.uploads import Upload
from core.platform.models import Application, CheckEvidence, ClockPause
from core.contract.services import CheckResult
from core.testing import drive_to, file_at_counter, seed_world, snapshot

from core.testing import TINY_PNG as PNG  # a real image: uploads are re-encoded


def count_apps(quanke):
    with quanke.db.session() as s:
        return s.scalar(select(func.count(Application.id)))


def test_counter_filing_records_who_for_whom_and_consent(world):
    app = file_at_counter(world)
    assert app.state == "submitted"
    assert app.filed_by_id == world.counter.id and app.on_behalf
    assert app.consent_text == "申请人当面同意" and app.consent_at is not None
    assert app.citizen_id == world.citizen.id


def test_filing_without_consent_is_refused_and_nothing_saved(world):
    before = count_apps(world.quanke)
    with pytest.raises(InvalidInput) as err:
        acceptance.file_application(world.quanke, world.counter, service_code="sample.permit",
                                  applicant_id=world.citizen.applicant_id,
                                  form_data={"purpose": "开办示例"}, paper=["id_proof"])
    assert err.value.code == "consent_required"
    assert count_apps(world.quanke) == before


def test_unknown_service_and_bad_form_are_clear_errors(world):
    with pytest.raises(NotFound) as err:
        acceptance.file_application(world.quanke, world.counter, service_code="nope.nothing",
                                  applicant_id=world.citizen.applicant_id, form_data={},
                                  consent=True)
    assert err.value.code == "unknown_service" and "未知的办事事项" in err.value.message
    with pytest.raises(InvalidInput) as err:
        acceptance.file_application(world.quanke, world.counter, service_code="sample.permit",
                                  applicant_id=world.citizen.applicant_id,
                                  form_data={"purpose": ""}, consent=True)
    assert err.value.code == "invalid_form"
    assert "purpose" in err.value.details["fields"]
    assert count_apps(world.quanke) == 0


def test_same_idempotency_key_twice_creates_one_application(world):
    kwargs = dict(service_code="sample.permit", applicant_id=world.citizen.applicant_id,
                  form_data={"purpose": "开办示例"}, paper=["id_proof"], consent=True,
                  idempotency_key="form-abc-123")
    first = acceptance.file_application(world.quanke, world.counter, **kwargs)
    second = acceptance.file_application(world.quanke, world.counter, **kwargs)
    assert first.id == second.id
    assert count_apps(world.quanke) == 1
    with pytest.raises(Conflict):  # someone else reusing the key gets nothing of the first
        acceptance.file_application(world.quanke, world.counter_b, **kwargs)


def test_oversized_or_wrong_type_material_is_refused_and_nothing_saved(world):
    quanke = world.quanke
    big = Upload("photo", "big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 300_000)
    fake = Upload("photo", "photo.png", b"MZ\x90\x00 not an image")
    for upload, code in ((big, "material_too_large"), (fake, "material_type_not_allowed")):
        with pytest.raises(InvalidInput) as err:
            acceptance.file_application(quanke, world.counter, service_code="sample.permit",
                                      applicant_id=world.citizen.applicant_id,
                                      form_data={"purpose": "开办示例"}, paper=["id_proof"],
                                      uploads=[upload], consent=True)
        assert err.value.code == code and "照片" in err.value.message
    assert count_apps(quanke) == 0
    ok = acceptance.file_application(quanke, world.counter, service_code="sample.permit",
                                   applicant_id=world.citizen.applicant_id,
                                   form_data={"purpose": "开办示例"}, paper=["id_proof"],
                                   uploads=[Upload("photo", "p.png", PNG)], consent=True)
    scan = [m for m in ok.materials if m.code == "photo"][0]
    # stored encrypted under a keyed name (HMAC-SM3, 32 hex), not the bare sha256 (issue 18)
    assert scan.status == "scan" and scan.content_type == "image/png" and len(scan.sha256) == 32


def test_accept_needs_complete_materials_and_return_lists_every_gap(world):
    quanke = world.quanke
    app = file_at_counter(world, paper=[])
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, world.counter, app.id)
    assert err.value.code == "materials_missing" and "身份证明" in err.value.message
    returned = acceptance.return_for_correction(quanke, world.counter, app.id,
                                              defects={"photo": "照片背景不是白色"})
    assert returned.state == "correction_requested"
    with quanke.db.session() as s:
        decision = s.get(Application, app.id).decisions[-1]
        names = {g["name"]: g["reason"] for g in decision.gaps}
    assert names == {"身份证明": "未提交", "照片": "照片背景不是白色"}
    assert decision.correction_due > local_today()


def test_receipt_numbers_are_per_centre_and_day(world):
    quanke = world.quanke
    at = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)
    numbers = []
    for who in ("counter", "counter", "counter_b"):
        app = file_at_counter(world, by=who)
        numbers.append(acceptance.accept(quanke, world.users[who], app.id, at=at).receipt_no)
    assert numbers == ["T01-20260302-0001", "T01-20260302-0002", "T02-20260302-0001"]


def test_warning_needs_a_recorded_reason_and_block_stops_acceptance(world):
    quanke = world.quanke
    warned = file_at_counter(world, form={"purpose": "需要提示的用途"})
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, world.counter, warned.id)
    assert err.value.code == "warn_reason_required"
    accepted = acceptance.accept(quanke, world.counter, warned.id, warn_reason="已核实，可以受理")
    assert accepted.warn_reason == "已核实，可以受理"
    blocked = file_at_counter(world, form={"purpose": "禁止的用途"})
    before = snapshot(quanke, blocked.id)
    with pytest.raises(Forbidden) as err:
        acceptance.accept(quanke, world.counter, blocked.id)
    assert err.value.code == "checks_blocked" and "禁止" in err.value.message
    assert snapshot(quanke, blocked.id) == before


def test_evidence_is_stored_and_changes_since_acceptance_are_shown(world):
    quanke = world.quanke
    app = drive_to(world, "in_review")
    with quanke.db.session() as s:
        ev = s.scalars(select(CheckEvidence).where(CheckEvidence.application_id == app.id)).all()
    assert [(e.phase, e.check_code, e.outcome) for e in ev] == [("acceptance", "sample.purpose", "pass")]
    assert ev[0].queried_at is not None and ev[0].reasons == ["用途正常"]
    # the applicant's situation changes after acceptance: the check now warns
    check = quanke.service("sample.permit").checks[0]
    original = check.run
    object.__setattr__(check, "run", lambda ctx: CheckResult.warn("新出现的提示"))
    try:
        changes = approval.recheck(quanke, world.approver, app.id)
    finally:
        object.__setattr__(check, "run", original)
    assert changes == [{"check": "sample.purpose", "name": "用途核查", "before": "pass",
                        "after": "warn", "reasons": ["新出现的提示"],
                        "list_version_before": None, "list_version_after": None}]


def test_segregation_of_duties_even_with_both_roles(world):
    quanke = world.quanke
    app = file_at_counter(world, by="acceptor")
    acceptance.accept(quanke, world.acceptor, app.id)
    with pytest.raises(Forbidden) as err:
        approval.claim(quanke, world.acceptor, app.id)
    assert err.value.code == "segregation_of_duties"
    with pytest.raises(Forbidden):
        approval.assign(quanke, world.lead, app.id, approver_id=world.acceptor.id)
    assert approval.claim(quanke, world.approver, app.id).claimed_by_id == world.approver.id


def test_pause_resume_and_one_extension_explain_the_due_date(world):
    quanke = world.quanke
    app = drive_to(world, "in_review")
    with quanke.db.session() as s:
        row = s.get(Application, app.id)
        row.accepted_at = dt.datetime(2025, 9, 26, 2, 0, tzinfo=dt.timezone.utc)  # Fri before National Day
        row.due_date = dt.date(2025, 10, 10)
    paused = approval.pause(quanke, world.approver, app.id, reason="等待现场核查")
    assert paused.paused
    with quanke.db.session() as s:  # the pause lasted from 9-29 to 9-30 (one working day)
        pause = s.scalars(select(ClockPause).where(ClockPause.application_id == app.id)).one()
        pause.started_at = dt.datetime(2025, 9, 29, 2, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(Forbidden):
        approval.resume(quanke, world.approver2, app.id)
    resumed = approval.resume(quanke, world.approver, app.id)
    # resumed "now": the due date moved by the paused working days up to today
    assert resumed.due_date > dt.date(2025, 10, 10)
    with pytest.raises(Forbidden):
        approval.extend(quanke, world.approver, app.id, days=3, reason="复杂")
    with pytest.raises(InvalidInput) as err:
        approval.extend(quanke, world.lead, app.id, days=3, reason="  ")
    assert err.value.code == "reasons_required"
    extended = approval.extend(quanke, world.lead, app.id, days=3, reason="需补充专家论证")
    assert extended.extension_days == 3
    with pytest.raises(InvalidState) as err:
        approval.extend(quanke, world.lead, app.id, days=2, reason="再延长")
    assert err.value.code == "already_extended"
    with quanke.db.session() as s:
        lines = deadlines.due_date_explanation(quanke, s, s.get(Application, app.id)).lines()
    text = "\n".join(lines)
    assert "受理日期：2025年9月26日" in text
    assert "国庆节" in text and "调休上班计入：2025年9月28日" in text
    assert "中止计时" in text and "等待现场核查" in text
    assert "延长：3个工作日" in text and "需补充专家论证" in text


def test_remote_submit_waits_for_identity_steps(quanke):
    from core.contract.services import ServiceDef
    world = seed_world(quanke)
    svc = quanke.service("sample.permit")
    strict = ServiceDef(**{**svc.__dict__, "code": "sample.strict", "identity": frozenset({"sms"})})
    quanke.plugins.services[strict.code] = strict
    draft = acceptance.file_application(quanke, world.citizen, service_code=strict.code,
                                      applicant_id=world.citizen.applicant_id,
                                      form_data={"purpose": "网上申请"})
    assert draft.state == "draft"
    with pytest.raises(InvalidState) as err:
        acceptance.submit_application(quanke, world.citizen, draft.id)
    assert err.value.code == "identity_required" and "短信验证码" in err.value.message
    acceptance.record_identity_step(quanke, world.citizen, draft.id, "sms", evidence={"code": "ok"})
    assert acceptance.submit_application(quanke, world.citizen, draft.id).state == "submitted"


def test_citizen_cannot_file_for_someone_else(world):
    with pytest.raises(Forbidden):
        acceptance.file_application(world.quanke, world.citizen, service_code="sample.permit",
                                  applicant_id=world.other_citizen.applicant_id,
                                  form_data={"purpose": "替别人申请"})


def test_delivery_at_another_centre_rechecks_identity(world):
    quanke = world.quanke
    app = drive_to(world, "issued")
    with pytest.raises(Forbidden) as err:
        acceptance.deliver(quanke, world.counter_b, app.id, recipient_id_number="110105194912310021")
    assert err.value.code == "recipient_mismatch"
    done = acceptance.deliver(quanke, world.counter_b, app.id,
                            recipient_id_number=app.applicant.id_number)
    assert done.state == "delivered"
    with quanke.db.session() as s:
        from core.platform.models import Delivery
        delivery = s.scalars(select(Delivery).where(Delivery.application_id == app.id)).one()
    assert delivery.centre_id == world.other_centre.id and delivery.identity_checked


@pytest.mark.postgres
def test_two_approvers_claiming_at_once_one_wins(pg_quanke):
    world = seed_world(pg_quanke)
    for _ in range(5):
        app = drive_to(world, "accepted")
        results, barrier = [], threading.Barrier(2)

        def attempt(user):
            barrier.wait()
            try:
                approval.claim(pg_quanke, user, app.id)
                results.append(("won", user.id))
            except Conflict as exc:
                results.append((exc.code, user.id))

        threads = [threading.Thread(target=attempt, args=(u,)) for u in (world.approver, world.approver2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r[0] for r in results) == ["already_claimed", "won"]
        with pg_quanke.db.session() as s:
            claimed = s.get(Application, app.id).claimed_by_id
        assert ("won", claimed) in results


@pytest.mark.postgres
def test_concurrent_acceptances_get_distinct_receipt_numbers(pg_quanke):
    world = seed_world(pg_quanke)
    apps = [file_at_counter(world) for _ in range(12)]
    errors = []

    def accept(app_id):
        try:
            acceptance.accept(pg_quanke, world.counter, app_id)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(a.id,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with pg_quanke.db.session() as s:
        numbers = s.scalars(select(Application.receipt_no)).all()
    assert len(set(numbers)) == 12
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 13))
