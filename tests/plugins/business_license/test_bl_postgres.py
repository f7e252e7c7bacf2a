"""On PostgreSQL: the JSON and upsert queries, the partial unique index, concurrent codes."""
import threading

import pytest
from sqlalchemy.exc import IntegrityError
from stdnum.cn import uscc

from core import acceptance
from core.platform.errors import Forbidden
from plugins.business_license.domain import codes, filing, supervision
from plugins.business_license.domain.lookups import REGISTRATION
from plugins.business_license.models import RegisteredBusiness


def test_registration_joint_and_push_on_postgres(pg_flow):
    flow, world = pg_flow, pg_flow.world
    first = flow.register()
    assert uscc.is_valid(flow.business(first.id).credit_code)
    applicant = flow.person("other_citizen")
    form = {**flow.registration_form(applicant, trade_name="聚福", phone="13900000002"), **flow.food_form()}
    joint = filing.file_joint(flow.quanke, world.counter, applicant_id=applicant.id, form_data=form,
                              paper=["operator_id", "premises_proof", "food_commitment", "layout_plan"],
                              consent=True)
    joint = filing.accept_bundle(flow.quanke, world.counter, joint.bundle.reference)
    flow.decide(joint.registration)
    flow.decide(joint.permit, approver="food_approver")
    result = supervision.daily_push(flow.quanke)
    assert result["pushed"] == 3 and result["tasks"] == 3


def test_pending_name_warns_through_the_json_path_on_postgres(pg_flow):
    flow, world = pg_flow, pg_flow.world
    first = acceptance.accept(flow.quanke, world.counter, flow.file(REGISTRATION, flow.registration_form()).id)
    other = flow.person("other_citizen")
    second = acceptance.file_application(flow.quanke, world.counter, service_code=REGISTRATION,
                                       applicant_id=other.id,
                                       form_data=flow.registration_form(other, phone="13900000002"),
                                       paper=["operator_id", "premises_proof"], consent=True)
    from core.platform.errors import InvalidInput
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(flow.quanke, world.counter, second.id)
    assert err.value.code == "warn_reason_required"
    flow.decide(first)
    with pytest.raises(Forbidden):  # now registered: the same name is blocked outright
        acceptance.accept(flow.quanke, world.counter, second.id, warn_reason="知悉")


def test_an_active_name_is_unique_in_the_database_itself(pg_flow):
    flow = pg_flow
    business = flow.business(flow.register().id)
    with pytest.raises(IntegrityError):
        with flow.quanke.db.session() as session:
            session.add(RegisteredBusiness(
                name=business.name, name_key=business.name_key, credit_code=codes.credit_code_for("320102", 9999),
                operator_id_number="320102199001010011", operator_name="某", address="某路1号",
                registered_on=business.registered_on, status="active"))


def test_concurrent_approvals_get_distinct_codes(pg_quanke):
    found, errors = [], []

    def assign():
        try:
            for _ in range(10):
                with pg_quanke.db.session() as session:
                    found.append(codes.assign_credit_code(session, "320102"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=assign) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(found) == 60 and len(set(found)) == 60
    assert all(uscc.is_valid(code) for code in found)


def test_a_taken_code_is_asked_for_again_in_a_savepoint_on_postgres(pg_flow):
    """The retry rolls back to a savepoint only: the rest of the registration's transaction
    (the commitment signed, the audit event) stands on PostgreSQL as on SQLite."""
    import datetime as dt

    flow = pg_flow
    with flow.quanke.db.session() as session:
        session.add(RegisteredBusiness(name="南京市玄武区旧户便利店", name_key="旧户便利店",
                                       credit_code=codes.credit_code_for("320102", 1),
                                       operator_id_number="320102199001010011", operator_name="某",
                                       address="某路1号", status="active", registered_on=dt.date(2020, 1, 1),
                                       source="import"))
    app = flow.file(REGISTRATION, flow.registration_form(), paper=["operator_id", "premises_commitment"])
    business = flow.business(flow.decide(app).id)
    assert business.credit_code == codes.credit_code_for("320102", 2)
    from core.credit import Commitment
    with flow.quanke.db.session() as session:
        assert session.query(Commitment).filter_by(application_id=app.id).count() == 1
