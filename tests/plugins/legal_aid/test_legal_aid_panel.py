"""The centre's dashboard panel: one query whatever the number of cases, shown on the
approver's queue page, and the same count as the case-by-case rule it replaces."""
from sqlalchemy import event, select

from plugins.legal_aid.domain import decisions, queries, roster
from plugins.legal_aid.models import Lawyer


def _no_lawyers(la):
    with la.quanke.db.session() as s:
        for lawyer in s.scalars(select(Lawyer)):
            roster.set_active(s, lawyer.id, active=False, actor="test", reason="测试")


def _granted(la, n):
    ids = []
    for _ in range(n):
        app = la.accepted()
        decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
        ids.append(app.id)
    return ids


def _panel_and_statements(app, la):
    statements = []
    engine = la.quanke.db.engine

    def listener(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context():
            panels = [p for p in la.quanke.plugins.collect("dashboard_panels", quanke=la.quanke,
                                                            user=la.w.approver)
                      if "法律援助" in p["title"]]
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return panels, [s for s in statements if not s.strip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]


def test_panel_counts_in_one_query_whatever_the_number_of_cases(app, la):
    la.quanke.config["LEGAL_AID_PANEL_CACHE_SECONDS"] = 0
    _no_lawyers(la)
    _granted(la, 1)
    panels, one = _panel_and_statements(app, la)
    assert panels[0]["value"] == 1
    _granted(la, 3)
    panels, four = _panel_and_statements(app, la)
    assert panels[0]["value"] == 4
    assert len(four) == len(one) == 1, four


def test_panel_count_matches_the_waiting_list(app, la):
    _no_lawyers(la)
    ids = _granted(la, 2)
    with la.quanke.db.session() as s:
        waiting = queries.waiting_for_lawyer(la.quanke, s)
        assert sorted(w["id"] for w in waiting) == sorted(ids)
        assert all(w["due_on"] is not None for w in waiting)
        assert queries.count_waiting_for_lawyer(s) == 2


def test_approver_queue_page_shows_the_panel(app, la):
    _no_lawyers(la)
    _granted(la, 2)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"u:{la.w.approver.id}"
        sess["_fresh"] = True
    page = client.get("/approvals/justice", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "待指派律师的法律援助案件" in html and 'href="/legal-aid/cases?status=granted"' in html


def test_panel_count_is_reused_for_a_minute(app, la):
    """On every queue page: a worker counts at most once a minute (then no query at all)."""
    _no_lawyers(la)
    _granted(la, 1)
    panels, first = _panel_and_statements(app, la)
    assert panels[0]["value"] == 1 and len(first) == 1
    _granted(la, 1)
    panels, again = _panel_and_statements(app, la)
    assert panels[0]["value"] == 1 and again == []
    la.quanke.config["LEGAL_AID_PANEL_CACHE_SECONDS"] = 0
    panels, _ = _panel_and_statements(app, la)
    assert panels[0]["value"] == 2
