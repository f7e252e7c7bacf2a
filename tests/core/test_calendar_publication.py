"""When the State Council's arrangement for a provisional year arrives: warnings before it
(from 1 November), HOLIDAY_FILE read at start, and running applications recomputed and told."""
from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import select

from core import acceptance
from core.approval.provisional import provisional_applications
from core.deadlines import WorkCalendar
from core.deadlines.calendar_status import calendar_warnings
from core.deadlines.statutory import statutory_holidays
from core.ops.holidays import apply_holiday_file, load_configured_holidays
from core.ops.readiness import readiness
from core.platform.audit import AuditEvent
from core.platform.models import Application, CalendarDay, OutboxMessage
from core.testing import file_at_counter, seed_world

BEIJING = dt.timezone(dt.timedelta(hours=8))


def official_2027(path):
    """A whole 2027 arrangement: every statutory holiday, plus a longer Spring Festival
    (9–11 Feb off) and a make-up Saturday (20 Feb), as the State Council would publish it."""
    rows = {day: ("holiday", name) for day, name in statutory_holidays(2027).items()}
    rows.update({dt.date(2027, 2, d): ("holiday", "春节") for d in (9, 10, 11)})
    rows[dt.date(2027, 2, 20)] = ("workday", "春节调休")
    path.write_text("date,type,name\n" + "".join(
        f"{day.isoformat()},{kind},{name}\n" for day, (kind, name) in sorted(rows.items())),
        encoding="utf-8")
    return path


def test_warned_from_1_november_while_next_year_is_provisional(tmp_path):
    calendar = WorkCalendar()
    assert calendar_warnings(calendar, dt.date(2026, 10, 31)) == []
    warned = calendar_warnings(calendar, dt.date(2026, 11, 1))
    assert len(warned) == 1 and warned[0].startswith("2027年的节假日安排尚未载入")
    assert "quanke calendar load" in warned[0]
    # in 2027 itself it stays warned until the file is loaded
    assert calendar_warnings(calendar, dt.date(2027, 3, 1))[0].startswith("2027年")
    rows = {day: (False, name) for day, name in statutory_holidays(2027).items()}
    assert calendar_warnings(WorkCalendar(rows), dt.date(2026, 11, 1)) == []


def test_readyz_and_plugin_check_carry_the_warning(quanke, monkeypatch):
    monkeypatch.setattr("core.platform.clock.today", lambda moment=None: dt.date(2026, 11, 2))
    checks = readiness(quanke).checks
    assert checks["calendar"]["ok"] and "2027年" in checks["calendar"]["detail"]["warnings"][0]
    from core.ops.plugin_check import check
    notes = check(quanke).plugins["core"].notes
    assert any(note.startswith("2027年的节假日安排尚未载入") for note in notes)


def _accepted_on(world, day: dt.date) -> Application:
    filed_at = dt.datetime.combine(day, dt.time(9), BEIJING)
    app = file_at_counter(world)
    with world.quanke.db.session() as s:
        s.get(Application, app.id).submitted_at = filed_at
    return acceptance.accept(world.quanke, world.acceptor, app.id,
                             at=dt.datetime.combine(day, dt.time(10), BEIJING))


def test_loading_the_official_year_recomputes_running_applications(any_quanke, tmp_path):
    world = seed_world(any_quanke)
    quanke = world.quanke
    # accepted Mon 1 Feb 2027, 5 working days: provisionally 2, 3, 4, (5–8 春节), 9, 10 → 10 Feb
    app = _accepted_on(world, dt.date(2027, 2, 1))
    assert app.due_date == dt.date(2027, 2, 10)
    untouched = _accepted_on(world, dt.date(2026, 11, 2))          # all in 2026: official already
    listed = provisional_applications(quanke)
    assert [(p.app_id, p.years) for p in listed] == [(app.id, (2027,))]

    result = apply_holiday_file(quanke, official_2027(tmp_path / "2027.csv"))
    assert result.official_years == [2027]
    # officially 9–11 Feb are off too: 2, 3, 4, 12, 15 → 15 Feb
    assert [(m["app_id"], m["before"], m["after"]) for m in result.moved] == [
        (app.id, dt.date(2027, 2, 10), dt.date(2027, 2, 15))]
    with quanke.db.session() as s:
        assert s.get(Application, app.id).due_date == dt.date(2027, 2, 15)
        assert s.get(Application, untouched.id).due_date == untouched.due_date
        event = s.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                   AuditEvent.action == "recompute_due")).one()
        told = s.scalars(select(OutboxMessage).where(OutboxMessage.application_id == app.id,
                                                     OutboxMessage.event == "due_date_recomputed")).one()
    assert event.actor == "system" and event.data["from_due_date"] == "2027-02-10"
    assert "2027年02月10日调整为2027年02月15日" in told.body
    assert provisional_applications(quanke) == []
    # loading the same file again changes nothing more
    again = apply_holiday_file(quanke, tmp_path / "2027.csv")
    assert again.official_years == [] and again.moved == []


def test_calendar_load_command_lists_what_moved(quanke, tmp_path, monkeypatch):
    world = seed_world(quanke)
    app = _accepted_on(world, dt.date(2027, 2, 1))
    from core.ops import cli
    monkeypatch.setattr("core.ops.record_commands.command_runtime", lambda ctx: quanke)
    listed = CliRunner().invoke(cli.main, ["calendar", "provisional"])
    assert listed.exit_code == 0 and "共 1 件" in listed.output
    out = CliRunner().invoke(cli.main, ["calendar", "load", str(official_2027(tmp_path / "f.csv"))])
    assert out.exit_code == 0, out.output
    assert "2027年的安排已完整载入" in out.output
    assert f"{app.receipt_no}  2027-02-10 → 2027-02-15" in out.output


def test_holiday_file_setting_is_read_at_start(quanke, tmp_path):
    quanke.config["HOLIDAY_FILE"] = str(official_2027(tmp_path / "2027.csv"))
    result = load_configured_holidays(quanke)
    assert result is not None and result.official_years == [2027]
    with quanke.db.session() as s:
        assert s.get(CalendarDay, dt.date(2027, 2, 9)).is_workday is False
    # a broken file does not stop the start: it is logged and /readyz says so
    (tmp_path / "bad.csv").write_text("date,type\n2027-13-01,holiday\n", encoding="utf-8")
    quanke.config["HOLIDAY_FILE"] = str(tmp_path / "bad.csv")
    assert load_configured_holidays(quanke) is None
    warnings = readiness(quanke).checks["calendar"]["detail"]["warnings"]
    assert warnings[0].startswith("配置的节假日文件 HOLIDAY_FILE 未能载入") and "第2行" in warnings[0]


def test_create_app_reads_the_holiday_file(quanke, tmp_path):
    from web import create_app
    quanke.config["HOLIDAY_FILE"] = str(official_2027(tmp_path / "2027.csv"))
    create_app(quanke=quanke)
    with quanke.db.session() as s:
        assert s.get(CalendarDay, dt.date(2027, 2, 20)).is_workday is True
