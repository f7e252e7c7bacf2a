"""Counter and approver comfort (issue 21): a re-check that finds nothing new adds no identical
evidence block and says so, a changed result is stored and named; legal aid's guide counts the
statute's calendar days (7 日, not 7 个工作日)."""
from __future__ import annotations

import html as markup
import re

from sqlalchemy import func, select

from core.platform.models import Application, CheckEvidence
from core.testing import drive_to


def _evidence_rows(world, app_id) -> int:
    with world.quanke.db.session() as s:
        return s.scalar(select(func.count(CheckEvidence.id)).where(CheckEvidence.application_id == app_id))


def _text(page: str) -> str:
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_recheck_that_finds_nothing_new_adds_no_block_and_a_change_is_stored(as_user, world):
    app = drive_to(world, "accepted")
    before = _evidence_rows(world, app.id)
    approver = as_user("approver")
    page = approver.get(f"/approvals/applications/{app.id}")
    assert page.status_code == 200
    for _ in range(2):
        response = approver.post(f"/approvals/applications/{app.id}/recheck", follow_redirects=True)
        assert "结果与上次相同，未新增记录" in _text(response.get_data(as_text=True))
    assert _evidence_rows(world, app.id) == before           # no identical blocks piled up
    with world.quanke.db.session() as s:                      # the facts change under the case
        row = s.get(Application, app.id)
        row.form_data = {**row.form_data, "purpose": "需要提示的用途"}
        s.commit()
    response = approver.post(f"/approvals/applications/{app.id}/recheck", follow_redirects=True)
    text = _text(response.get_data(as_text=True))
    assert "用途核查 的结果有变化，已记录" in text
    assert "用途核查：通过 → 提示" in text                      # the change, shown on the case
    assert _evidence_rows(world, app.id) == before + 1
    response = approver.post(f"/approvals/applications/{app.id}/recheck", follow_redirects=True)
    assert "结果与上次相同" in _text(response.get_data(as_text=True))
    assert _evidence_rows(world, app.id) == before + 1


def test_legal_aid_guide_counts_the_statutes_calendar_days(as_user):
    citizen = as_user("citizen")
    guide = _text(citizen.get("/portal/services/legal_aid.application").get_data(as_text=True))
    listing = _text(citizen.get("/portal/services").get_data(as_text=True))
    assert "7日内办结" in guide and "7个工作日" not in guide.replace(" ", "")
    assert re.search(r"法律援助申请.{0,80}7日", listing) and "7个工作日" not in listing.replace(" ", "")


def test_a_department_queue_shows_only_its_own_departments_panels(sqlite_template, tmp_path):
    import shutil
    import types

    from core import hookimpl
    from core.testing import Browser, runtime, seed_world, sign_in
    plugin = types.ModuleType("kitpanels")
    plugin.dashboard_panels = hookimpl(lambda user: [
        {"title": "样例部门待办面板", "value": 3, "department": "sample_dept"},
        {"title": "其他部门待办面板", "value": 4, "department": "other_dept"},
        {"title": "首页通用面板", "value": 5}])
    shutil.copy(sqlite_template, tmp_path / "p.db")
    quanke = runtime(f"sqlite:///{tmp_path}/p.db", tmp_path, extra_plugins=[plugin])
    try:
        world = seed_world(quanke)
        app = quanke.web_app()
        app.config.update(TESTING=True)

        def page(who, path):
            client = app.test_client()
            sign_in(client, who)
            return _text(Browser(client).text(path))
        own = page(world.approver, "/approvals/sample_dept")
        assert "样例部门待办面板" in own and "其他部门待办面板" not in own and "首页通用面板" not in own
        other = page(world.approver_other, "/approvals/other_dept")
        assert "其他部门待办面板" in other and "样例部门待办面板" not in other
        home = page(world.counter, "/counter/")
        assert "首页通用面板" in home
    finally:
        quanke.close()
