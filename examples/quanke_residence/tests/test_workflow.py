"""居住证明 through every state with a community approver, and its checks."""
import datetime as dt

import pytest
from quanke_residence.jobs import record_issued
from quanke_residence.plugin import DEPARTMENT, SERVICE

from core.api import (
    Forbidden,
    Outcome,
    State,
    User,
    accept,
    approve,
    claim,
    deliver,
    department_queue,
    departments_for,
    drive_to,
    file_at_counter,
    issue,
    preview_checks,
    search_services,
    today,
    validate_form,
)

OTHER_STATES = ["draft", "correction_requested", "not_accepted", "withdrawn", "rejected",
                "accepted+paused", "in_review+paused"]


def _form(world, **changes):
    form = dict(SERVICE.example)
    form.update(changes)
    return form


def _checks(quanke, app_id):
    return {code: r for code, _, r in preview_checks(quanke, app_id)}


def test_counter_to_community_approver_to_delivery(world):
    quanke = world.quanke
    assert search_services(quanke.plugins.services.values(), "jzzm", channel="remote")[0].code \
        == SERVICE.code                                                 # portal, by pinyin initials
    app = file_at_counter(world, SERVICE.code)                          # 全科窗口
    app = accept(quanke, world.acceptor, app.id)
    with quanke.db.session() as session:                                # 社区居委会的审批队列
        approver = session.get(User, world.approver.id)
        assert departments_for(approver) == [DEPARTMENT[0]]
        waiting, _ = department_queue(session, DEPARTMENT[0], status="waiting")
        assert [a.id for a in waiting] == [app.id]
    for state, step in [
        (State.IN_REVIEW, lambda a: claim(quanke, world.approver, a.id)),
        (State.APPROVED, lambda a: approve(quanke, world.approver, a.id)),
        (State.ISSUED, lambda a: issue(quanke, world.approver, a.id)),
        (State.DELIVERED, lambda a: deliver(quanke, world.counter, a.id,
                                                     recipient_id_number=a.applicant.id_number)),
    ]:
        app = step(app)
        assert app.state == state.value


def test_every_other_state_is_reachable(world):
    for state in OTHER_STATES:
        app = drive_to(world, state, SERVICE.code)
        assert app.state == state.partition("+")[0], state


def test_an_approver_of_another_department_cannot_claim(world):
    app = drive_to(world, "accepted", SERVICE.code)
    with pytest.raises(Forbidden):
        claim(world.quanke, world.approver_other, app.id)


def test_residence_permit_needs_six_months_school_twelve(world):
    quanke = world.quanke
    recent = (today() - dt.timedelta(days=70)).isoformat()
    permit = file_at_counter(world, SERVICE.code, form=_form(world, since=recent))
    assert _checks(quanke, permit.id)["residence.duration"].outcome is Outcome.BLOCK
    school = file_at_counter(world, SERVICE.code, form=_form(world, since=recent, purpose="school"))
    assert _checks(quanke, school.id)["residence.duration"].outcome is Outcome.WARN
    work = file_at_counter(world, SERVICE.code, form=_form(world, since=recent, purpose="employment"))
    assert _checks(quanke, work.id)["residence.duration"].outcome is Outcome.PASS


def test_issued_certificates_are_registered_once_and_a_repeat_is_flagged(world):
    quanke = world.quanke
    drive_to(world, "issued", SERVICE.code)
    assert record_issued(quanke) == 1 and record_issued(quanke) == 0
    again = file_at_counter(world, SERVICE.code)
    repeat = _checks(quanke, again.id)["residence.repeat"]
    assert repeat.outcome is Outcome.WARN and repeat.hit


def test_the_form_explains_what_is_wrong_in_chinese(world):
    from core.api import InvalidInput
    with pytest.raises(InvalidInput) as err:
        validate_form(SERVICE, _form(world, purpose="other", purpose_other="",
                                              since=(today() + dt.timedelta(days=3)).isoformat()))
    fields = err.value.details["fields"]
    assert fields["purpose_other"] == ["用途选“其他”时，请说明具体用途"]
    assert fields["since"] == ["起始居住日期不能晚于今天"]
