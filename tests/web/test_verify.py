"""The public verification page /verify/<code>: valid, revoked, superseded, unknown, malformed;
only the masked summary, never a stack trace."""
from __future__ import annotations

import pytest
from flask import Flask

from core.papers import issuance
from core import acceptance
from core.platform.identifiers import mask_id
from core.platform.models import Application
from core.testing import drive_to
from web.verify import bp


@pytest.fixture
def verify_client(quanke):
    """The blueprint alone on a bare Flask app (independent of the rest of the web UI)."""
    flask_app = Flask("web")
    flask_app.extensions["quanke"] = quanke
    flask_app.register_blueprint(bp)
    flask_app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    return flask_app.test_client()


def issued(world):
    """An issued application, its certificate and the applicant's full name and ID number."""
    app = drive_to(world, "issued")
    with world.quanke.db.session() as session:
        applicant = session.get(Application, app.id).applicant
        cert = [d for d in issuance.documents_for(session, app.id) if d.kind == "certificate"][0]
    return app, cert, applicant.name, applicant.id_number


def assert_no_personal_data(body: str, name: str, id_number: str) -> None:
    assert id_number not in body
    assert name not in body
    assert id_number[4:-4] not in body  # not even the middle digits
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()


def test_valid_certificate(world, verify_client):
    app, cert, name, id_number = issued(world)
    response = verify_client.get(f"/verify/{cert.verification_code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "真实有效" in body and "示例许可" in body and cert.number in body
    assert mask_id(id_number) in body and name[0] + "*" in body
    assert "示例审批局" in body and "测试街道便民服务中心" in body
    assert_no_personal_data(body, name, id_number)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_every_kind_verifies(world, verify_client):
    app = drive_to(world, "rejected")
    with world.quanke.db.session() as session:
        found = issuance.documents_for(session, app.id)
    labels = {"receipt": "受理回执", "decision_reject": "不予行政许可决定书"}
    for doc in found:
        body = verify_client.get(f"/verify/{doc.verification_code}").get_data(as_text=True)
        assert labels[doc.kind] in body and "真实有效" in body


def test_revoked_shows_status_and_date(world, verify_client):
    app, cert, name, id_number = issued(world)
    issuance.revoke(world.quanke, world.lead, cert.id, f"申请人{name}（{id_number}）提供虚假材料")
    response = verify_client.get(f"/verify/{cert.verification_code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已撤销" in body and "撤销日期" in body and "年" in body
    assert "虚假材料" not in body  # the reason is internal (it may name people)
    assert_no_personal_data(body, name, id_number)
    data = verify_client.get(f"/verify/{cert.verification_code}.json").get_json()
    assert data["status"] == "revoked" and data["current"] is False and data["revoked_on"]


def test_superseded_points_to_the_new_version(world, verify_client):
    app, cert, name, id_number = issued(world)
    new = issuance.regenerate(world.quanke, cert.id)
    body = verify_client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "已被替换" in body and "第 2 版" in body and "请以新版本为准" in body
    assert new.verification_code not in body  # the old code does not reveal the new one
    assert_no_personal_data(body, name, id_number)
    body = verify_client.get(f"/verify/{new.verification_code}").get_data(as_text=True)
    assert "真实有效" in body and "第 2 版" in body


def test_delivery_is_shown_masked(world, verify_client):
    app, cert, name, id_number = issued(world)
    acceptance.deliver(world.quanke, world.counter, app.id, method="courier", tracking_no="SF1234567890123")
    body = verify_client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "已送达" in body and "邮寄" in body and "SF12*******0123" in body
    assert "SF1234567890123" not in body
    assert_no_personal_data(body, name, id_number)


def test_pickup_delivery_is_shown(world, verify_client):
    app, cert, name, id_number = issued(world)
    acceptance.deliver(world.quanke, world.counter_b, app.id, recipient_id_number=id_number)
    body = verify_client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "已送达" in body and "另一街道便民服务中心当面领取" in body and "已核验身份" in body
    assert_no_personal_data(body, name, id_number)


@pytest.mark.parametrize("code", [
    "AAAAAAAAAAAAAAAA",            # well formed, unknown
    "abc",                          # too short
    "0000000000000000",             # the dummy used for malformed codes
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "Z" * 5000,
    "%E9%AA%8C%E8%AF%81%E7%A0%81",  # 验证码
    "' OR 1=1 --",
    "%00%01",
])
def test_unknown_or_malformed_is_a_friendly_404(world, verify_client, code):
    issued(world)
    response = verify_client.get(f"/verify/{code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "未找到该验证码对应的文书" in body and "<script>alert" not in body
    assert "Traceback" not in body and "Not Found" not in body
    assert response.headers["Cache-Control"] == "no-store"
    data = verify_client.get(f"/verify/{code}.json")
    assert data.status_code == 404 and data.get_json()["error"] == "not_found"


def test_unknown_and_malformed_get_identical_responses(world, verify_client):
    unknown = verify_client.get("/verify/AAAAAAAAAAAAAAAA")
    malformed = verify_client.get("/verify/nonsense")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.get_data() == malformed.get_data()


def test_json(world, verify_client):
    app, cert, name, id_number = issued(world)
    response = verify_client.get(f"/verify/{cert.verification_code.lower()}.json")
    data = response.get_json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert data["status"] == "valid" and data["authentic"] and data["current"]
    assert data["code"] == cert.verification_code
    assert data["document"]["applicant_id"] == mask_id(id_number)
    assert data["document"]["service_name"] == "示例许可" and data["document"]["kind"] == "certificate"
    assert_no_personal_data(response.get_data(as_text=True), name, id_number)
    assert set(data["document"]) == {"kind", "kind_label", "number", "version", "service_name",
                                     "applicant_name", "applicant_id", "issued_on", "centre", "department"}


def test_codes_are_read_leniently(world, verify_client):
    app, cert, *_ = issued(world)
    code = cert.verification_code
    assert verify_client.get(f"/verify/{code.lower()}").status_code == 200
    assert verify_client.get(f"/verify/{code[:8]}-{code[8:]}").status_code == 200


def test_form_redirects_to_the_code(world, verify_client):
    app, cert, *_ = issued(world)
    response = verify_client.get("/verify/")
    assert response.status_code == 200 and "验证码" in response.get_data(as_text=True)
    response = verify_client.get(f"/verify/?code={cert.verification_code.lower()}")
    assert response.status_code == 302 and response.location.endswith(f"/verify/{cert.verification_code}")
    response = verify_client.get("/verify/?code=<b>x</b>")
    assert response.status_code == 400 and "验证码格式不正确" in response.get_data(as_text=True)
    assert "<b>x</b>" not in response.get_data(as_text=True)


def test_database_failure_is_a_friendly_503(world, verify_client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(session, code):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr("web.verify.lookup", broken)
    response = verify_client.get("/verify/AAAAAAAAAAAAAAAA")
    assert response.status_code == 503 and "核验服务暂时不可用" in response.get_data(as_text=True)
    assert "database is locked" not in response.get_data(as_text=True)
    assert verify_client.get("/verify/AAAAAAAAAAAAAAAA.json").status_code == 503


def test_registered_in_the_web_app_without_login(world, client):
    app, cert, name, id_number = issued(world)
    response = client.get(f"/verify/{cert.verification_code}")
    assert response.status_code == 200 and "真实有效" in response.get_data(as_text=True)
    assert client.get("/verify/AAAAAAAAAAAAAAAA").status_code == 404
    assert client.get(f"/verify/{cert.verification_code}.json").get_json()["status"] == "valid"
