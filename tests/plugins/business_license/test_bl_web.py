"""Pages and API: the register search, the supervision feed (JSON, CSV), inspections, filing."""
import csv
import io

import pytest

from core.people import tokens
from plugins.business_license.domain import supervision


@pytest.fixture
def web(flow, bl_world):
    from web import create_app
    app = create_app(quanke=flow.quanke)
    app.config.update(TESTING=True)
    return app


def _token(flow, user) -> dict:
    with flow.quanke.db.session() as session:
        token = tokens.create_token(session, session.merge(user), name="test", actor="test")
    return {"Authorization": f"Bearer {token}"}


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = f"u:{user.id}"
        session["_fresh"] = True


def test_api_needs_a_token_or_a_session(web):
    client = web.test_client()
    response = client.get("/api/v1/business_license/businesses")
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    bad = client.get("/api/v1/business_license/businesses", headers={"Authorization": "Bearer qk_nope"})
    assert bad.status_code == 401


def test_register_search_by_name_code_operator_and_street(web, flow, bl_world):
    first = flow.register()
    other = flow.person("other_citizen")
    second = flow.register(other, trade_name="聚福", industry="百货", name_form="店",
                           scopes=["general_retail"], street="hongshan", address="和燕路12号",
                           phone="13900000002")
    code = flow.business(first.id).credit_code
    client, headers = web.test_client(), _token(flow, bl_world.counter)

    def names(**query):
        response = client.get("/api/v1/business_license/businesses", query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        return [item["name"] for item in response.json["items"]]

    assert names(name="悦来") == ["南京市玄武区悦来面食馆"]
    assert names(code=code.lower()) == ["南京市玄武区悦来面食馆"]
    assert names(operator_id=other.id_number) == ["南京市玄武区聚福百货店"]
    assert names(street="hongshan") == ["南京市玄武区聚福百货店"]
    assert sorted(names()) == ["南京市玄武区悦来面食馆", "南京市玄武区聚福百货店"]
    item = client.get("/api/v1/business_license/businesses", query_string={"code": code},
                      headers=headers).json["items"][0]
    assert "*" in item["operator_id"] and item["operator_id"] != flow.person().id_number  # masked
    bad = client.get("/api/v1/business_license/businesses", query_string={"street": "atlantis"},
                     headers=headers)
    assert bad.status_code == 400 and bad.json["field"] == "street"
    assert client.get(f"/api/v1/business_license/businesses/{code}", headers=headers).json["credit_code"] == code
    assert client.get("/api/v1/business_license/businesses/92320102MA0000003X", headers=headers).status_code == 404
    assert second.state == "issued"


def test_searching_by_operator_id_is_logged_as_a_view_of_personal_data(web, flow, bl_world):
    from sqlalchemy import select
    from core.platform.audit import AuditEvent
    flow.register()
    client = web.test_client()
    client.get("/api/v1/business_license/businesses", query_string={"operator_id": flow.person().id_number},
               headers=_token(flow, bl_world.counter))
    with flow.quanke.db.session() as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "view_personal_data")).all()
    assert views and views[-1].subject == flow.person().id_number


def test_name_check_api(web, flow, bl_world):
    flow.register()
    client, headers = web.test_client(), _token(flow, bl_world.counter)
    taken = client.get("/api/v1/business_license/name-check", headers=headers,
                       query_string={"trade_name": "悦来", "industry": "面食", "name_form": "馆"}).json
    assert not taken["available"] and "南京市玄武区悦来面食馆" in taken["reason"]
    free = client.get("/api/v1/business_license/name-check", headers=headers,
                      query_string={"trade_name": "悦来", "industry": "理发", "name_form": "店"}).json
    assert free["available"]
    forbidden = client.get("/api/v1/business_license/name-check", headers=headers,
                           query_string={"trade_name": "国际", "industry": "理发", "name_form": "店"}).json
    assert not forbidden["available"] and "国家或地区名称" in forbidden["reason"]


