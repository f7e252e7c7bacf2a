"""Working-day deadlines: real State Council arrangements (via chinesecalendar 1.11.0),
clock pauses, extensions, the weekday fallback for 2027 and admin holiday files.

Every expected date below was checked against chinesecalendar before being written down.
"""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

import core.platform.models  # noqa: F401  (registers the tables on Base.metadata)
from core.platform.db import Base, Database
from core.deadlines import (DayInfo, Pause, WorkCalendar, add_working_days, compute_due_date,
                            load_holiday_file, working_days_between)
from core.platform.errors import InvalidInput
from core.platform.models import CalendarDay

D = date


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def db():
    database = Database("sqlite://")
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


def _row_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(CalendarDay))


# --- 2025 National Day + Mid-autumn: off 10-01..10-08, make-up Sun 09-28 and Sat 10-11 ---

@pytest.mark.parametrize("day, workday, kind, name", [
    (D(2025, 9, 26), True, "workday", ""),
    (D(2025, 9, 27), False, "weekend", ""),
    (D(2025, 9, 28), True, "makeup_workday", "国庆节"),   # Sunday worked
    (D(2025, 10, 1), False, "holiday", "国庆节"),
    (D(2025, 10, 4), False, "holiday", "国庆节"),          # Saturday inside the block
    (D(2025, 10, 6), False, "holiday", "中秋节"),
    (D(2025, 10, 8), False, "holiday", "国庆节"),
    (D(2025, 10, 9), True, "workday", ""),
    (D(2025, 10, 11), True, "makeup_workday", "国庆节"),  # Saturday worked
    (D(2025, 10, 12), False, "weekend", ""),
])
def test_day_info_national_day_2025(cal, day, workday, kind, name):
    assert cal.day_info(day) == DayInfo(day, workday, kind, name, "chinesecalendar")
    assert cal.is_workday(day) is workday


def test_national_day_2025_due_date_and_explanation(cal):
    exp = compute_due_date(cal, D(2025, 9, 26), 5)
    # counted: 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10
    assert exp.due_date == D(2025, 10, 10)
    assert [i.day for i in exp.skipped] == [D(2025, 9, 27)] + [D(2025, 10, d) for d in range(1, 9)]
    assert {i.name for i in exp.skipped if i.kind == "holiday"} == {"国庆节", "中秋节"}
    assert [i.day for i in exp.makeup_days] == [D(2025, 9, 28)]
    assert exp.paused_days == () and exp.warnings == ()

    lines = exp.lines()
    assert lines[0] == "受理日期：2025年9月26日（不计入）"
    assert "法定时限：5个工作日" in lines
    assert "跳过：2025年9月27日 周末" in lines
    assert "跳过：2025年10月1日至2025年10月5日 国庆节" in lines
    assert "跳过：2025年10月6日 中秋节" in lines
    assert "跳过：2025年10月7日至2025年10月8日 国庆节" in lines
    assert "调休上班计入：2025年9月28日（国庆节调休）" in lines
    assert lines[-1] == "办结期限：2025年10月10日（星期五）"
    assert not any(line.startswith(("中止计时", "延长", "注意")) for line in lines)


def test_saturday_makeup_day_can_be_the_due_date(cal):
    # 10-01..10-08 skipped, then 10-09, 10-10, 10-11 (Saturday, worked)
    assert add_working_days(cal, D(2025, 9, 30), 3) == D(2025, 10, 11)
    # next one skips Sunday 10-12
    assert add_working_days(cal, D(2025, 9, 30), 4) == D(2025, 10, 13)


# --- 2026 Spring Festival: off 02-15..02-23, make-up Sat 02-14 and Sat 02-28 -------------

