"""The pure eligibility function: one test per Art. 31 / 32 / 33 / 42 path, the means test on
both sides of the threshold, and the household parser's errors."""
import datetime as dt
from decimal import Decimal

import pytest

from plugins.legal_aid.domain.eligibility import (ELIGIBLE, INELIGIBLE, UNDETERMINED, Facts, HouseholdError,
                                           Member, Standard, assess, parse_household)
from plugins.legal_aid.domain.law import ART31, ART32, CATEGORIES, STATUSES

DAY = dt.date(2026, 11, 20)
STANDARD = Standard("320000", dt.date(2025, 1, 1), Decimal("2490.00"), None, "test")


def household(*incomes) -> tuple[Member, ...]:
    members = [Member("本人", "申请人", Decimal(str(incomes[0])))]
    members += [Member("家属", f"成员{i}", Decimal(str(x))) for i, x in enumerate(incomes[1:], 1)]
    return tuple(members)


def facts(**kw) -> Facts:
    base = dict(category="labour", has_agent=False, received_on=DAY, members=household(1000, 1000),
                income_evidence="proof", age=40)
    base.update(kw)
    return Facts(**base)


# -- Art. 31: every category, means tested ------------------------------------------------------

EXTRA = {"injury": {"injury_kind": "traffic"}, "other_statutory": {"other_basis": "《江苏省法律援助条例》第十条"}}


@pytest.mark.parametrize("category", [c.code for c in ART31])
def test_every_art31_category_is_covered_and_means_tested(category):
    poor = assess(facts(category=category, **EXTRA.get(category, {})), STANDARD)
    assert poor.outcome == ELIGIBLE and poor.path == "means_test"
    assert CATEGORIES[category].article in poor.reasons[0] and "第三十四条" in poor.reasons[1]
    rich = assess(facts(category=category, members=household(9000, 9000), **EXTRA.get(category, {})), STANDARD)
    assert rich.outcome == INELIGIBLE and "高于" in rich.reasons[-1]


def test_art31_injury_needs_the_kind_of_accident_and_other_matters_need_their_law():
    assert "第三十一条第（七）项" in assess(facts(category="injury"), STANDARD).reasons[-1]
    assert assess(facts(category="other_statutory"), STANDARD).outcome == INELIGIBLE


# -- Art. 33: petitions and retrials -------------------------------------------------------------

def test_art33_retrial_is_covered_only_once_a_retrial_was_ordered_and_is_means_tested():
    ordered = assess(facts(category="petition_retrial", retrial_ordered=True), STANDARD)
    assert ordered.eligible and ordered.path == "means_test" and "第三十三条" in ordered.reasons[0]
    not_ordered = assess(facts(category="petition_retrial", retrial_ordered=False), STANDARD)
    assert not not_ordered.eligible and "第三十三条" in not_ordered.reasons[-1]


# -- Art. 32: no economic test at all -----------------------------------------------------------

@pytest.mark.parametrize("category", [c.code for c in ART32])
def test_art32_cases_have_no_economic_test(category):
    # a rich household, no income evidence and no standard loaded: still eligible
    extra = {"other_basis": "《江苏省法律援助条例》第十一条"} if CATEGORIES[category].needs_basis else {}
    result = assess(facts(category=category, members=household(50000, 40000), income_evidence=None, **extra), None)
    assert result.outcome == ELIGIBLE and result.path == "art32"
    assert "不受经济困难条件的限制" in result.reasons[-1] and "第三十二条" in result.reasons[-1]


def test_an_agent_already_instructed_excludes_aid_even_under_art32():
    result = assess(facts(category="abuse_victim", has_agent=True), STANDARD)
    assert result.outcome == INELIGIBLE and "没有委托代理人" in result.reasons[-1]


def test_unknown_category_is_not_covered():
    result = assess(facts(category="divorce_property"), STANDARD)
    assert result.outcome == INELIGIBLE and "不属于法律援助的范围" in result.reasons[0]


# -- Art. 42: hardship presumed when the status is proved ---------------------------------------

AGES = {"minor": 16, "elderly": 70}


@pytest.mark.parametrize("status", list(STATUSES))
def test_art42_status_proved_presumes_hardship(status):
    basis = {"status_basis": "《江苏省法律援助条例》第十九条"} if status == "other_statutory" else {}
    result = assess(facts(status=status, status_proved=True, age=AGES.get(status, 40),
                          members=household(20000, 20000), income_evidence=None, **basis), None)
    assert result.outcome == ELIGIBLE and result.path == "art42"
    assert STATUSES[status].item in result.reasons[-1] and "免予核查" in result.reasons[-1]


def test_art42_status_without_proof_falls_back_to_the_means_test():
    result = assess(facts(status="social_assistance", status_proved=False, members=household(9000)), STANDARD)
    assert result.path == "means_test" and result.outcome == INELIGIBLE
    assert any("未提交证明材料" in r for r in result.reasons)


def test_art42_age_must_fit_the_status():
    adult = assess(facts(status="minor", status_proved=True, age=18, members=household(100)), STANDARD)
    assert adult.path == "means_test" and any("已满18周岁" in r for r in adult.reasons)
    young = assess(facts(status="elderly", status_proved=True, age=59, members=household(100)), STANDARD)
    assert young.path == "means_test" and any("未满60周岁" in r for r in young.reasons)


