"""Walk-in applications reach the portal (issue 21): a person who applied at a counter and then
registers online with the same ID and the phone the counter recorded sees those applications
and their documents in 我的办件; the same ID and name without that phone do not."""
from __future__ import annotations

import re

from sqlalchemy import select

from core import acceptance, approval
from core.ops.demo import valid_resident_id
from core.people import applicants
from core.people.sms_login import MemorySmsSender
from core.platform import audit
from core.platform.models import Application, Citizen
from webtools import Browser

NUMBER = valid_resident_id("32010619770707123")


def _walk_in(world, phone: str = "13911112222"):
    """Filed, accepted, approved and issued at the counter for a person with no portal account."""
    q = world.quanke
    with q.db.session() as s:
        person, _ = applicants.register(s, kind="person", id_number=NUMBER, name="窗口甲", phone=phone,
                                        actor="test")
        person_id = person.id
    app = acceptance.file_application(q, world.counter, service_code="sample.permit", applicant_id=person_id,
                                      form_data={"purpose": "窗口办理"}, paper=["id_proof"], consent=True,
                                      consent_text="申请人当面同意")
    acceptance.accept(q, world.counter, app.id)
    approval.claim(q, world.approver, app.id)
    approval.approve_and_issue(q, world.approver, app.id)
    return app, person_id


def _login(web, phone: str) -> Browser:
    b = Browser(web.test_client())
    b.post("/portal/login", {"step": "send", "p-phone": phone})
    r = b.post("/portal/login", {"step": "verify", "c-phone": phone, "c-code": MemorySmsSender.last_code(phone)})
    assert r.status_code == 302
    b._token = None
    return b


def _register(browser: Browser, name: str = "窗口甲", number: str = NUMBER):
    return browser.post("/portal/profile", {"name": name, "id_number": number}, follow_redirects=True)


def test_registering_with_the_same_id_and_phone_shows_walk_ins_and_their_documents(web, world):
    app, _person = _walk_in(world)
    citizen = _login(web, "13911112222")
    assert app.number not in citizen.text("/portal/")
    assert "实名登记完成" in _register(citizen).get_data(as_text=True)
    home = citizen.text("/portal/")
    assert app.number in home and "我的证照和文书" in home
    papers = home.split('data-testid="my-papers"')[1]
    assert f"{app.number}-ZZ" in papers and f"{app.number}-ZY" in papers     # certificate, decision letter
    assert f"{app.number}-" not in papers.replace("-ZZ", "").replace("-ZY", "")  # no receipt
    page = citizen.text(f"/portal/applications/{app.id}")
    assert "文书下载" in page and "准予许可决定书" in page
    doc_ids = [int(x) for x in re.findall(r"/documents/(\d+)\.pdf", page)]
    assert doc_ids and citizen.get(f"/documents/{doc_ids[0]}.pdf").data[:5] == b"%PDF-"
    with world.quanke.db.session() as s:
        event = s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "walk_in_linked")).one()
        me = s.scalar(select(Citizen).where(Citizen.phone_index == "13911112222"))
    assert event.application_id == app.id and event.actor == f"citizen:{me.id}"


def test_the_same_id_and_name_without_the_recorded_phone_see_nothing_until_a_counter_checks(web, world, as_user):
    app, person_id = _walk_in(world, phone="")                 # the counter recorded no phone
    citizen = _login(web, "13933334444")
    _register(citizen)
    home = citizen.text("/portal/")
    assert app.number not in home and "请带身份证到任一便民服务中心" in home
    assert citizen.get(f"/portal/applications/{app.id}").status_code == 404
    # the person goes to a counter: ID checked, this phone recorded → the walk-in joins the portal
    r = as_user("counter").post(f"/counter/applicants/{person_id}/phone",
                                {"id_number": NUMBER, "phone": "13933334444"}, follow_redirects=True)
    assert "手机号码已变更" in r.get_data(as_text=True)
    assert app.number in citizen.text("/portal/")


def test_another_phone_on_record_is_refused_at_registration(web, world):
    app, _person = _walk_in(world, phone="13955556666")
    citizen = _login(web, "13977778888")
    assert "手机号与本账户不一致" in _register(citizen).get_data(as_text=True)
    assert app.number not in citizen.text("/portal/")


def test_a_walk_in_filed_after_registration_is_there_at_once(web, world):
    citizen = _login(web, "13911112222")
    with world.quanke.db.session() as s:       # an earlier counter visit recorded this phone
        applicants.register(s, kind="person", id_number=NUMBER, name="窗口甲", phone="13911112222", actor="test")
    _register(citizen)
    app, _person = _walk_in(world)
    assert app.number in citizen.text("/portal/")
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).citizen_id is not None


def test_counter_filing_never_hands_a_case_to_an_unverified_account(web, world):
    """Linked by ID and name only (the counter had no phone): new walk-ins stay off the portal."""
    q = world.quanke
    with q.db.session() as s:
        person, _ = applicants.register(s, kind="person", id_number=NUMBER, name="窗口甲", phone="", actor="test")
        s.add(Citizen(phone="13900009999", name="窗口甲", applicant_id=person.id))
        person_id = person.id
    app = acceptance.file_application(q, world.counter, service_code="sample.permit", applicant_id=person_id,
                                      form_data={"purpose": "窗口办理"}, paper=["id_proof"], consent=True,
                                      consent_text="申请人当面同意")
    with q.db.session() as s:
        assert s.get(Application, app.id).citizen_id is None