def test_spring_festival_2026_day_info(cal):
    assert cal.day_info(D(2026, 2, 14)).kind == "makeup_workday"
    assert cal.day_info(D(2026, 2, 28)).kind == "makeup_workday"
    for d in range(15, 24):
        info = cal.day_info(D(2026, 2, d))
        assert (info.workday, info.kind, info.name) == (False, "holiday", "春节"), info
    assert cal.day_info(D(2026, 2, 24)).kind == "workday"
    assert cal.day_info(D(2026, 3, 1)).kind == "weekend"


@pytest.mark.parametrize("n, due", [
    (1, D(2026, 2, 14)),   # Saturday make-up day
    (2, D(2026, 2, 24)),   # the whole festival skipped
    (5, D(2026, 2, 27)),
    (6, D(2026, 2, 28)),   # second make-up Saturday
    (7, D(2026, 3, 2)),    # Sunday 03-01 skipped
])
def test_spring_festival_2026_due_dates(cal, n, due):
    assert add_working_days(cal, D(2026, 2, 13), n) == due


def test_spring_festival_2026_explanation(cal):
    exp = compute_due_date(cal, D(2026, 2, 13), 6)
    assert [i.day for i in exp.makeup_days] == [D(2026, 2, 14), D(2026, 2, 28)]
    assert "跳过：2026年2月15日至2026年2月23日 春节" in exp.lines()
    assert "调休上班计入：2026年2月28日（春节调休）" in exp.lines()


# --- add_working_days / working_days_between -------------------------------------------

def test_zero_days_is_the_start_even_on_a_holiday(cal):
    assert add_working_days(cal, D(2025, 10, 1), 0) == D(2025, 10, 1)
    assert compute_due_date(cal, D(2025, 10, 1), 0).lines()[-1] == "办结期限：2025年10月1日（星期三）"


def test_working_days_between(cal):
    assert working_days_between(cal, D(2025, 9, 26), D(2025, 10, 10)) == 5
    assert working_days_between(cal, D(2026, 2, 13), D(2026, 3, 2)) == 7
    assert working_days_between(cal, D(2025, 10, 1), D(2025, 10, 8)) == 0   # all holiday
    assert working_days_between(cal, D(2025, 9, 26), D(2025, 9, 26)) == 0   # start excluded
    assert working_days_between(cal, D(2025, 10, 10), D(2025, 9, 26)) == 0  # reversed


def test_between_is_the_inverse_of_add(cal):
    for start in (D(2025, 9, 20), D(2025, 9, 27), D(2026, 2, 10), D(2026, 12, 24)):
        for n in range(0, 25):
            due = add_working_days(cal, start, n)
            assert working_days_between(cal, start, due) == n, (start, n)
            assert n == 0 or cal.is_workday(due)


# --- pauses and extensions --------------------------------------------------------------

def test_pause_in_an_ordinary_fortnight(cal):
    start = D(2025, 11, 3)  # Monday
    assert add_working_days(cal, start, 10) == D(2025, 11, 17)
    # paused Wed 11-05 (still counts) to Fri 11-07: Thu and Fri are not counted
    exp = compute_due_date(cal, start, 10, pauses=[Pause(D(2025, 11, 5), D(2025, 11, 7), "补正材料")])
    assert exp.paused_days == (D(2025, 11, 6), D(2025, 11, 7))
    assert exp.due_date == D(2025, 11, 19)
    assert "中止计时：2025年11月5日 至 2025年11月7日（原因：补正材料），顺延2个工作日" in exp.lines()


def test_pause_across_national_day_moves_due_date_by_paused_working_days(cal):
    pause = Pause(D(2025, 9, 29), D(2025, 10, 9), "补正材料")
    exp = compute_due_date(cal, D(2025, 9, 26), 5, pauses=[pause])
    # 09-29 (pause day) counts; 09-30 and 10-09 (resume day) are paused; holidays stay skipped
    assert exp.paused_days == (D(2025, 9, 30), D(2025, 10, 9))
    assert exp.due_date == add_working_days(cal, D(2025, 10, 10), 2) == D(2025, 10, 13)
    assert [i.day for i in exp.makeup_days] == [D(2025, 9, 28), D(2025, 10, 11)]
    assert "中止计时：2025年9月29日 至 2025年10月9日（原因：补正材料），顺延2个工作日" in exp.lines()


