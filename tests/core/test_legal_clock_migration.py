"""Applications from before 0.2 get their statute's clock rule from each plugin's data
migration, and their first-contact owner from core_0008: on a copy of the demo district, on
PostgreSQL and SQLite."""
from __future__ import annotations

from sqlalchemy import func, null, select, update

from core.ops import demo, migrate
from core.platform.models import Application


def test_existing_applications_get_their_clock_rule(any_quanke):
    quanke = any_quanke
    demo.load_demo(quanke)
    with quanke.db.session() as s:
        total = s.scalar(select(func.count()).select_from(Application))
        assert total > 0
        # as a 0.1 database: no snapshot anywhere
        s.execute(update(Application).values(clock_rule=null()))  # SQL NULL, as core_0007 adds it
    for plugin in ("business_license", "archive_query", "legal_aid", "timebank"):
        migrate.downgrade(quanke, f"{plugin}_0002")
    migrate.upgrade(quanke)
    with quanke.db.session() as s:
        rows = s.execute(select(Application.service_code, Application.clock_rule)).all()
    assert migrate.is_current(quanke)
    by_service = {code: rule for code, rule in rows}
    built_in = ("business_license.", "archive_query.", "legal_aid.", "timebank.")
    missing = sorted({code for code, rule in rows if rule is None and code.startswith(built_in)})
    assert missing == []
    # a service without such a migration (the example plugin) keeps running on its declaration
    assert any(rule is None for code, rule in rows if code.startswith("residence."))
    aid = by_service["legal_aid.application"]
    assert aid["starts"] == "receipt" and aid["extension_days"] == 0 and aid["deemed_withdrawn"]
    assert aid["basis"]["law"] == "中华人民共和国法律援助法" and aid["basis"]["article"] == "第四十三条"
    licence = by_service["business_license.individual"]
    assert licence["days"] == 3 and licence["extension_days"] == 3
    assert licence["basis"]["article"] == "第十九条"


def test_existing_applications_get_their_first_contact_owner(any_quanke):
    quanke = any_quanke
    demo.load_demo(quanke)
    migrate.downgrade(quanke, "core_0007")      # as before 首问负责: no owner column at all
    migrate.upgrade(quanke)
    with quanke.db.session() as s:
        rows = s.execute(select(Application.filed_by_id, Application.accepted_by_id,
                                Application.owner_id)).all()
    assert rows and migrate.is_current(quanke)
    assert all(owner == (filed or accepted) for filed, accepted, owner in rows)
    assert any(owner is not None for _f, _a, owner in rows)