def test_supervision_feed_json_and_csv(web, flow, bl_world):
    flow.register()
    supervision.daily_push(flow.quanke)
    client = web.test_client()
    denied = client.get("/api/v1/business_license/supervision", headers=_token(flow, bl_world.counter))
    assert denied.status_code == 403
    headers = _token(flow, bl_world.approver)
    feed = client.get("/api/v1/business_license/supervision", headers=headers).json
    assert feed["total"] == 1 and feed["items"][0]["business_name"] == "南京市玄武区悦来面食馆"
    assert feed["next_after_id"] == feed["items"][0]["id"]
    after = client.get("/api/v1/business_license/supervision", headers=headers,
                       query_string={"after_id": feed["next_after_id"]}).json
    assert after["items"] == []
    exported = client.get("/api/v1/business_license/supervision.csv", headers=headers)
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0]["business_name"] == "南京市玄武区悦来面食馆" and rows[0]["kind_label"] == "设立登记"
    bad = client.get("/api/v1/business_license/supervision", headers=headers, query_string={"since": "昨天"})
    assert bad.status_code == 400 and bad.json["field"] == "since"


def test_inspection_result_through_the_api(web, flow, bl_world):
    flow.register()
    supervision.daily_push(flow.quanke)
    client, headers = web.test_client(), _token(flow, bl_world.inspector)
    [task] = client.get("/api/v1/business_license/inspections", headers=headers).json["items"]
    assert task["kind"] == "routine" and task["team"] == "新街口街道综合行政执法队"
    bad = client.post(f"/api/v1/business_license/inspections/{task['id']}/result", headers=headers,
                      json={"outcome": "problem", "note": ""})
    assert bad.status_code == 400 and bad.json["field"] == "note"
    ok = client.post(f"/api/v1/business_license/inspections/{task['id']}/result", headers=headers,
                     json={"outcome": "normal", "note": "证照齐全"})
    assert ok.status_code == 200 and ok.json["status"] == "done"


def test_filing_through_the_api_reports_field_errors_and_saves_nothing(web, flow, bl_world):
    client, headers = web.test_client(), _token(flow, bl_world.counter)
    body = {"service_code": "business_license.individual", "applicant_id": flow.person().id,
            "form": flow.registration_form(capital=-1), "paper": ["operator_id", "premises_proof"],
            "consent": True}
    response = client.post("/api/v1/business_license/applications", headers=headers, json=body)
    assert response.status_code == 400 and response.json["error"] == "invalid_form"
    assert "资金数额应为正数" in response.json["details"]["fields"]["capital"][0]
    body["form"]["capital"] = 50000
    created = client.post("/api/v1/business_license/applications", headers=headers, json=body)
    assert created.status_code == 201 and created.json["state"] == "submitted"


def test_joint_filing_and_acceptance_through_the_api(web, flow, bl_world):
    client, headers = web.test_client(), _token(flow, bl_world.counter)
    form = {**flow.registration_form(), **flow.food_form()}
    created = client.post("/api/v1/business_license/bundles", headers=headers, json={
        "applicant_id": flow.person().id, "form": form, "consent": True,
        "paper": ["operator_id", "premises_proof", "food_commitment", "layout_plan"]})
    assert created.status_code == 201, created.json
    reference = created.json["reference"]
    accepted = client.post(f"/api/v1/business_license/bundles/{reference}/accept", headers=headers, json={})
    assert accepted.status_code == 200
    assert accepted.json["registration"]["state"] == accepted.json["permit"]["state"] == "accepted"


def test_session_api_calls_that_change_things_need_the_csrf_header(web, flow, bl_world):
    flow.register()
    supervision.daily_push(flow.quanke)
    client = web.test_client()
    _login(client, bl_world.approver)
    assert client.get("/api/v1/business_license/inspections").status_code == 200
    response = client.post("/api/v1/business_license/inspections/1/result", json={"outcome": "normal"})
    assert response.status_code == 400 and response.json["error"] == "csrf_failed"


def test_pages_render_for_staff(web, flow, bl_world):
    flow.register()
    supervision.daily_push(flow.quanke)
    client = web.test_client()
    assert client.get("/business_license/registry").status_code == 302  # to the login page
    _login(client, bl_world.approver)
    page = client.get("/business_license/registry", query_string={"name": "悦来"})
    assert page.status_code == 200 and "南京市玄武区悦来面食馆" in page.get_data(as_text=True)
    code = flow.business(1).credit_code
    assert "变更与注销记录" in client.get(f"/business_license/registry/{code}").get_data(as_text=True)
    assert "新街口街道综合行政执法队" in client.get("/business_license/inspections").get_data(as_text=True)
    assert "设立登记" in client.get("/business_license/supervision").get_data(as_text=True)
    assert client.get("/business_license/joint").status_code == 403  # approvers do not file
    counter = web.test_client()
    _login(counter, bl_world.counter)
    joint = counter.get("/business_license/joint")
    assert joint.status_code == 200 and "证照联办" in joint.get_data(as_text=True)
    assert client.get("/business_license/inspections").status_code == 200
    assert counter.get("/business_license/inspections").status_code == 403