def test_open_pause_has_no_due_date(cal):
    exp = compute_due_date(cal, D(2025, 9, 26), 5, pauses=[Pause(D(2025, 9, 29), None, "专家评审")])
    assert exp.due_date is None
    assert exp.counted_days == 2  # 09-28 and 09-29
    lines = exp.lines()
    assert "中止计时：自2025年9月29日起暂停计时（原因：专家评审），尚未恢复" in lines
    assert lines[-1] == "办结期限：暂停计时中，已计2个工作日，剩余3个工作日，恢复计时后确定"


def test_open_pause_after_the_last_counted_day_does_not_hide_the_due_date(cal):
    # Paused on the due date itself: nothing after 10-10 needed counting.
    exp = compute_due_date(cal, D(2025, 9, 26), 5, pauses=[Pause(D(2025, 10, 10), None, "x")])
    assert exp.due_date == D(2025, 10, 10)
    # Paused one working day earlier: 10-10 would be paused, so it is open-ended.
    exp = compute_due_date(cal, D(2025, 9, 26), 5, pauses=[Pause(D(2025, 10, 9), None, "x")])
    assert exp.due_date is None and exp.counted_days == 4


def test_extension_adds_working_days(cal):
    exp = compute_due_date(cal, D(2025, 9, 26), 5, extension_days=3, extension_reason="情况复杂")
    # after 10-10: 10-11 (make-up Saturday), 10-13, 10-14
    assert exp.due_date == D(2025, 10, 14)
    assert exp.working_days == 5 and exp.extension_days == 3
    lines = exp.lines()
    assert "法定时限：5个工作日" in lines
    assert "延长：3个工作日（原因：情况复杂）" in lines
    assert lines[-1] == "办结期限：2025年10月14日（星期二）"


def test_pause_and_extension_together(cal):
    exp = compute_due_date(cal, D(2025, 11, 3), 10, extension_days=5, extension_reason="需现场核查",
                           pauses=[Pause(D(2025, 11, 5), D(2025, 11, 7), "补正材料")])
    assert exp.due_date == add_working_days(cal, D(2025, 11, 3), 17) == D(2025, 11, 26)


@pytest.mark.parametrize("kwargs", [
    dict(working_days=-1),
    dict(working_days=5, extension_days=-2),
    dict(working_days=True),
    dict(working_days=5, pauses=[Pause(D(2025, 10, 9), D(2025, 10, 1), "x")]),
])
def test_bad_deadline_input(cal, kwargs):
    with pytest.raises(InvalidInput) as err:
        compute_due_date(cal, D(2025, 9, 26), **kwargs)
    assert err.value.code == "invalid_deadline"


def test_add_working_days_rejects_negative(cal):
    with pytest.raises(InvalidInput) as err:
        add_working_days(cal, D(2025, 9, 26), -3)
    assert err.value.code == "invalid_deadline"


def test_datetime_is_refused(cal):
    with pytest.raises(TypeError):
        cal.day_info(datetime(2025, 10, 1, 12, 0))


# --- 2027: not in chinesecalendar 1.11.0 -------------------------------------------------

