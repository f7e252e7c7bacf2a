"""The plugin contract, the demo archive, and the hooks the core calls."""
from __future__ import annotations

import shutil

from sqlalchemy import func, select

from core.testing import check_plugin, runtime
from plugins.archive_query import demo
from plugins.archive_query.models import ArchiveRecord, ImportRun, RecordPerson
from plugins.archive_query.domain.store import records_for_person


def test_plugin_passes_the_contract_with_every_plugin_loaded(sqlite_template, tmp_path):
    path = tmp_path / "full.db"
    shutil.copy(sqlite_template, path)
    quanke = runtime(f"sqlite:///{path}", tmp_path)  # the core's kit: all plugins, as deployed
    try:
        check_plugin("archive_query", quanke)
    finally:
        quanke.close()


def test_demo_archive_is_realistic_and_a_second_run_adds_nothing(quanke, monkeypatch):
    monkeypatch.setitem(demo.SCALES, "demo", 200)  # 5 × 200 rows keep the test quick
    created = quanke.hook.demo_data(quanke=quanke, scale="demo")
    assert sum(created) > 900  # a few rows fall in the future and are skipped
    with quanke.db.session() as session:
        records = session.scalar(select(func.count(ArchiveRecord.id)))
        persons = session.scalar(select(func.count(RecordPerson.id)))
        by_category = dict(session.execute(select(ArchiveRecord.category, func.count())
                                           .group_by(ArchiveRecord.category)).all())
        runs = session.scalars(select(ImportRun)).all()
        assert records == sum(created) and persons > records  # couples on marriage records
        assert set(by_category) == {"family_planning", "marriage", "employment", "appointment",
                                    "veteran"}
        assert all(r.status == "done" and r.bad_rows == 0 for r in runs)
        zhang, li = demo.CITIZENS[0][2], demo.CITIZENS[1][2]
        [married] = [r for r in records_for_person(session, zhang) if r.category == "marriage"]
        assert {p.id_number for p in married.persons} == {zhang, li}
    assert quanke.hook.demo_data(quanke=quanke, scale="demo") == [0]
    with quanke.db.session() as session:
        assert session.scalar(select(func.count(ArchiveRecord.id))) == records


def test_generated_people_never_share_a_resident_id():
    seen = {}
    for k in range(20_000):
        person = demo.Person(k)
        assert seen.setdefault(person.id_number, k) == k
        assert (int(person.id_number[16]) % 2 == 1) == person.male
