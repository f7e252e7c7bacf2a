"""The testing kit for plugin authors (issue 20 §8): an applicant of any age or kind for the
drivers, and the web helpers every page test needs (CSRF, the login pages, SMS codes)."""
import datetime as dt
import types

from core import hookimpl
from core.api import Check, CheckResult, age_on, local_date, preview_checks, today
from core.platform.models import Application, Citizen
from core.testing import (
    Browser,
    citizen_login,
    drive_to,
    file_at_counter,
    login,
    new_applicant,
    sms_code,
)

ADULT = Check("kit.adult", "年满18周岁", lambda ctx: (
    CheckResult.passed("已满18周岁") if age_on(ctx.applicant.birth_date, local_date(ctx.filed_at)) >= 18
    else CheckResult.block("申请人未满18周岁")))


def _age_rule(quanke):
    """An age rule "at the application date", added to every service as a plugin would."""
    plugin = types.ModuleType("kit_age_rule")
    plugin.extra_checks = hookimpl(lambda service, applicant: [ADULT] if applicant.kind == "person" else [])
    quanke.plugins.pm.register(plugin, name="kit_age_rule")


def test_an_applicant_of_any_age_meets_the_age_rule(world):
    _age_rule(world.quanke)
    minor, adult = new_applicant(world, age=17), new_applicant(world, age=18)
    assert age_on(minor.birth_date, today()) == 17 and age_on(adult.birth_date, today()) == 18
    blocked = file_at_counter(world, applicant=minor)
    [(code, _, result)] = [r for r in preview_checks(world.quanke, blocked.id) if r[0] == "kit.adult"]
    assert result.outcome.value == "block" and result.reasons == ("申请人未满18周岁",)
    passed = file_at_counter(world, applicant=adult)
    assert [r.outcome.value for c, _, r in preview_checks(world.quanke, passed.id) if c == "kit.adult"] == ["pass"]
    born = new_applicant(world, born=dt.date(2010, 2, 28))
    assert born.birth_date == dt.date(2010, 2, 28) and born.id_number[6:14] == "20100228"


def test_drivers_take_the_applicant_enterprises_and_drafts_included(world):
    firm = new_applicant(world, kind="enterprise", name="测试便利店")
    issued = drive_to(world, "issued", applicant=firm)
    minor = new_applicant(world, age=16)
    draft = drive_to(world, "draft", applicant=minor)
    with world.quanke.db.session() as s:
        row = s.get(Application, issued.id)
        assert (row.state, row.applicant.kind, row.applicant.name) == ("issued", "enterprise", "测试便利店")
        assert len(row.applicant.id_number) == 18
        own = s.get(Application, draft.id)
        citizen = s.get(Citizen, own.citizen_id)
        assert own.state == "draft" and citizen.applicant_id == minor.id != world.citizen.applicant_id


def test_signed_in_browsers_post_with_their_csrf_token(signed_in):
    counter = signed_in("counter")
    assert "全科" in counter.text("/counter/")
    assert counter.post("/logout", csrf=False).status_code == 400   # a form without its token
    assert counter.post("/logout").status_code == 302               # the same with it
    assert signed_in().get("/counter/").status_code == 302          # nobody: to the login page


def test_the_real_login_pages_staff_and_citizen_by_sms(app, world):
    world.quanke.config["SMS_SENDER"] = "memory"
    staff = Browser(app.test_client())
    response = login(staff, "t_counter")
    assert response.status_code == 302 and response.headers["Location"].endswith("/counter/")
    assert login(Browser(app.test_client()), "t_counter", "wrong-password").status_code == 200
    citizen = Browser(app.test_client())
    response = citizen_login(citizen, world.citizen.phone)
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    assert "我的办件" in citizen.text("/portal/")
    assert sms_code(world.citizen.phone) and len(sms_code(world.citizen.phone)) == 6
