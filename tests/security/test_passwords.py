"""Staff password policy: length, kinds of characters, not the username/phone, not common —
on creation (core and CLI), an administrator's reset and a change of one's own password."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from core.people import staff_admin
from core.platform.errors import InvalidInput
from core.platform.models import User
from core.people.passwords import check_password, common_passwords, problems
from core.testing import PASSWORD
from core.people.users import create_user


@pytest.mark.parametrize("password, why", [
    ("Short-1", "至少10位"),
    ("abcdefghijkl", "两类字符"),
    ("123456789012", "两类字符"),
    ("password123", "过于常见"),
    ("1qaz2wsx3edc", "过于常见"),
    ("t_counter2026", "用户名"),
    ("13912345678ab", "手机号"),
])
def test_weak_passwords_are_refused_with_a_reason(password, why):
    with pytest.raises(InvalidInput) as exc:
        check_password(password, username="t_counter", phone="13912345678")
    assert exc.value.code == "weak_password" and why in exc.value.message
    assert password not in exc.value.message            # never echo the password


def test_good_passwords_pass():
    for password in ("Quanke-demo-2026", "counter-blue-river-7", PASSWORD, "平安喜乐2026窗口"):
        assert problems(password, username="t_counter", phone="13912345678") == []


def test_the_shipped_list_is_loaded_and_lower_case():
    common = common_passwords()
    assert len(common) > 50 and "password123" in common and all(p == p.lower() for p in common)


def test_create_user_applies_the_policy(world):
    with world.quanke.db.session() as s, pytest.raises(InvalidInput) as exc:
        create_user(s, username="weakling", name="弱", password="demo12345", roles=["auditor"])
    assert "至少10位" in exc.value.message


def test_reset_and_own_change_apply_the_policy(world):
    quanke = world.quanke
    admin, counter = world.users["sys_admin"], world.users["counter"]
    with quanke.db.session() as s, pytest.raises(InvalidInput):
        staff_admin.set_password(s, s.get(User, admin.id), counter.id, "password123")
    with quanke.db.session() as s, pytest.raises(InvalidInput) as exc:
        staff_admin.change_own_password(s, s.get(User, counter.id), PASSWORD, "aaaaaaaaaaaa")
    assert exc.value.field == "new_password"
    with quanke.db.session() as s:
        staff_admin.change_own_password(s, s.get(User, counter.id), PASSWORD, "Better-pass-2026")


def test_cli_user_create_refuses_a_weak_password(world, monkeypatch):
    from core.ops.cli import main
    quanke = world.quanke
    monkeypatch.setenv("DATABASE_URL", quanke.config["DATABASE_URL"])
    monkeypatch.setenv("QUANKE_INSTANCE_PATH", quanke.config["INSTANCE_PATH"])
    result = CliRunner().invoke(main, ["user", "create", "cli_weak", "--name", "弱", "--password",
                                       "qwerty12345", "--role", "auditor"])
    assert result.exit_code != 0 and "过于常见" in result.output


def test_demo_accounts_keep_their_published_password_but_not_in_production(quanke):
    from core.ops.demo import load_demo
    from core.platform.errors import QuankeError
    quanke.config["ENV"] = "production"
    with pytest.raises(QuankeError) as exc:
        load_demo(quanke)
    assert exc.value.code == "demo_in_production"
