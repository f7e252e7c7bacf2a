"""What a service's declaration shows where (issue 20 §9): the portal's guide page shows the
``guide`` keys ``legal_basis``, ``fee`` and ``collect`` and no other, the API returns them all;
the API's ``form_fields`` list the values a select accepts, as docs/plugins.md says."""
import shutil
import types

import pytest
from wtforms import Form, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired

from core import hookimpl
from core.api import ServiceDef
from core.people.tokens import create_token
from core.platform.models import User
from core.testing import Browser, runtime, seed_world, sign_in

COMMUNITIES = {"C011": "丹凤街社区", "C031": "姚坊门社区"}


class KitForm(Form):
    community = SelectField("所在社区", choices=COMMUNITIES, validators=[DataRequired("请选择社区")])
    services = SelectMultipleField("服务类别", choices={"care": "助老", "errand": "跑腿"})
    urgent = RadioField("是否加急", choices={"no": "否", "yes": "是"})
    purpose = StringField("用途")


SERVICE = ServiceDef(
    code="kitdesc.permit", name="说明测试证明", department="sample_dept", form=KitForm,
    channels=frozenset({"counter", "remote"}), example={"community": "C011", "purpose": "测试"},
    guide={"legal_basis": "《测试条例》第十二条", "fee": "每件5元", "collect": "社区服务站领取",
           "hotline": "025-12345"})


@pytest.fixture
def kit(sqlite_template, tmp_path):
    shutil.copy(sqlite_template, tmp_path / "s.db")
    plugin = types.ModuleType("kitdesc")
    plugin.register_services = hookimpl(lambda: [SERVICE])
    quanke = runtime(f"sqlite:///{tmp_path}/s.db", tmp_path, extra_plugins=[plugin])
    world = seed_world(quanke)
    app = quanke.web_app()
    app.config.update(TESTING=True)
    yield world, app
    quanke.close()


def test_portal_guide_shows_three_keys_and_the_api_all(kit):
    world, app = kit
    client = app.test_client()
    sign_in(client, world.citizen)
    page = Browser(client).text("/portal/services/kitdesc.permit")
    assert "《测试条例》第十二条" in page and "每件5元" in page and "社区服务站领取" in page
    assert "025-12345" not in page                        # any other key: not on the portal
    with world.quanke.db.session() as s:
        token = create_token(s, s.get(User, world.counter.id), name="kit")
    api = app.test_client().get("/api/v1/services/kitdesc.permit",
                                headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["guide"]["hotline"] == "025-12345" and api["guide"]["fee"] == "每件5元"


def test_api_form_fields_list_the_choices(kit):
    world, app = kit
    with world.quanke.db.session() as s:
        token = create_token(s, s.get(User, world.counter.id), name="kit")
    fields = {f["name"]: f for f in app.test_client().get(
        "/api/v1/services/kitdesc.permit", headers={"Authorization": f"Bearer {token}"}).get_json()["form_fields"]}
    assert fields["community"]["choices"] == [{"value": "C011", "label": "丹凤街社区"},
                                              {"value": "C031", "label": "姚坊门社区"}]
    assert fields["community"]["multiple"] is False and fields["community"]["required"] is True
    assert fields["services"]["multiple"] is True and [c["value"] for c in fields["services"]["choices"]] == ["care", "errand"]
    assert [c["label"] for c in fields["urgent"]["choices"]] == ["否", "是"]
    assert "choices" not in fields["purpose"]