def test_joint_page_files_and_accepts(web, flow, bl_world):
    import re
    client = web.test_client()
    _login(client, bl_world.counter)
    page = client.get("/business_license/joint").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {**flow.registration_form(), **flow.food_form()}
    data = {k: v for k, v in form.items() if k not in ("scopes", "food_items", "food_commitment")}
    data.update({"csrf_token": token, "applicant_id_number": flow.person().id_number, "consent": "y",
                 "scopes": ["catering", "general_retail"], "food_items": ["hot", "drinks"],
                 "food_commitment": "y", "paper_operator_id": "y",
                 "paper_premises_proof": "y", "paper_food_commitment": "y", "paper_layout_plan": "y"})
    bad = client.post("/business_license/joint", data={**data, "capital": "-3"})
    assert bad.status_code == 200 and "资金数额应为正数" in bad.get_data(as_text=True)
    filed = client.post("/business_license/joint", data=data)
    assert filed.status_code == 302 and "/business_license/bundles/LB" in filed.headers["Location"]
    accepted = client.post(filed.headers["Location"], data={"csrf_token": token}, follow_redirects=True)
    assert "已一并受理" in accepted.get_data(as_text=True)


def test_the_core_api_refuses_what_the_plugin_form_refuses(web, flow, bl_world):
    """/api/v1/applications (the core's generic filing) runs the plugin's validate_application:
    a name already registered, an operator who is not the applicant, no premises proof nor
    commitment, a minor operator — each on its field, nothing saved."""
    from sqlalchemy import func, select

    from core.platform.models import Application
    flow.register()                                              # 悦来面食馆 now registered
    client, headers = web.test_client(), _token(flow, bl_world.counter)
    other = flow.new_person("32010219880808123", "李经营", "13900000077")
    body = {"service_code": "business_license.individual", "applicant_id": other.id,
            "form_data": flow.registration_form(other), "paper": ["operator_id"], "consent": True}
    with flow.quanke.db.session() as s:
        before = s.scalar(select(func.count()).select_from(Application))
    response = client.post("/api/v1/applications", headers=headers, json=body)
    assert response.status_code == 400 and response.json["error"] == "invalid_form"
    fields = response.json["details"]["fields"]
    assert "悦来面食馆" in fields["trade_name"][0]                  # the clashing name is shown
    assert "premises_proof" not in fields           # a missing material is for the one-time notice
    body["form_data"] = flow.registration_form(other, trade_name="福满", operator_id_number=flow.person().id_number)
    body["paper"] = ["operator_id", "premises_proof"]
    mismatch = client.post("/api/v1/applications", headers=headers, json=body).json
    assert "经营者须为申请人本人" in mismatch["details"]["fields"]["operator_id_number"][0]
    minor = flow.new_person("32010220150101123", "王小", "13900000078")
    body.update(applicant_id=minor.id, form_data=flow.registration_form(minor, trade_name="福满"))
    too_young = client.post("/api/v1/applications", headers=headers, json=body).json
    assert too_young["error"] == "invalid_form" and "operator_id_number" in too_young["details"]["fields"]
    with flow.quanke.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == before
    body.update(applicant_id=other.id, form_data=flow.registration_form(other, trade_name="福满"))
    created = client.post("/api/v1/applications", headers=headers, json=body)
    assert created.status_code == 201 and created.json["state"] == "submitted"


def test_inspection_page_offers_the_result_form_to_inspectors_only(web, flow, bl_world):
    flow.register()
    supervision.daily_push(flow.quanke)
    inspector, approver = web.test_client(), web.test_client()
    _login(inspector, bl_world.inspector)
    _login(approver, bl_world.approver)
    seen = inspector.get("/business_license/inspections")
    assert seen.status_code == 200 and 'name="outcome"' in seen.get_data(as_text=True)
    assert "批管同步·核查任务" in inspector.get("/business_license/registry").get_data(as_text=True)
    listed = approver.get("/business_license/inspections").get_data(as_text=True)
    assert "新街口街道综合行政执法队" in listed and 'name="outcome"' not in listed
