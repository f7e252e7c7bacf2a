"""Sensitive form fields (issue 18): a legal-aid application's household income, case facts,
savings and the opposing party's ID number are stored encrypted inside the form data and shown
masked on the application page (申请表内容) and in the API — in full only in the audited
查看完整信息 / ``reveal=1`` of someone whose role needs them. The queryable fields (category)
stay queryable."""
import json

from sqlalchemy import func, select, text

from core.platform.audit import AuditEvent
from core.platform.models import Application
from core.ops.demo import valid_resident_id
from core.people import tokens

OPPOSING_ID = valid_resident_id("32011319800101003")
FACTS = "在工地务工三个月，工资共计一万二千元至今未付。"


def login(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = f"u:{user.id}"
        sess["_fresh"] = True


def test_sensitive_fields_are_ciphertext_at_rest_and_masked_unless_revealed(app, la):
    filed = la.accepted(opposing_party_id=OPPOSING_ID)
    with la.quanke.db.session() as s:
        raw = s.execute(text("SELECT form_data FROM applications WHERE id = :i"), {"i": filed.id}).scalar_one()
        # as stored (SQLite hands back the JSON text, PostgreSQL the object), non-ASCII unescaped
        raw = json.dumps(json.loads(raw) if isinstance(raw, str) else raw, ensure_ascii=False)
        for plain in (FACTS, "王某某", OPPOSING_ID, "3000"):
            assert plain not in raw
        assert "某建筑劳务有限公司" in raw and '"_sealed"' in raw          # the plain fields stay
        assert s.scalar(select(func.count(Application.id))
                        .where(Application.form_data["category"].as_string() == "labour")) == 1
    assert la.app(filed.id).form_data["matter"] == FACTS                   # the app reads it plain

    client = app.test_client()
    login(client, la.w.approver)
    page = client.get(f"/approvals/applications/{filed.id}").get_data(as_text=True)
    body = page.split("申请表内容", 1)[1].split("申请材料", 1)[0]
    assert FACTS not in body and "王某某" not in body and OPPOSING_ID not in body
    assert "（已隐去）" in body and OPPOSING_ID[:4] + "**********" + OPPOSING_ID[-4:] in body
    assert "某建筑劳务有限公司" in body

    assert _reveals(la, filed.id) == []
    revealed = client.get(f"/approvals/applications/{filed.id}?reveal=1").get_data(as_text=True)
    body = revealed.split("申请表内容", 1)[1].split("申请材料", 1)[0]
    assert FACTS in body and OPPOSING_ID in body
    [fields] = _reveals(la, filed.id)          # audited, naming the form fields seen
    assert {"id_number", "matter", "household", "savings", "opposing_party_id"} <= set(fields)

    with la.quanke.db.session() as s:
        auth = {"Authorization": "Bearer " + tokens.create_token(s, la.w.approver, name="test")}
    data = client.get(f"/api/v1/applications/{filed.id}", headers=auth).get_json()["form_data"]
    assert data["matter"] == data["household"] == data["savings"] == "（已隐去）"
    assert data["opposing_party_id"] == OPPOSING_ID[:4] + "**********" + OPPOSING_ID[-4:]
    assert data["category"] == "labour" and "_sealed" not in data
    data = client.get(f"/api/v1/applications/{filed.id}?reveal=1", headers=auth).get_json()["form_data"]
    assert data["matter"] == FACTS and data["opposing_party_id"] == OPPOSING_ID


def _reveals(la, app_id) -> list[list[str]]:
    with la.quanke.db.session() as s:
        return [e.data["fields"] for e in s.scalars(select(AuditEvent).where(
            AuditEvent.application_id == app_id, AuditEvent.action == "view_personal_data"))]


def _stored(la, app_id) -> dict:
    with la.quanke.db.session() as s:
        raw = s.execute(text("SELECT form_data FROM applications WHERE id = :i"), {"i": app_id}).scalar_one()
    return json.loads(raw) if isinstance(raw, str) else raw


def test_key_rotation_re_seals_form_fields_and_keys_check_names_a_damaged_one(la):
    from core.ops.key_rotation import add_key_version, rotate
    from core.ops.keys import check
    quanke = la.quanke
    first, second = la.accepted(opposing_party_id=OPPOSING_ID), la.accepted()
    assert {_stored(la, first.id)[k][:6] for k in ("matter", "household", "opposing_party_id")} == {"qk1:1:"}
    assert add_key_version(quanke) == 2
    report = rotate(quanke, batch=1)
    assert report.ok and report.retired == [1]
    assert {_stored(la, first.id)[k][:6] for k in ("matter", "household", "opposing_party_id")} == {"qk1:2:"}
    assert la.app(first.id).form_data["opposing_party_id"] == OPPOSING_ID
    assert check(quanke, full=True).ok

    damaged = _stored(la, second.id)
    damaged["matter"] = damaged["matter"][:-6] + ("A" if damaged["matter"][-6] != "A" else "B") + damaged["matter"][-5:]
    with quanke.db.session() as s:
        s.execute(text("UPDATE applications SET form_data = :f WHERE id = :i"),
                  {"f": json.dumps(damaged), "i": second.id})
    report = check(quanke, full=True)
    assert not report.ok
    [bad] = report.unreadable
    assert "applications.form_data.matter" in bad.message and bad.row == second.id
    assert la.app(first.id).form_data["matter"] == FACTS          # the others still read
