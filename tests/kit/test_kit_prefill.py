"""Pre-filling a plugin's form from the known applicant (issue 20 §6): the field-name
convention (``applicant_name`` / ``applicant_id_number`` / ``applicant_phone``) and the
``prefill_form`` hook, at the counter and on the portal; nothing typed is ever overwritten."""
import html as markup
import re
import shutil
import types

import pytest
from wtforms import Form, StringField
from wtforms.validators import DataRequired

from core import hookimpl
from core.api import ServiceDef
from core.testing import Browser, runtime, seed_world, sign_in


class KitForm(Form):
    applicant_name = StringField("申请人姓名")
    applicant_id_number = StringField("公民身份号码")
    applicant_phone = StringField("联系电话")
    household = StringField("户籍地址")                 # what only the plugin knows
    purpose = StringField("用途", validators=[DataRequired("请填写用途")])


SERVICE = ServiceDef(code="kitpre.permit", name="预填测试证明", department="sample_dept", form=KitForm,
                     channels=frozenset({"counter", "remote"}), example={"purpose": "测试"})


def _plugin(prefill):
    plugin = types.ModuleType("kitpre")
    plugin.register_services = hookimpl(lambda: [SERVICE])
    plugin.prefill_form = hookimpl(prefill)
    return plugin


@pytest.fixture
def kit(sqlite_template, tmp_path):
    made = []

    def make(prefill):
        shutil.copy(sqlite_template, tmp_path / "p.db")
        quanke = runtime(f"sqlite:///{tmp_path}/p.db", tmp_path, extra_plugins=[_plugin(prefill)])
        made.append(quanke)
        world = seed_world(quanke)
        app = quanke.web_app()
        app.config.update(TESTING=True)
        return world, app
    yield make
    for quanke in made:
        quanke.close()


def value(page: str, field: str) -> str | None:
    """The value an input of the service's form is shown with."""
    found = re.search(rf'<input[^>]*name="f-{field}"[^>]*value="([^"]*)"', page)
    return markup.unescape(found.group(1)) if found else None


def _browser(app, who) -> Browser:
    client = app.test_client()
    sign_in(client, who)
    return Browser(client)


def registered_address(service, applicant, session):
    if service.code != "kitpre.permit":
        return None
    return {"household": f"玄武区中山路{applicant.id}号", "not_a_field": "x", "purpose": None}


def test_counter_and_portal_forms_come_filled_with_the_applicant(kit):
    world, app = kit(registered_address)
    with world.quanke.db.session() as s:
        from core.platform.models import Citizen
        person = s.get(Citizen, world.citizen.id).applicant
        name, number, phone, pid = person.name, person.id_number, person.phone, person.id
    counter = _browser(app, world.counter).text(f"/counter/applicants/{pid}/apply/kitpre.permit")
    portal = _browser(app, world.citizen).text("/portal/services/kitpre.permit/apply")
    for page in (counter, portal):
        assert (value(page, "applicant_name"), value(page, "applicant_id_number"),
                value(page, "applicant_phone")) == (name, number, phone)   # the convention
        assert value(page, "household") == f"玄武区中山路{pid}号"             # the hook
        assert value(page, "purpose") == "" and "not_a_field" not in page


def test_what_was_typed_is_kept_when_the_page_comes_back(kit):
    world, app = kit(registered_address)
    pid = world.citizen.applicant_id
    counter = _browser(app, world.counter)
    again = counter.post(f"/counter/applicants/{pid}/apply/kitpre.permit",
                         {"f-applicant_phone": "13511112222", "f-household": "", "consent": "y",
                          "delivery_method": "pickup"}, content_type="multipart/form-data")
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "请填写用途" in html
    assert value(html, "applicant_phone") == "13511112222" and value(html, "household") == ""


def test_a_failing_prefill_leaves_the_form_empty_not_broken(kit):
    def broken(service, applicant):
        raise RuntimeError("登记簿不可用")
    world, app = kit(broken)
    page = _browser(app, world.counter).get(f"/counter/applicants/{world.citizen.applicant_id}/apply/kitpre.permit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and value(html, "household") == ""
    assert value(html, "applicant_name") == "测试citizen"                      # the convention still
