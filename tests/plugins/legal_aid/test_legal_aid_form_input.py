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


@pytest.mark.parametrize("field,value,code", [
    ("application_date", (today() - dt.timedelta(days=30)).isoformat(), "receipt_date_not_allowed"),
    ("application_date", today().isoformat(), "receipt_date_not_allowed"),
    ("area_code", "320113", "area_code_not_allowed"),
])
def test_the_receipt_date_and_area_cannot_be_typed(la, field, value, code):
    """An API client back-dating the application (or picking the area whose standard applies)
    gets a clear Chinese error with a stable code, and nothing is saved."""
    before, audit_before = la.count(Application), la.audit_count()
    with pytest.raises(InvalidInput) as err:
        la.file(**{field: value})
    assert err.value.code == code and err.value.field == field
    assert "系统" in err.value.message or "服务中心" in err.value.message
    assert "第四十三条" in err.value.message or "第三十四条" in err.value.message
    assert la.count(Application) == before and la.audit_count() == audit_before


def test_injury_needs_its_kind_and_urgency_needs_its_reason(la):
    assert "事故类型" in _refused(la, category="injury")["injury_kind"][0]
    assert "紧急情形" in _refused(la, urgent="y")["urgent_reason"][0]
    far = (today() + dt.timedelta(days=9)).isoformat()
    fields = _refused(la, urgent="y", urgent_reason="limitation", urgent_deadline=far)
    assert "不足7日" in fields["urgent_deadline"][0] and "第四十四条" in fields["urgent_deadline"][0]


def test_bad_opposing_party_id(la):
    assert "证件号码无效" in _refused(la, opposing_party_id="123")["opposing_party_id"][0]


def test_an_art32_matter_needs_no_household_but_a_means_tested_one_does(la):
    app = la.file(category="abuse_victim", household="", savings="")
    assert app.state == "submitted"
    fields = _refused(la, household="", savings="")
    assert "家庭成员" in fields["household"][0] and "家庭存款" in fields["savings"][0]


def test_art32_item5_needs_the_provision(la):
    fields = _refused(la, category="other_no_means_test")
    assert "第三十二条第（五）项" in fields["other_basis"][0]


def test_good_application_is_filed_with_the_household_as_written(la):
    app = la.file(household="本人,测试citizen,1800\n配偶，王某某，1500.50", injury_kind="")
    assert app.state == "submitted"
    assert app.form_data["household"].splitlines()[1] == "配偶，王某某，1500.50"
    # the day of receipt and the area are the system's, not part of what was typed
    assert "application_date" not in app.form_data and "area_code" not in app.form_data
    assert app.submitted_at is not None


def test_art42_item4_needs_the_provision(la):
    fields = _refused(la, status="other_statutory")
    assert "第四十二条第（四）项" in fields["status_basis"][0]
