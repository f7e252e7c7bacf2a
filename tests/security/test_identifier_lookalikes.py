"""Look-alike digits never make a second identity (issue 22 #2).

The probe: ``٣20102199003071239`` (Arabic-Indic 3) passed the checksum and was stored beside
the real ``320102199003071239``; a superscript ``³`` ended in a 500.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.ops.demo import valid_resident_id
from core.platform.errors import InvalidInput
from core.platform.identifiers import normalise_phone, validate_credit_code, validate_resident_id
from core.platform.models import Applicant

REAL = "320102199003071239"


@pytest.fixture
def api(web, world):
    from core.people.tokens import create_token
    from core.platform.models import User
    with world.quanke.db.session() as session:
        token = create_token(session, session.get(User, world.users["counter"].id), name="t")
    client = web.test_client()

    def call(method, path, **kw):
        return getattr(client, method)(path, headers={"Authorization": f"Bearer {token}"}, **kw)
    return call


def _count(world, number):
    with world.quanke.db.session() as db:
        return db.scalar(select(func.count()).select_from(Applicant).where(Applicant.id_number_index == number))


def test_arabic_indic_digit_is_refused_not_a_second_person(api, world):
    assert api("post", "/api/v1/applicants", json={"kind": "person", "id_number": REAL, "name": "张三"}).status_code == 201
    r = api("post", "/api/v1/applicants", json={"kind": "person", "id_number": "٣" + REAL[1:], "name": "张三"})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_resident_id"
    assert "0-9" in r.get_json()["message"]
    with world.quanke.db.session() as db:
        # one person whose number ends like REAL: the real one, no look-alike beside it
        numbers = db.scalars(select(Applicant.id_number)).all()
        assert [n for n in numbers if n.endswith("20102199003071239")] == [REAL]
    r = api("get", "/api/v1/applicants", query_string={"id_number": "٣" + REAL[1:]})
    assert r.status_code == 400


@pytest.mark.parametrize("variant", ["³" + REAL[1:], "３２０１０２１９９００３０７１２３９", "3201 0219-9003 0712 39"])
def test_compatibility_digits_are_the_same_person(api, world, variant):
    first = api("post", "/api/v1/applicants", json={"kind": "person", "id_number": REAL, "name": "张三"})
    again = api("post", "/api/v1/applicants", json={"kind": "person", "id_number": variant, "name": "张三"})
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"] and _count(world, REAL) == 1


def test_superscript_digit_is_not_a_500_on_the_counter_check(web, world):
    from webtools import sign_in
    client = web.test_client()
    sign_in(client, f"u:{world.users['counter'].id}")
    r = client.get("/validate-id", query_string={"number": "¹²³" + REAL[3:]})
    assert r.status_code == 200 and r.get_json()["ok"] is False
    r = client.get("/validate-id", query_string={"number": "٣" + REAL[1:]})
    assert r.status_code == 200 and r.get_json()["error"] == "invalid_resident_id"


def test_core_normalises_before_every_check():
    assert validate_resident_id("３" + REAL[1:]).number == REAL
    assert validate_resident_id(" " + REAL + " ").number == REAL
    for bad in ("٣" + REAL[1:], "۳" + REAL[1:], REAL[:-1] + "\x00", "³" * 18):
        with pytest.raises(InvalidInput):
            validate_resident_id(bad)
    code = "91320102MA1XXXXXXX"
    with pytest.raises(InvalidInput) as exc:
        validate_credit_code("٩" + code[1:])
    assert exc.value.code == "invalid_credit_code"


def test_phones_are_ascii_digits(api, world):
    assert normalise_phone("１３８００１３８０００") == "13800138000"
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    with pytest.raises(InvalidInput):
        normalise_phone("١٣٨٠٠١٣٨٠٠٠")
    number = valid_resident_id("11010519800101001")
    r = api("post", "/api/v1/applicants", json={"kind": "person", "id_number": number, "name": "李四",
                                                 "phone": "١٣٨٠٠١٣٨٠٠٠"})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_phone"
    r = api("post", "/api/v1/applicants", json={"kind": "person", "id_number": number, "name": "李四",
                                                 "phone": "１３８００１３８０００"})
    assert r.status_code == 201
    with world.quanke.db.session() as db:
        assert db.scalar(select(Applicant.phone).where(Applicant.id_number_index == number)) == "13800138000"