def test_2027_without_holiday_file_counts_the_statutory_holidays_provisionally(cal, caplog):
    """chinesecalendar 1.11 ends in 2026: 2027 comes from the 2024 Measures, Art. 2, and is
    provisional (make-up days unknown) — 元旦 is not a working day."""
    caplog.set_level(logging.WARNING, logger="core.deadlines")
    exp = compute_due_date(cal, D(2026, 12, 30), 5)
    # 12-31, (2027-01-01 元旦 off, weekend), 01-04, 01-05, 01-06, 01-07
    assert exp.due_date == D(2027, 1, 7)
    assert exp.provisional and exp.provisional_years == (2027,)
    assert "《全国年节及纪念日放假办法》（2024年修订）第二条" in exp.warnings[0]
    assert "注意：" + exp.warnings[0] in exp.lines()
    assert cal.provisional_years == {2027} == cal.uncovered_years
    assert cal.day_info(D(2027, 1, 1)) == DayInfo(D(2027, 1, 1), False, "holiday", "元旦",
                                                  "statutory_provisional")
    assert cal.day_info(D(2027, 1, 2)).kind == "weekend"
    add_working_days(cal, D(2027, 3, 1), 30)  # more 2027 days: no second warning
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1 and "2027" in messages[0]


def test_2027_spring_festival_is_new_years_eve_to_the_third_day():
    """春节 2027: 除夕 5 Feb to 初三 8 Feb (lunar calendar), then 清明, 端午, 中秋, 国庆."""
    cal = WorkCalendar()
    off = {d for d in (D(2027, 2, 4) + timedelta(days=i) for i in range(6)) if not cal.is_workday(d)}
    assert off == {D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)}
    assert cal.day_info(D(2027, 2, 5)).name == "春节"
    assert {cal.day_info(d).name for d in (D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15),
                                           D(2027, 10, 1))} == {"清明节", "端午节", "中秋节", "国庆节"}
    assert cal.is_workday(D(2027, 5, 3))          # 劳动节 is 2 days (1-2 May) by statute
    # 20 working days from Thu 2027-01-28: February loses 5th and 8th (weekdays of 春节)
    exp = compute_due_date(cal, D(2027, 1, 28), 20)
    assert exp.due_date == D(2027, 3, 1)
    assert "跳过：2027年2月5日至2027年2月8日 春节" in exp.lines()


def test_calendar_day_counting_also_says_provisional():
    """法律援助法 counts days (日); the end moved off a holiday still rests on 2027's calendar."""
    exp = compute_due_date(WorkCalendar(), D(2026, 12, 25), 7, counting="calendar_days")
    assert exp.due_date == D(2027, 1, 4)          # 01-01 元旦 (Fri), weekend → Monday
    assert exp.moved_from == D(2027, 1, 1) and exp.provisional_years == (2027,)
    assert exp.warnings and "尚未公布" in exp.warnings[0]


def test_covered_years_give_no_warning(cal, caplog):
    caplog.set_level(logging.WARNING, logger="core.deadlines")
    exp = compute_due_date(cal, D(2026, 12, 1), 20)
    assert exp.due_date == D(2026, 12, 29)
    assert exp.warnings == () and cal.uncovered_years == set()
    assert not caplog.records


HOLIDAYS_2027_CSV = """date,type,name
2027-01-01,holiday,元旦
2027-09-26,workday,国庆节调休
2027-10-01,holiday,国庆节
2027-10-02,holiday,国庆节
2027-10-03,holiday,国庆节
2027-10-04,holiday,国庆节
2027-10-05,holiday,国庆节
2027-10-06,holiday,国庆节
2027-10-07,holiday,国庆节
2027-10-09,workday,国庆节调休
"""


def test_a_partial_holiday_file_leaves_2027_provisional(db, tmp_path):
    """One file with some rows does not make a year official: its rows win, the rest of the
    year is still the statute's (provisional)."""
    path = tmp_path / "holidays-2027.csv"
    path.write_text(HOLIDAYS_2027_CSV, encoding="utf-8")
    with db.session() as s:
        assert load_holiday_file(s, path) == 10
    with db.session() as s:
        cal = WorkCalendar.from_session(s)
    assert cal.day_info(D(2027, 10, 5)) == DayInfo(D(2027, 10, 5), False, "holiday", "国庆节", "holiday_file")
    assert cal.day_info(D(2027, 9, 26)).kind == "makeup_workday"    # Sunday worked, from the file
    assert cal.day_info(D(2027, 2, 5)).source == "statutory_provisional"   # 春节 not in the file
    assert compute_due_date(cal, D(2027, 9, 24), 8).provisional


