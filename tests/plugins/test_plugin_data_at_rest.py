"""No plaintext ID number or phone at rest (issue 18), with every plugin's data written through
the app: each plugin's demo loader files, accepts and decides applications through the
workflow and fills the plugin's own tables (register, archive, legal-aid cases, time bank).

Then the raw SQL rows of every table, the SQLite file / ``pg_dump`` output and the
``quanke backup`` archive are searched for every person's ID number and phone (read back
decrypted through the ORM): none may be there. A plain column (a business's name) is found
in the same search — so the search itself works. Restoring the backup with the key gives the
same people back and the audit chain verifies.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from core.ops.backup import _libpq, backup, restore
from core.platform import audit
from core.platform.models import Applicant, Application
from core import acceptance
from core.testing import file_at_counter, seed_world
from plugins.archive_query import demo as archive_demo
from plugins.archive_query.domain.store import records_for_person
from plugins.archive_query.models import RecordPerson
from plugins.business_license import demo as licence_demo
from plugins.business_license.domain.lookups import search_businesses
from plugins.business_license.models import RegisteredBusiness
from plugins.legal_aid import demo as legal_aid_demo
from plugins.timebank import demo as timebank_demo
from plugins.timebank.models import Holder


def _load_everything(quanke):
    world = seed_world(quanke, department="timebank")   # the time bank's demo needs its own staff
    counts = (licence_demo.load(quanke, count=30, progress=False), archive_demo.load(quanke, "demo"),
              legal_aid_demo.load(quanke), timebank_demo.load(quanke))
    assert all(counts), counts
    # Every plugin service's example filed at the counter and accepted through the workflow: the
    # examples carry the applicant's ID, phones, household incomes and case facts in the form.
    # (change, deregistration and the food permit need a registered business of the applicant's)
    for code in ("business_license.individual", "archive_query.query", "legal_aid.application",
                 "timebank.volunteer"):
        acceptance.accept(quanke, world.acceptor, file_at_counter(world, code).id,
                          warn_reason="测试：受理后审查")


def _secrets(quanke) -> tuple[set[str], str]:
    """Every ID number and phone the app holds (decrypted), and one plain business name."""
    found: set = set()
    with quanke.db.session() as s:
        for a in s.scalars(select(Applicant)):
            found |= {a.id_number, a.phone}
        found |= set(s.scalars(select(RecordPerson.id_number)))
        for b in s.scalars(select(RegisteredBusiness)):
            found |= {b.operator_id_number, b.phone} | {m.get("id_number") for m in b.family_members or []}
        found |= {h.subject for h in s.scalars(select(Holder).where(Holder.kind == "person"))}
        for app in s.scalars(select(Application)):
            found |= {v for k, v in (app.form_data or {}).items()
                      if k.endswith(("id_number", "phone")) and isinstance(v, str)}
        name = s.scalar(select(RegisteredBusiness.name).where(RegisteredBusiness.name != "").limit(1))
    return {v for v in found if v and len(v) >= 11}, name


def _leaks(blob: str, secrets: set[str]) -> list[str]:
    return sorted(v for v in secrets if v in blob)


def _raw_rows(quanke) -> dict[str, str]:
    with quanke.db.engine.connect() as conn:
        return {t: "\n".join(str(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{t}"')))
                for t in inspect(conn).get_table_names()}


def test_no_plaintext_id_or_phone_in_rows_dumps_or_backups(any_quanke, tmp_path):
    quanke = any_quanke
    _load_everything(quanke)
    secrets, plain_name = _secrets(quanke)
    assert len(secrets) > 500   # operators, family members, archive persons, members, applicants
    assert "13800000001" in secrets   # the licence form's phone: sealed inside the form data

    rows = _raw_rows(quanke)
    leaking = {table: _leaks(blob, secrets)[:3] for table, blob in rows.items() if _leaks(blob, secrets)}
    assert leaking == {}
    assert plain_name in rows["bl_registered_businesses"]     # the search does find plain text

    archive = backup(quanke, tmp_path / "backup.bin")
    if quanke.db.is_postgres:
        url, env = _libpq(quanke.db.url)
        dump = subprocess.run(["pg_dump", "--no-owner", f"--dbname={url}"], env=env, check=True,
                              capture_output=True, text=True).stdout
        script = subprocess.run(["pg_restore", "--file=-", str(archive)], env=env, check=True,
                                capture_output=True, text=True).stdout
        files = {"pg_dump": dump, "backup": script}
    else:
        quanke.db.dispose()
        files = {"database file": quanke.db.engine.url.database, "backup": str(archive)}
        files = {k: Path(path).read_bytes().decode("utf-8", "replace") for k, path in files.items()}
    for what, blob in files.items():
        assert _leaks(blob, secrets) == [], what
        assert plain_name in blob, what

    # Restore with the key: the same people come back, look-ups work, the chain verifies.
    with quanke.db.session() as s:
        before = (s.scalar(select(func.count(RecordPerson.id))), s.scalar(select(func.count(Applicant.id))))
        s.execute(text("DELETE FROM aq_record_persons"))   # lost after the backup
    restore(quanke, archive)
    assert _secrets(quanke) == (secrets, plain_name)
    with quanke.db.session() as s:
        assert (s.scalar(select(func.count(RecordPerson.id))), s.scalar(select(func.count(Applicant.id)))) == before
        person = s.scalars(select(RecordPerson).limit(1)).one()
        assert person.record_id in {r.id for r in records_for_person(s, person.id_number)}
        business = s.scalars(select(RegisteredBusiness).limit(1)).one()
        found, _ = search_businesses(s, operator_id=business.operator_id_number.lower())
        assert business.id in {b.id for b in found}
        assert audit.verify(s).ok


PREVIOUS = ("core_0014", "business_license_0008", "archive_query_0003", "legal_aid_0004", "timebank_0003")


def _readable(quanke) -> tuple:
    with quanke.db.session() as s:
        businesses = sorted((b.id, b.operator_id_number, b.phone, str(b.family_members))
                            for b in s.scalars(select(RegisteredBusiness)))
        persons = sorted(s.execute(select(RecordPerson.id, RecordPerson.id_number)).all())
        forms = sorted((a.id, str(sorted(a.form_data.items()))) for a in s.scalars(select(Application)))
        holders = sorted((h.id, h.subject, h.address) for h in s.scalars(select(Holder)))
    return businesses, persons, forms, holders


def test_an_existing_database_is_encrypted_in_place_and_decrypted_on_downgrade(any_quanke):
    from core.ops import migrate
    quanke = any_quanke
    _load_everything(quanke)
    secrets, _ = _secrets(quanke)
    before = _readable(quanke)
    for revision in PREVIOUS:
        migrate.downgrade(quanke, revision)
    rows = _raw_rows(quanke)
    for table in ("bl_registered_businesses", "aq_record_persons", "tb_holders"):
        assert _leaks(rows[table], secrets), table       # plaintext again, as before issue 18
    assert "_sealed" not in rows["applications"] and "qk1:" not in rows["applications"]
    migrate.upgrade(quanke)
    assert migrate.is_current(quanke) and migrate.schema_diff(quanke) == []
    rows = _raw_rows(quanke)
    assert {t: _leaks(blob, secrets)[:3] for t, blob in rows.items() if _leaks(blob, secrets)} == {}
    assert "_sealed" in rows["applications"]      # legal-aid facts and incomes sealed again
    assert _readable(quanke) == before
    with quanke.db.session() as s:
        person = s.scalars(select(RecordPerson).limit(1)).one()
        assert person.record_id in {r.id for r in records_for_person(s, person.id_number)}
        business = s.scalars(select(RegisteredBusiness).limit(1)).one()
        found, _ = search_businesses(s, operator_id=business.operator_id_number)
        assert business.id in {b.id for b in found}
