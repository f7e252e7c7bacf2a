"""Pages and API: who may open what, forms that change the ledger, errors shown in Chinese."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.people import tokens
from core.platform.models import User

from plugins.timebank.domain import requests
from plugins.timebank.models import ServiceRequest


@pytest.fixture
def web(tb, app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def login(client, who):
    kind = "c" if who.__class__.__name__ == "Citizen" else "u"
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{kind}:{who.id}"
        sess["_fresh"] = True


def flashes(client):
    with client.session_transaction() as sess:
        return [m for _, m in sess.get("_flashes", [])]


ADMIN_PAGES = ["/timebank/admin", "/timebank/admin/requests", "/timebank/admin/requests/new", "/timebank/admin/people",
               "/timebank/admin/recipients/new", "/timebank/admin/teams", "/timebank/admin/supermarket",
               "/timebank/admin/cash", "/timebank/admin/interbank", "/timebank/admin/reports",
               "/timebank/admin/stars", "/timebank/admin/kinds", "/timebank/admin/ledger"]


def test_admin_pages_open_for_the_administrator_only(tb, web):
    h = tb.person()
    tb.deposit(h, 300)
    request = tb.request(h, planned=60)
    pages = ADMIN_PAGES + [f"/timebank/admin/holders/{h}", f"/timebank/admin/requests/{request.id}"]
    assert all(web.get(p).status_code == 302 for p in pages[:3])          # anonymous → login
    login(web, tb.admin)
    for page in pages:
        response = web.get(page)
        assert response.status_code == 200, page
        assert "时间银行" in response.get_data(as_text=True) or page.endswith("new")
    login(web, tb.citizen(h))
    assert web.get("/timebank/admin").status_code == 403
    assert web.get("/timebank/me").status_code == 200


def test_portal_shows_balances_and_the_recipient_confirms_by_form(tb, web):
    recipient = tb.person("张奶奶")
    tb.deposit(recipient, 300)                                  # service 210
    vid, vholder = tb.volunteer()
    request = tb.request(recipient, planned=90)
    requests.accept(tb.quanke, tb.admin, request.id, vid)
    citizen = tb.citizen(recipient)
    login(web, citizen)
    page = web.get("/timebank/me").get_data(as_text=True)
    assert "2小时" in page and request.number in page and "确认时长" in page
    response = web.post(f"/timebank/requests/{request.id}/confirm", data={"minutes": "80"})
    assert response.status_code == 302
    assert any("已确认服务时长 80 分钟" in m for m in flashes(web))
    assert tb.balances(recipient)["service"] == 210 - 80
    web.post(f"/timebank/requests/{request.id}/confirm", data={"minutes": "80"})
    assert any("不能重复确认" in m for m in flashes(web))
    assert tb.balances(recipient)["service"] == 130 and tb.verify() == []


def test_portal_request_form_and_bad_input(tb, web):
    h = tb.person()
    tb.deposit(h, 300)
    login(web, tb.citizen(h))
    day = tb.window(2)[0].date().isoformat()
    form = {"kind": "shopping", "day": day, "start": "09:00", "end": "11:00", "planned": "60", "place": "某小区3栋"}
    web.post("/timebank/me/request", data=form)
    assert any("已提交" in m for m in flashes(web))
    web.post("/timebank/me/request", data={**form, "planned": "1.5"})
    assert any("整分钟" in m for m in flashes(web))
    web.post("/timebank/me/request", data={**form, "end": "08:00"})
    assert any("结束时间必须晚于开始时间" in m for m in flashes(web))
    with tb.quanke.db.session() as s:
        assert len(s.scalars(select(ServiceRequest)).all()) == 1
    # issue 21: a request without a description showed its raw kind code ("shopping")
    page = web.get("/timebank/me").get_data(as_text=True)
    assert "代购物品" in page and not re.search(r"·\s*shopping\s*<", page)


def test_admin_withdraw_form_refuses_the_wrong_bucket(tb, web):
    h = tb.person()
    tb.deposit(h, 600)
    login(web, tb.admin)
    web.post(f"/timebank/admin/holders/{h}/withdraw", data={"purpose": "cash", "bucket": "service", "minutes": "30"})
    assert any("现金结算只能使用现金补贴（10%）" in m for m in flashes(web))
    web.post(f"/timebank/admin/holders/{h}/withdraw", data={"purpose": "cash", "bucket": "cash", "minutes": "30"})
    assert tb.balances(h) == {"service": 420, "goods": 120, "cash": 30, "loan": 0}


def test_admin_matching_page_lists_and_proposes(tb, web):
    h = tb.person()
    tb.deposit(h, 300)
    vid, _ = tb.volunteer("陪聊志愿者", kinds=["chat"])
    request = tb.request(h, planned=60)
    login(web, tb.admin)
    page = web.get(f"/timebank/admin/requests/{request.id}").get_data(as_text=True)
    assert "擅长该服务内容" in page and f'value="{vid}"' in page
    web.post(f"/timebank/admin/requests/{request.id}/propose", data={"volunteer_ids": [str(vid)]})
    assert any("已向 1 名志愿者派单" in m for m in flashes(web))


def test_statement_download_and_public_verification(tb, web):
    h = tb.person()
    tb.deposit(h, 120)
    login(web, tb.citizen(h))
    today = tb.window(0)[0].date().isoformat()
    response = web.post("/timebank/me/statement", data={"start": today, "end": today})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from plugins.timebank.models import Statement
    with tb.quanke.db.session() as s:
        code = s.scalar(select(Statement.verification_code))
    anonymous = web.application.test_client()
    page = anonymous.get(f"/timebank/verify/{code}").get_data(as_text=True)
    assert "时间银行对账单" in page and "真实有效" in page
    assert anonymous.get("/timebank/verify/NOSUCHCODE").status_code == 404


def test_csrf_is_required_for_page_forms(tb, app):
    client = app.test_client()
    h = tb.person()
    tb.deposit(h, 600)
    login(client, tb.admin)
    response = client.post(f"/timebank/admin/holders/{h}/withdraw",
                           data={"purpose": "cash", "bucket": "cash", "minutes": "30"})
    assert response.status_code == 400
    assert tb.balances(h)["cash"] == 60


def test_reports_download_csv_and_svg(tb, web):
    h = tb.person()
    tb.deposit(h, 120)
    login(web, tb.admin)
    month = tb.window(0)[0].strftime("%Y-%m")
    web.post("/timebank/admin/reports", data={"month": month})
    csv = web.get(f"/timebank/admin/reports/{month}.csv")
    assert csv.status_code == 200 and "社区" in csv.get_data(as_text=True)
    svg = web.get(f"/timebank/admin/reports/{month}.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")


# -- API -------------------------------------------------------------------------------------------

def _token(tb, user):
    with tb.quanke.db.session() as s:
        return tokens.create_token(s, s.get(User, user.id), name="test")


def test_api_with_a_token(tb, web):
    token = {"Authorization": f"Bearer {_token(tb, tb.admin)}"}
    h = tb.person()
    tb.deposit(h, 300)
    vid, _ = tb.volunteer(kinds=["chat"])
    start, end = tb.window(-1)
    created = web.post("/api/v1/timebank/requests", headers=token, json={
        "recipient_id": h, "kind": "chat", "window_start": start.isoformat(), "window_end": end.isoformat(),
        "planned_minutes": 60, "place": "某小区"})
    assert created.status_code == 201
    rid = created.get_json()["id"]
    matches = web.get(f"/api/v1/timebank/requests/{rid}/matches", headers=token).get_json()["items"]
    assert [m["volunteer_id"] for m in matches] == [vid]
    assert web.post(f"/api/v1/timebank/requests/{rid}/accept", headers=token, json={"volunteer_id": vid}).status_code == 200
    bad = web.post(f"/api/v1/timebank/requests/{rid}/confirm", headers=token, json={"minutes": 30.5})
    assert bad.status_code == 400 and bad.get_json()["error"] == "minutes_not_integer"
    ok = web.post(f"/api/v1/timebank/requests/{rid}/confirm", headers=token, json={"minutes": 45})
    assert ok.get_json()["status"] == "confirmed"
    again = web.post(f"/api/v1/timebank/requests/{rid}/confirm", headers=token, json={"minutes": 45})
    assert again.status_code == 409 and again.get_json()["error"] == "already_confirmed"
    wrong = web.post("/api/v1/timebank/withdrawals", headers=token,
                     json={"holder_id": h, "bucket": "service", "purpose": "cash", "minutes": 10})
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "wrong_bucket"
    assert web.get(f"/api/v1/timebank/holders/{h}", headers=token).get_json()["balances"]["service"] == 210 - 45
    assert web.get("/api/v1/timebank/ledger/verify", headers=token).get_json() == {"ok": True, "problems": []}


def test_api_requires_authentication_and_hides_other_peoples_accounts(tb, web):
    h, other = tb.person(), tb.person()
    assert web.get(f"/api/v1/timebank/holders/{h}").status_code == 401
    login(web, tb.citizen(other))
    assert web.get(f"/api/v1/timebank/holders/{h}").status_code == 404
    assert web.get(f"/api/v1/timebank/holders/{other}").status_code == 200
    response = web.post("/api/v1/timebank/transfers", json={"holder_id": other, "relative_id": h, "minutes": 10})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf_failed"


def test_dashboard_panel_counts_open_requests_for_administrators_only(tb):
    h = tb.person()
    tb.deposit(h, 300)
    tb.request(h, planned=60, days=2)
    collect = tb.quanke.plugins.collect  # the hook gets the runtime: no global lookup needed
    panels = [p for p in collect("dashboard_panels", quanke=tb.quanke, user=tb.admin)
              if p["title"].startswith("时间银行")]
    assert [p["value"] for p in panels] == [1]
    assert not [p for p in collect("dashboard_panels", quanke=tb.quanke, user=tb.worker)
                if p["title"].startswith("时间银行")]


def test_filing_for_an_eligible_member_short_of_hours_offers_the_loan(tb, web):
    import datetime as dt

    from core.platform.clock import today
    from plugins.timebank.models import Holder
    elder = tb.person("独居老人", born="19400302", lives_alone=True)
    with tb.quanke.db.session() as s:
        from core.platform.models import Applicant
        number = s.get(Applicant, s.get(Holder, elder).applicant_id).id_number
    login(web, tb.admin)
    page = web.post("/timebank/admin/requests/new", data={
        "id_number": number, "kind": "chat", "day": (today() + dt.timedelta(days=1)).isoformat(),
        "start": "09:00", "end": "11:00", "planned": "60", "place": "尧化街道某小区1栋101室", "payer": "recipient"},
        follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "符合借贷条件" in html
    assert f'href="/timebank/admin/holders/{elder}#loan"' in html and "办理借贷时长" in html
    holder_page = web.get(f"/timebank/admin/holders/{elder}").get_data(as_text=True)
    assert 'id="loan"' in holder_page
