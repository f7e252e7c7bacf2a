"""The hardship standards: data loaded from a file, dated per area, all lines or none."""
import datetime as dt
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.ops.cli import main
from core.platform.errors import InvalidInput
from plugins.legal_aid.models import HardshipStandard
from plugins.legal_aid.domain.standards import load_bytes, standard_for


def _count(quanke) -> int:
    with quanke.db.session() as s:
        return s.scalar(select(func.count(HardshipStandard.id)))


def test_the_standard_in_force_on_a_day_and_its_area(quanke):
    with quanke.db.session() as s:
        load_bytes(s, b"area_code,effective_from,monthly_per_head,assets_per_head,source\n"
                      b"320000,2021-08-01,2280,,province\n320000,2025-01-01,2490,,province\n"
                      b"320100,2025-07-01,2600.50,50000,Nanjing\n", filename="s.csv", actor="test")
    with quanke.db.session() as s:
        assert standard_for(s, "320113", dt.date(2024, 12, 31)).monthly_per_head == Decimal("2280.00")
        assert standard_for(s, "320113", dt.date(2025, 1, 1)).monthly_per_head == Decimal("2490.00")
        # the city's own standard wins for its districts from its date on
        nanjing = standard_for(s, "320113", dt.date(2025, 7, 1))
        assert (nanjing.area_code, nanjing.monthly_per_head, nanjing.assets_per_head) == (
            "320100", Decimal("2600.50"), Decimal("50000.00"))
        assert standard_for(s, "320500", dt.date(2025, 7, 1)).area_code == "320000"  # Suzhou: province
        assert standard_for(s, "320113", dt.date(2021, 7, 31)) is None
        assert standard_for(s, "110101", dt.date(2025, 7, 1)) is None              # Beijing: none loaded


def test_a_bad_file_loads_nothing_and_names_every_bad_line(quanke):
    raw = ("area_code,effective_from,monthly_per_head,assets_per_head,source\n"
           "320000,2025-01-01,2490,,ok\n"
           "3200,2025-01-01,2490,,short code\n"
           "320100,2025-13-01,2490,,bad date\n"
           "320100,2025-01-01,-5,,negative\n"
           "320200,2025-01-01,,,missing\n"
           "320000,2025-01-01,2500,,duplicate\n"
           f"320300,{(dt.date.today() + dt.timedelta(days=800)).isoformat()},2490,,too far ahead\n").encode()
    with pytest.raises(InvalidInput) as err, quanke.db.session() as s:
        load_bytes(s, raw, filename="bad.csv", actor="test")
    lines = {e["line"]: e["message"] for e in err.value.details["lines"]}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert "6位" in lines[3] and "有效日期" in lines[4] and "负数" in lines[5]
    assert "monthly_per_head" in lines[6] and "第2行" in lines[7] and "一年以后" in lines[8]
    assert _count(quanke) == 0


def test_reloading_updates_changed_rows_and_counts_the_rest(quanke):
    header = b"area_code,effective_from,monthly_per_head\n"
    with quanke.db.session() as s:
        first = load_bytes(s, header + b"320000,2025-01-01,2490\n", filename="a.csv", actor="test")
    with quanke.db.session() as s:
        again = load_bytes(s, header + b"320000,2025-01-01,2490\n320000,2026-01-01,2600\n",
                           filename="b.csv", actor="test")
    with quanke.db.session() as s:
        changed = load_bytes(s, header + b"320000,2026-01-01,2650\n", filename="c.csv", actor="test")
    assert (first.inserted, again.inserted, again.unchanged, changed.updated) == (1, 1, 1, 1)
    assert _count(quanke) == 2


def test_unknown_columns_are_refused(quanke):
    with pytest.raises(InvalidInput) as err, quanke.db.session() as s:
        load_bytes(s, b"area,effective_from,monthly_per_head\n320000,2025-01-01,2490\n", filename="x", actor="t")
    assert "area_code" in err.value.message


def _env(quanke):
    return {"DATABASE_URL": quanke.db.url, "QUANKE_INSTANCE_PATH": quanke.config["INSTANCE_PATH"]}


def test_cli_load_standards_reports_errors_per_line(quanke, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("area_code,effective_from,monthly_per_head\n320000,2025-01-01,2490\n320000,xx,2490\n",
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["legal-aid", "load-standards", str(bad)], env=_env(quanke))
    assert result.exit_code == 1
    assert "第 3 行" in result.output and "未导入任何数据" in result.output
    assert _count(quanke) == 0

    good = tmp_path / "good.csv"
    good.write_text("\ufeffarea_code,effective_from,monthly_per_head,assets_per_head,source\n"
                    "320000,2025-01-01,2490,,江苏省\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["legal-aid", "load-standards", str(good)], env=_env(quanke))
    assert result.exit_code == 0, result.output
    assert "新增 1 条" in result.output and "第三十四条" in result.output
    assert _count(quanke) == 1
