"""Pages and API: archive staff search, the citizen's "who looked at my records", refusals."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.people import tokens
from core.platform.audit import AuditEvent
from core.ops.demo import valid_resident_id
from core.platform.identifiers import mask_name
from core.platform.models import User
from plugins.archive_query.models import AccessLog, BureauSettings

API = "/api/v1/archive_query"


def token_for(quanke, user) -> dict:
    with quanke.db.session() as session:
        token = tokens.create_token(session, session.get(User, user.id), actor="test")
    return {"Authorization": f"Bearer {token}"}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1) \
        if 'name="csrf_token" type="hidden"' in html else \
        re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def audit_actions(quanke, action):
    with quanke.db.session() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.seq)).all()


def access_rows(quanke, **where):
    with quanke.db.session() as session:
        stmt = select(AccessLog).order_by(AccessLog.id)
        for key, value in where.items():
            # an encrypted column is looked up through its blind index
            column = getattr(AccessLog, f"{key}_index", None) or getattr(AccessLog, key)
            stmt = stmt.where(column == value)
        return session.scalars(stmt).all()


# -- who may open the staff pages ---------------------------------------------------------------

def test_search_page_opens_only_for_archive_bureau_roles(web, aq):
    assert web("approver").get("/archive/search").status_code == 200
    assert web("lead").get("/archive/search").status_code == 200
    for who in ("counter", "approver_other", "sys_admin", "auditor", "citizen"):
        assert web(who).get("/archive/search").status_code == 403, who
    anonymous = web().get("/archive/search")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert web("citizen").get("/archive/settings").status_code == 403


def test_search_by_resident_id_shows_everything_and_logs_the_look(web, aq, people, archive, quanke):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    client = web("approver")
    page = client.get("/archive/search").get_data(as_text=True)
    response = client.post("/archive/search", data={
        "csrf_token": csrf_of(page), "mode": "id", "id_number": spouse.id_number, "name": "",
        "birth_year": "", "category": "", "reason": "法院协查函（2026）玄法协字第12号"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "检索结果（1 条）" in html and spouse.id_number in html and me.id_number in html
    assert "馆内备注不外传" in html  # archive staff see internal fields
    rows = access_rows(quanke, record_id=1)
    assert {r.subject_id_number for r in rows} == {me.id_number, spouse.id_number}
    assert {(r.actor, r.kind, r.channel, r.purpose) for r in rows} == {
        (f"user:{aq.approver.id}", "view", "search_page", "法院协查函（2026）玄法协字第12号")}
    [event] = audit_actions(quanke, "view_personal_data")
    assert (event.object_type, event.subject) == ("aq_archive_record", spouse.id_number)
    assert "法院协查函" in event.data["reason"]
    # The record page needs the reason too, and logs the look again.
    assert client.get("/archive/records/1").status_code == 302
    assert len(access_rows(quanke, record_id=1)) == 2
    detail = client.get("/archive/records/1", query_string={"reason": "核对证书字号"})
    assert detail.status_code == 200 and "宁玄结字第001号" in detail.get_data(as_text=True)
    assert [r.channel for r in access_rows(quanke, record_id=1)][-2:] == ["record_page"] * 2
    assert client.get("/archive/records/999", query_string={"reason": "核对"}).status_code == 404


def test_search_without_a_reason_or_csrf_token_does_nothing(web, aq, people, archive, quanke):
    archive.person("veteran", people.citizen.id_number, people.citizen.name)
    client = web("approver")
    page = client.get("/archive/search").get_data(as_text=True)
    no_reason = client.post("/archive/search", data={"csrf_token": csrf_of(page), "mode": "id",
                                                     "id_number": people.citizen.id_number, "reason": ""})
    assert "请填写查档事由" in no_reason.get_data(as_text=True)
    no_token = client.post("/archive/search", data={"mode": "id", "reason": "工作需要",
                                                    "id_number": people.citizen.id_number})
    assert no_token.status_code == 400
    assert access_rows(quanke) == [] and audit_actions(quanke, "view_personal_data") == []


def test_fuzzy_name_search_tolerates_a_wrong_character_a_homophone_and_a_year(web, aq, quanke, archive):
    born_1975 = valid_resident_id("32010219750315001")
    archive.person("employment", born_1975, "张三丰")
    archive.person("employment", valid_resident_id("32010219750316003"), "刘德华")
    archive.person("employment", valid_resident_id("32010219900101005"), "张三丰")  # 15 years off
    headers = token_for(quanke, aq.approver)
    client = web()
    for name, year in (("张三丰", 1975), ("张三峰", 1975), ("章三丰", 1975), ("张三丰", 1976)):
        response = client.get(f"{API}/search", headers=headers,
                              query_string={"name": name, "birth_year": year, "reason": "核对招工档案"})
        items = response.get_json()["items"]
        assert [i["matched_person"] for i in items] == [born_1975], (name, year)
    exact = client.get(f"{API}/search", headers=headers,
                       query_string={"name": "张三丰", "birth_year": 1975, "reason": "核对"}).get_json()
    fuzzy = client.get(f"{API}/search", headers=headers,
                       query_string={"name": "章三丰", "birth_year": 1976, "reason": "核对"}).get_json()
    assert exact["items"][0]["score"] == 1.0 > fuzzy["items"][0]["score"]
    bad = client.get(f"{API}/search", headers=headers, query_string={"name": "张三丰", "reason": "核对"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_birth_year"


# -- the citizen's side -------------------------------------------------------------------------

def test_citizen_sees_in_the_portal_who_looked_at_their_records(web, aq, people, archive, quanke):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    web().get(f"{API}/records", headers=token_for(quanke, aq.approver),
              query_string={"id_number": spouse.id_number, "reason": "办理档案查询申请QK001"})
    page = web("citizen").get("/portal/archive/access-log")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "测试approver（区档案馆·审批人员）" in html and "办理档案查询申请QK001" in html
    assert "婚姻档案 T001/00001" in html and "接口" in html
    api = web("citizen").get(f"{API}/access-log").get_json()
    assert api["total"] == 1 and api["items"][0]["who"] == "测试approver（区档案馆·审批人员）"
    assert web("other_citizen").get(f"{API}/access-log").get_json()["total"] == 0
    assert web("approver").get("/portal/archive/access-log").status_code == 403
    assert web().get("/portal/archive/access-log").status_code == 302


def test_citizen_reads_own_records_masked_and_the_look_is_logged(web, aq, people, archive, quanke):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    body = web("citizen").get(f"{API}/records").get_json()
    [record] = body["items"]
    assert [p["name"] for p in record["persons"]] == [me.name, spouse.name[0] + "**"]
    assert spouse.id_number not in str(body) and "馆内备注" not in str(body)
    assert [(r.actor, r.purpose) for r in access_rows(quanke, subject_id_number=spouse.id_number)] == [
        (f"citizen:{aq.citizen.id}", "本人查阅本人档案")]


def test_reading_someone_elses_record_is_refused_discloses_nothing_and_is_audited(
        web, aq, people, archive, quanke):
    me, spouse, other = people.citizen, people.spouse, people.other_citizen
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)   # record 1
    archive.person("veteran", other.id_number, other.name)                    # record 2
    intruder = web("other_citizen")
    by_id = intruder.get(f"{API}/records", query_string={"id_number": me.id_number})
    nobody = intruder.get(f"{API}/records", query_string={"id_number": people.stranger.id_number})
    assert by_id.status_code == nobody.status_code == 403
    assert by_id.get_json() == nobody.get_json() == {"error": "not_own_record",
                                                      "message": "只能查看本人的档案记录"}
    existing = intruder.get(f"{API}/records/1")
    missing = intruder.get(f"{API}/records/999")
    assert existing.status_code == missing.status_code == 404
    assert existing.get_json() == missing.get_json()
    assert me.name not in existing.get_data(as_text=True)
    assert intruder.get(f"{API}/records/2").status_code == 200  # their own record
    denied = audit_actions(quanke, "archive_access_denied")
    assert len(denied) == 4 and {e.actor for e in denied} == {f"citizen:{aq.other_citizen.id}"}
    # The persons concerned see the attempt in their own list; nothing about them leaked.
    mine = web("citizen").get(f"{API}/access-log").get_json()["items"]
    assert [(i["kind"], i["who"]) for i in mine] == [("denied", "市民" + mask_name(other.name))] * 2
    assert audit_actions(quanke, "view_personal_data")[-1].subject == other.id_number


def test_staff_api_needs_an_archive_role_and_a_reason(web, aq, people, archive, quanke):
    archive.person("veteran", people.citizen.id_number, people.citizen.name)
    client = web()
    query = {"id_number": people.citizen.id_number, "reason": "工作需要"}
    assert client.get(f"{API}/records", query_string=query).status_code == 401
    counter = client.get(f"{API}/records", headers=token_for(quanke, aq.counter), query_string=query)
    assert counter.status_code == 403 and counter.get_json()["error"] == "not_archive_staff"
    assert audit_actions(quanke, "archive_access_denied")[-1].subject == people.citizen.id_number
    approver = token_for(quanke, aq.approver)
    no_reason = client.get(f"{API}/records", headers=approver,
                           query_string={"id_number": people.citizen.id_number})
    assert no_reason.status_code == 400 and no_reason.get_json()["error"] == "reason_required"
    bad_id = client.get(f"{API}/records", headers=approver,
                        query_string={"id_number": "123", "reason": "工作需要"})
    assert bad_id.status_code == 400 and "身份证号码应为18位" in bad_id.get_json()["message"]
    bad_category = client.get(f"{API}/records", headers=approver,
                              query_string={**query, "category": "户籍"})
    assert bad_category.status_code == 400 and bad_category.get_json()["error"] == "unknown_category"
    ok = client.get(f"{API}/records", headers=approver, query_string={**query, "category": "退伍军人"})
    assert ok.status_code == 200 and ok.get_json()["items"][0]["persons"][0]["id_number"] == \
        people.citizen.id_number
    one = client.get(f"{API}/records/1", headers=approver, query_string={"reason": "复核"})
    assert one.get_json()["reference"] == "T001/00001"


def test_bureau_switch_through_page_and_api(web, aq, quanke):
    lead = web("lead")
    page = lead.get("/archive/settings").get_data(as_text=True)
    assert "未开启" in page
    saved = lead.post("/archive/settings", data={"csrf_token": csrf_of(page), "auto_approve_self": "y",
                                                 "note": "经局务会研究同意"})
    assert saved.status_code == 302
    assert "已开启" in lead.get("/archive/settings").get_data(as_text=True)
    approver = web("approver")
    approver_page = approver.get("/archive/settings").get_data(as_text=True)
    assert "只有区档案馆负责人可以调整" in approver_page
    forbidden = approver.post("/archive/settings", data={
        "csrf_token": csrf_of(approver_page), "note": "我来关掉"})
    assert forbidden.status_code == 403
    api = web()
    denied = api.put(f"{API}/settings", headers=token_for(quanke, aq.approver),
                     json={"auto_approve_self": False, "note": "我来关掉"})
    assert denied.status_code == 403 and denied.get_json()["error"] == "not_archive_lead"
    bad = api.put(f"{API}/settings", headers=token_for(quanke, aq.lead),
                  json={"auto_approve_self": "no", "note": "关闭"})
    assert bad.status_code == 400
    turned = api.put(f"{API}/settings", headers=token_for(quanke, aq.lead),
                     json={"auto_approve_self": False, "note": "系统维护暂停"})
    assert turned.status_code == 200 and turned.get_json()["auto_approve_self"] is False
    no_csrf = lead.put(f"{API}/settings", json={"auto_approve_self": True, "note": "会话调用"})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["error"] == "csrf_failed"
    with quanke.db.session() as session:
        assert session.get(BureauSettings, 1).auto_approve_self is False
    assert [e.data["auto_approve_self"]["to"] for e in audit_actions(quanke, "archive_setting_changed")] \
        == [True, False]


def test_menu_links_follow_the_roles(web, aq):
    from plugins.archive_query.views import menu_links
    with web.app.test_request_context():
        assert [link["label"] for link in menu_links(aq.approver)] == ["档案检索", "档案馆设置"]
        assert [link["label"] for link in menu_links(aq.citizen)] == ["档案查阅记录"]
        assert menu_links(aq.counter) is None


# -- public verification of the result documents ------------------------------------------------

def test_verify_page_shows_each_result_documents_own_title(web, aq, people, archive, quanke):
    from core import acceptance
    from core.platform.models import Document
    from plugins.archive_query.domain import settings
    me = people.citizen
    archive.person("employment", me.id_number, me.name)
    settings.set_auto_approve(quanke, aq.lead, enabled=True, note="测试：自动审批")
    codes = {}
    for category in ("employment", "veteran"):  # records found / none found
        app = acceptance.file_application(
            quanke, aq.counter, service_code="archive_query.query", applicant_id=me.applicant_id,
            form_data={"category": category, "subject_name": me.name,
                       "subject_id_number": me.id_number, "basis": "self", "purpose": "办理退休手续"},
            paper=["applicant_id"], consent=True, consent_text="申请人当面同意")
        acceptance.accept(quanke, aq.counter, app.id)  # the rule approves and issues
        with quanke.db.session() as session:
            codes[category] = session.scalar(select(Document.verification_code).where(
                Document.application_id == app.id, Document.kind == "certificate"))
    client = web()
    found = client.get(f"/verify/{codes['employment']}").get_data(as_text=True)
    assert "档案查询结果证明" in found and "无档案记录证明" not in found
    none = client.get(f"/verify/{codes['veteran']}")
    assert none.status_code == 200
    page = none.get_data(as_text=True)
    assert "无档案记录证明" in page and "档案查询结果证明" not in page
    assert client.get(f"/verify/{codes['veteran']}.json").get_json()["document"]["kind_label"] \
        == "无档案记录证明"
