"""Bad input on the application form: a clear Chinese error on the right field, nothing saved."""
import datetime as dt

import pytest

from core.platform.clock import today
from core.platform.errors import InvalidInput
from core.platform.models import Application
from core.contract.services import validate_service

SERVICE = "legal_aid.application"


def _refused(la, **overrides) -> dict:
    before, audit_before = la.count(Application), la.audit_count()
    with pytest.raises(InvalidInput) as err:
        la.file(**overrides)
    assert err.value.code == "invalid_form"
    assert la.count(Application) == before and la.audit_count() == audit_before
    return err.value.details["fields"]


def test_the_declaration_is_valid_and_uses_calendar_days(la):
    service = la.quanke.service(SERVICE)
    assert validate_service(service, set(la.quanke.plugins.departments)) == []
    # Art. 43: decide within 7 days of receipt, counted in calendar days (our configuration).
    assert (service.deadline_working_days, service.deadline_counting) == (7, "calendar_days")
    assert {"integrity_commitment": "income_proof"} == {
        m.code: m.alternative_to for m in service.materials if m.alternative_to}


def test_negative_income(la):
    fields = _refused(la, household="本人,测试citizen,-100")
    assert "第1行：月收入不能为负数" in fields["household"][0]


def test_missing_income(la):
    fields = _refused(la, household="本人,测试citizen,1800\n配偶,王某某")
    assert "第2行：缺少月收入" in fields["household"][0]


def test_household_of_zero(la):
    fields = _refused(la, household="  \n ")
    assert "家庭成员" in fields["household"][0]


def test_missing_savings_and_negative_savings(la):
    assert "请填写家庭存款" in _refused(la, savings="")["savings"][0]
    assert "负数" in _refused(la, savings="-1")["savings"][0]


def test_unknown_category(la):
    fields = _refused(la, category="divorce")
    assert "不属于法律援助的范围" in fields["category"][0] and "第三十一条" in fields["category"][0]


def test_dates_in_the_future(la):
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    assert "事由发生日期不能晚于今天" in _refused(la, incident_date=tomorrow)["incident_date"]
    assert "申请日期不能晚于今天" in _refused(la, application_date=tomorrow)["application_date"]


def test_a_long_backdated_application_date(la):
    fields = _refused(la, application_date=(today() - dt.timedelta(days=31)).isoformat())
    assert "30日" in fields["application_date"][0]


def test_injury_needs_its_kind_and_urgency_needs_its_reason(la):
    assert "事故类型" in _refused(la, category="injury")["injury_kind"][0]
    assert "紧急情形" in _refused(la, urgent="y")["urgent_reason"][0]
    far = (today() + dt.timedelta(days=9)).isoformat()
    fields = _refused(la, urgent="y", urgent_reason="limitation", urgent_deadline=far)
    assert "不足7日" in fields["urgent_deadline"][0] and "第四十四条" in fields["urgent_deadline"][0]


def test_bad_opposing_party_id_and_area_code(la):
    assert "证件号码无效" in _refused(la, opposing_party_id="123")["opposing_party_id"][0]
    assert "6位" in _refused(la, area_code="3201")["area_code"][0]


def test_good_application_is_filed_with_the_household_as_written(la):
    app = la.file(household="本人,测试citizen,1800\n配偶，王某某，1500.50", injury_kind="")
    assert app.state == "submitted"
    assert app.form_data["household"].splitlines()[1] == "配偶，王某某，1500.50"
    assert app.form_data["application_date"] == today().isoformat()
