import datetime as dt

import pytest

from core.platform.errors import InvalidInput
from core.platform.identifiers import (age_on, mask_id, mask_phone, validate_credit_code, validate_resident_id)


def test_valid_resident_id_gives_birth_date_gender_place():
    rid = validate_resident_id("360426199101010071")
    assert rid.birth_date == dt.date(1991, 1, 1) and rid.gender == "男"
    assert rid.place == "江西省德安县" and rid.warnings == ()


@pytest.mark.parametrize("number, message", [
    ("36042619910101007", "应为18位"),
    ("36042619910101007A", "前17位应为数字"),
    ("360426199102300071", "出生日期不存在"),
    ("360426299101010071", "出生日期不合理"),
    ("360426199101010072", "校验位不正确"),
    ("", "请填写"),
])
def test_bad_resident_ids_say_why(number, message):
    with pytest.raises(InvalidInput) as err:
        validate_resident_id(number)
    assert err.value.code == "invalid_resident_id" and message in err.value.message


def test_unknown_place_code_is_only_a_warning():
    from stdnum.cn import ric
    body = "99999919900101001"
    rid = validate_resident_id(body + ric.calc_check_digit(body + "0"))
    assert rid.warnings and "未能识别" in rid.warnings[0]


@pytest.mark.parametrize("code, message", [
    ("91110000600037341", "应为18位"), ("91110000600037341I", "不允许的字符"),
    ("91110000600037341M", "校验位不正确")])
def test_bad_credit_codes_say_why(code, message):
    with pytest.raises(InvalidInput) as err:
        validate_credit_code(code)
    assert err.value.code == "invalid_credit_code" and message in err.value.message


def test_masking_and_age():
    assert mask_id("320102199001011234") == "3201**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert age_on(dt.date(2008, 11, 24), dt.date(2026, 11, 23)) == 17
    assert age_on(dt.date(2008, 11, 23), dt.date(2026, 11, 23)) == 18


def test_an_id_as_typed_validates_like_its_compact_form_with_or_without_the_place():
    from core.ops.demo import valid_resident_id
    number = next(n for n in (valid_resident_id(f"32010219900101{k:03d}") for k in range(100))
                  if n.endswith("X"))
    compact = validate_resident_id(number)
    typed = validate_resident_id(f" {number[:-1]}x ")  # as typed: spaces, a small x
    assert (typed.number, typed.birth_date, typed.gender, typed.place) == \
        (compact.number, compact.birth_date, compact.gender, compact.place)
    bulk = validate_resident_id(number, with_place=False)
    assert (bulk.number, bulk.birth_date, bulk.gender) == (number, dt.date(1990, 1, 1), compact.gender)
    assert bulk.place == "" and bulk.warnings == ()