def test_2027_with_a_whole_year_holiday_file(db, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="core.deadlines")
    from core.deadlines.statutory import statutory_holidays
    rows = "".join(f"{d.isoformat()},holiday,{n}\n" for d, n in sorted(statutory_holidays(2027).items())
                   if not HOLIDAYS_2027_CSV.count(d.isoformat()))
    path = tmp_path / "holidays-2027.csv"
    path.write_text(HOLIDAYS_2027_CSV + rows, encoding="utf-8")
    with db.session() as s:
        load_holiday_file(s, path)
    with db.session() as s:
        cal = WorkCalendar.from_session(s)

    assert 2027 in cal.official_file_years
    assert cal.day_info(D(2027, 1, 1)) == DayInfo(D(2027, 1, 1), False, "holiday", "元旦", "holiday_file")
    assert cal.day_info(D(2027, 10, 2)).kind == "holiday"           # Saturday in the block
    assert cal.day_info(D(2027, 9, 26)).kind == "makeup_workday"    # Sunday worked
    # days the file does not list count by weekday, attributed to the file
    assert cal.day_info(D(2027, 3, 1)) == DayInfo(D(2027, 3, 1), True, "workday", "", "holiday_file")
    assert cal.day_info(D(2027, 3, 6)).kind == "weekend"

    # 12-31, (01-01 off), 01-04, 01-05, 01-06, 01-07
    assert add_working_days(cal, D(2026, 12, 30), 5) == D(2027, 1, 7)
    exp = compute_due_date(cal, D(2027, 9, 24), 8)
    # 09-26 (Sun, worked), 09-27..09-30, 10-08, 10-09 (Sat, worked), 10-11
    assert exp.due_date == D(2027, 10, 11)
    assert [i.day for i in exp.makeup_days] == [D(2027, 9, 26), D(2027, 10, 9)]
    assert "跳过：2027年10月1日至2027年10月7日 国庆节" in exp.lines()
    assert exp.warnings == () and not exp.provisional and cal.provisional_years == set()
    assert not caplog.records
    # for contrast, the statute alone (1-3 Oct off, no make-up days known) says 10-07
    assert add_working_days(WorkCalendar(), D(2027, 9, 24), 8) == D(2027, 10, 7)


def test_override_wins_over_chinesecalendar():
    cal = WorkCalendar({D(2025, 10, 8): (True, "临时上班"), D(2025, 9, 29): (False, "")})
    assert cal.day_info(D(2025, 10, 8)) == DayInfo(D(2025, 10, 8), True, "workday", "临时上班", "holiday_file")
    assert cal.day_info(D(2025, 9, 29)).kind == "holiday"
    # the rest of 2025 still comes from chinesecalendar
    assert cal.day_info(D(2025, 10, 7)).source == "chinesecalendar"
    assert add_working_days(cal, D(2025, 9, 26), 4) == D(2025, 10, 9)


