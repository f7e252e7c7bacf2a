"""The quanke CLI on a fresh database: upgrade, demo data twice, users."""
from click.testing import CliRunner
from sqlalchemy import func, select

from core.ops.cli import main
from core.platform.models import Application, Centre, User


def _run(tmp_path, *args, input=None):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "QUANKE_INSTANCE_PATH": str(tmp_path)}
    return CliRunner().invoke(main, list(args), env=env, input=input)


def _count(tmp_path, model):
    from core.runtime import Quanke
    q = Quanke({"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "INSTANCE_PATH": str(tmp_path)})
    try:
        with q.db.session() as s:
            return s.scalar(select(func.count()).select_from(model))
    finally:
        q.close()


def test_upgrade_then_demo_data_twice_adds_nothing_the_second_time(tmp_path):
    assert _run(tmp_path, "db", "upgrade").exit_code == 0
    first = _run(tmp_path, "demo-data")
    assert first.exit_code == 0, first.output
    counts = {m: _count(tmp_path, m) for m in (Centre, User, Application)}
    assert counts[Centre] == 8 and counts[User] >= 8 and counts[Application] >= 4
    second = _run(tmp_path, "demo-data")
    assert second.exit_code == 0 and "新增 0 条记录" in second.output
    assert {m: _count(tmp_path, m) for m in counts} == counts
    verify = _run(tmp_path, "audit", "verify")
    assert verify.exit_code == 0 and "审计链完整" in verify.output


def test_user_create_with_roles_and_clear_errors(tmp_path):
    _run(tmp_path, "db", "upgrade")
    _run(tmp_path, "demo-data")
    ok = _run(tmp_path, "user", "create", "newbie", "--name", "新人", "--role", "counter",
              "--centre", "S01", input="long-password-1\nlong-password-1\n")
    assert ok.exit_code == 0 and "已创建用户 newbie" in ok.output
    dup = _run(tmp_path, "user", "create", "newbie", "--name", "x", "--role", "counter",
               input="long-password-1\nlong-password-1\n")
    assert dup.exit_code != 0 and "已存在" in dup.output
    no_dept = _run(tmp_path, "user", "create", "appr", "--name", "x", "--role", "approver",
                   input="long-password-1\nlong-password-1\n")
    assert no_dept.exit_code != 0 and "须指定部门" in no_dept.output
    weak = _run(tmp_path, "user", "create", "weak", "--name", "x", "--role", "auditor",
                input="short\nshort\n")
    assert weak.exit_code != 0 and "密码至少10位" in weak.output


def test_calendar_load_rejects_a_bad_file_with_the_line(tmp_path):
    _run(tmp_path, "db", "upgrade")
    bad = tmp_path / "h.csv"
    bad.write_text("date,type,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n", encoding="utf-8")
    result = _run(tmp_path, "calendar", "load", str(bad))
    assert result.exit_code != 0 and "第3行" in result.output
    good = tmp_path / "g.csv"
    good.write_text("date,type,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    assert "已载入 1 天" in _run(tmp_path, "calendar", "load", str(good)).output