def test_art42_migrant_worker_only_for_pay_or_work_injury():
    pay = assess(facts(category="labour", status="migrant_worker", status_proved=True, income_evidence=None), None)
    work = assess(facts(category="injury", injury_kind="work", status="migrant_worker", status_proved=True,
                        income_evidence=None), None)
    traffic = assess(facts(category="injury", injury_kind="traffic", status="migrant_worker", status_proved=True,
                           income_evidence=None), None)
    assert pay.path == work.path == "art42" and pay.eligible and work.eligible
    assert traffic.outcome == UNDETERMINED and any("第四十二条第（三）项" in r for r in traffic.reasons)


# -- the means test (Art. 34) and its evidence (Art. 41) ----------------------------------------

def test_means_test_on_both_sides_of_the_threshold():
    at = assess(facts(members=household(2490, 2490, "2490.00")), STANDARD)     # exactly 2490 a head
    above = assess(facts(members=household(2490, 2490, "2490.03")), STANDARD)  # 2490.01 a head
    assert at.outcome == ELIGIBLE and at.per_head == Decimal("2490.00")
    assert above.outcome == INELIGIBLE and above.per_head == Decimal("2490.01")
    assert "2490.00元" in above.reasons[-1] and "第三十四条" in above.reasons[-1]


def test_means_test_records_the_standard_it_used():
    result = assess(facts(), STANDARD)
    evidence = result.as_evidence(facts())
    assert evidence["standard"] == {"area_code": "320000", "effective_from": "2025-01-01",
                                    "monthly_per_head": "2490.00", "assets_per_head": None, "source": "test"}
    assert evidence["path"] == "means_test" and evidence["per_head"] == "1000.00"


def test_commitment_instead_of_proof_and_neither():
    committed = assess(facts(income_evidence="commitment"), STANDARD)
    assert committed.eligible and "个人诚信承诺" in committed.reasons[-1] and "第四十一条" in committed.reasons[-1]
    nothing = assess(facts(income_evidence=None), STANDARD)
    assert nothing.outcome == UNDETERMINED and "第四十一条" in nothing.reasons[-1]


def test_no_standard_loaded_means_no_decision_not_a_guess():
    result = assess(facts(), None)
    assert result.outcome == UNDETERMINED and "第三十四条" in result.reasons[-1]


def test_asset_limit_when_the_standard_has_one():
    standard = Standard("320000", dt.date(2025, 1, 1), Decimal("2490"), Decimal("10000"), "")
    assert assess(facts(savings=Decimal("20000")), standard).eligible             # 2 people × 10000
    assert assess(facts(savings=Decimal("20000.01")), standard).outcome == INELIGIBLE


# -- household lines -----------------------------------------------------------------------------

def test_household_lines_are_parsed_with_any_common_separator():
    members = parse_household("本人,张三,1800\n配偶，李四，1500.5\n子女\t张小三\t0")
    assert [m.monthly_income for m in members] == [Decimal("1800.00"), Decimal("1500.50"), Decimal("0.00")]


@pytest.mark.parametrize("text,message", [
    ("", "至少1人"),
    ("本人,张三,-100", "不能为负数"),
    ("本人,张三", "缺少月收入"),
    ("本人,张三,abc", "不是有效金额"),
    ("本人,张三,1.234", "两位小数"),
    ("配偶,李四,100", "本人"),
    ("本人,张三,100\n本人,李四,100", "本人"),
])
def test_household_errors_are_clear(text, message):
    with pytest.raises(HouseholdError) as err:
        parse_household(text)
    assert message in str(err.value)


def test_every_bad_line_is_reported_at_once():
    with pytest.raises(HouseholdError) as err:
        parse_household("本人,张三,-1\n配偶,李四\n子女,王五,x")
    assert [e[:3] for e in err.value.errors] == ["第1行", "第2行", "第3行"]


# -- the "other" items: Art. 32(5), Art. 42(4) need the provision relied on --------------------

def test_art32_item5_is_exempt_only_with_the_provision_named():
    named = assess(facts(category="other_no_means_test", other_basis="《江苏省法律援助条例》第十一条",
                         members=household(50000), income_evidence=None), None)
    assert named.eligible and named.path == "art32" and "第三十二条第（五）项" in named.reasons[-1]
    assert "《江苏省法律援助条例》第十一条" in named.reasons[-1]
    unnamed = assess(facts(category="other_no_means_test"), None)
    assert unnamed.outcome == INELIGIBLE and "第三十二条第（五）项" in unnamed.reasons[-1]


def test_art42_item4_presumes_hardship_only_with_the_provision_named():
    unnamed = assess(facts(status="other_statutory", status_proved=True, members=household(9000)), STANDARD)
    assert unnamed.path == "means_test" and unnamed.outcome == INELIGIBLE
    assert any("第四十二条第（四）项" in r and "须写明" in r for r in unnamed.reasons)


def test_letters_name_the_area_never_its_code():
    """Issue 21: “320000地区” and demo notes never reach a citizen's letter."""
    from plugins.legal_aid.demo import STANDARDS_CSV
    from plugins.legal_aid.domain.areas import area_name
    text = Standard("320000", dt.date(2025, 1, 1), Decimal("2490.00"), None, "").describe()
    assert text.startswith("江苏省自2025年1月1日起施行") and "320000" not in text
    assert area_name("320113") == "江苏省南京市栖霞区" and area_name("110000") == "北京市"
    assert area_name("320100") == "江苏省南京市"
    assert area_name("320999").startswith("江苏省")  # unlisted: named by its province
    assert "演示" not in STANDARDS_CSV.decode()