def test_load_holiday_file_is_idempotent_and_replaces_days(db, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(HOLIDAYS_2027_CSV, encoding="utf-8-sig")  # Excel-style BOM
    with db.session() as s:
        load_holiday_file(s, path)
    with db.session() as s:
        assert load_holiday_file(s, path) == 10
    assert _row_count(db) == 10

    path.write_text("date,type,name\n2027-01-01,workday,改为上班\n", encoding="utf-8")
    with db.session() as s:
        assert load_holiday_file(s, path) == 1
    assert _row_count(db) == 10
    with db.session() as s:
        row = s.get(CalendarDay, D(2027, 1, 1))
        assert (row.is_workday, row.name) == (True, "改为上班")


def test_load_holiday_file_json(db, tmp_path):
    path = tmp_path / "h.json"
    path.write_text(json.dumps([{"date": "2027-02-06", "type": "workday", "name": "春节调休"},
                                {"date": "2027-02-08", "type": "holiday", "name": "春节"}],
                               ensure_ascii=False), encoding="utf-8")
    with db.session() as s:
        assert load_holiday_file(s, path) == 2
    with db.session() as s:
        cal = WorkCalendar.from_session(s)
    assert cal.day_info(D(2027, 2, 6)).kind == "makeup_workday"
    assert cal.day_info(D(2027, 2, 8)).name == "春节"


def test_bad_csv_rows_load_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,type,name\n"
                    "2027-01-01,holiday,元旦\n"        # line 2: fine
                    "2027/10/01,holiday,国庆节\n"      # line 3: bad date format
                    "2027-10-02,vacation,国庆节\n"     # line 4: unknown type
                    "2027-02-30,holiday,春节\n",       # line 5: no such day
                    encoding="utf-8")
    # The error is caught inside the session, which then commits: any row written before
    # the bad one would be kept, so this checks the loader itself is all-or-nothing.
    with db.session() as s:
        with pytest.raises(InvalidInput) as err:
            load_holiday_file(s, path)
    e = err.value
    assert e.code == "invalid_holiday_file"
    assert "第3行" in e.message and "2027/10/01" in e.message
    assert "第4行" in e.message and "vacation" in e.message
    assert "第5行" in e.message and "不存在" in e.message
    assert "第2行" not in e.message
    assert [p["where"] for p in e.details["errors"]] == ["第3行", "第4行", "第5行"]
    assert _row_count(db) == 0


def test_bad_json_entry_and_bad_header(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"date": "2027-01-01", "type": "holiday"}, {"date": "2027-01-02", "type": "off"}]',
                    encoding="utf-8")
    with pytest.raises(InvalidInput, match="第2条记录") as err:
        with db.session() as s:
            load_holiday_file(s, path)
    assert err.value.code == "invalid_holiday_file"

    path = tmp_path / "noheader.csv"
    path.write_text("2027-01-01,holiday,元旦\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="第1行"):
        with db.session() as s:
            load_holiday_file(s, path)

    path = tmp_path / "dup.csv"
    path.write_text("date,type,name\n2027-01-01,holiday,元旦\n2027-01-01,workday,\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="第3行.*第2行重复"):
        with db.session() as s:
            load_holiday_file(s, path)
    assert _row_count(db) == 0


def test_calendar_days_move_an_end_on_a_holiday_to_the_next_working_day():
    # Legal Aid Law Art. 43 says "7日": accepted 2025-09-26 → 2025-10-03 is National Day,
    # so the decision is due on the next working day, 2025-10-09.
    cal = WorkCalendar()
    explanation = compute_due_date(cal, date(2025, 9, 26), 7, counting="calendar_days")
    assert explanation.due_date == date(2025, 10, 9)
    text = "\n".join(explanation.lines())
    assert "法定时限：7日（自然日" in text and "期满日2025年10月3日为节假日" in text
    plain = compute_due_date(cal, date(2025, 11, 3), 7, counting="calendar_days")
    assert plain.due_date == date(2025, 11, 10) and plain.moved_from is None


def test_an_acceptance_in_late_december_tells_the_applicant_the_due_date_is_provisional(world):
    """The SMS carries the provisional note when the due date falls in an unpublished year."""
    from sqlalchemy import select

    from core import acceptance
    from core.platform.models import OutboxMessage
    from core.testing import file_at_counter
    app = file_at_counter(world)
    at = datetime(2026, 12, 28, 2, 0, tzinfo=__import__("datetime").timezone.utc)
    accepted = acceptance.accept(world.quanke, world.acceptor, app.id, at=at)
    assert accepted.due_date.year == 2027
    with world.quanke.db.session() as s:
        bodies = s.scalars(select(OutboxMessage.body).where(
            OutboxMessage.application_id == app.id, OutboxMessage.recipient_kind == "applicant")).all()
    assert any("暂定" in body for body in bodies), bodies
