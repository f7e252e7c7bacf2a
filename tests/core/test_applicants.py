import pytest
from sqlalchemy import func, select

from core.people import applicants
from core.ops.demo import valid_resident_id
from core.platform.errors import InvalidInput
from core.platform.models import Applicant


def _count(quanke):
    with quanke.db.session() as s:
        return s.scalar(select(func.count(Applicant.id)))


def test_person_and_enterprise_are_registered_once(quanke):
    number = valid_resident_id("32010219900307123")
    with quanke.db.session() as s:
        person, warnings = applicants.register(s, kind="person", id_number=number.lower(),
                                               name="张三", phone="13800000009", actor="test")
        assert person.birth_date.year == 1990 and person.gender == "男" and warnings == []
        again, warnings = applicants.register(s, kind="person", id_number=number, name="张叁",
                                              actor="test")
        assert again.id == person.id and "不一致" in warnings[0]
        firm, _ = applicants.register(s, kind="enterprise", id_number="91110000600037341l",
                                      name="某某有限公司", actor="test")
        assert firm.id_number == "91110000600037341L"
    assert _count(quanke) == 2


@pytest.mark.parametrize("kind, number, name, phone, code", [
    ("person", "320102199003071230", "张三", "", "invalid_resident_id"),
    ("enterprise", "91110000600037341M", "公司", "", "invalid_credit_code"),
    ("person", valid_resident_id("32010219900307123"), "", "", "name_required"),
    ("person", valid_resident_id("32010219900307123"), "张三", "12345", "invalid_phone"),
    ("alien", "x", "x", "", "invalid_applicant_kind"),
])
def test_bad_applicant_data_is_refused_and_nothing_saved(quanke, kind, number, name, phone, code):
    with pytest.raises(InvalidInput) as err, quanke.db.session() as s:
        applicants.register(s, kind=kind, id_number=number, name=name, phone=phone, actor="t")
    assert err.value.code == code and err.value.message
    assert _count(quanke) == 0
