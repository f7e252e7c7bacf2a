"""`quanke keys rotate` (issue 18): every value re-encrypted under the new key version in batches,
the system serving meanwhile, a killed run resuming, an edit made during the run kept, and a value
that does not decrypt named by table, column and row and left untouched."""
from __future__ import annotations

import base64

import pytest
from click.testing import CliRunner
from sqlalchemy import event, select, text

from core.ops.cli import main
from core.ops.demo import valid_resident_id
from core.ops.key_rotation import add_key_version, rotate, stale_count
from core.ops.keys import check
from core.people import applicants
from core.platform.audit import AuditEvent
from core.platform.crypto import KeyConfigError
from core.platform.crypto.keys import new_key_document, write_key_file
from core.platform.models import Applicant
from core.testing import runtime


def _people(quanke, n: int, start: int = 0) -> dict[int, tuple[str, str]]:
    made = {}
    with quanke.db.session() as s:
        for i in range(start, start + n):
            person, _ = applicants.register(s, kind="person", id_number=valid_resident_id(f"3201021980{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}"),
                                            name=f"居民{i}", phone=f"1370000{i:04d}", actor="test")
            made[person.id] = (person.id_number, person.phone)
    return made


def _versions(quanke, column="id_number") -> list[str]:
    with quanke.db.engine.connect() as c:
        return [v.split(":")[1] for v in c.execute(text(f"SELECT {column} FROM applicants")).scalars() if v]


def _read_all(quanke) -> dict[int, tuple[str, str]]:
    with quanke.db.session() as s:
        return {a.id: (a.id_number, a.phone) for a in s.scalars(select(Applicant))}


def test_rotation_re_encrypts_every_value_and_retires_the_old_version(any_quanke):
    quanke = any_quanke
    people = _people(quanke, 25)
    assert add_key_version(quanke) == 2
    assert set(_versions(quanke)) == {"1"}                   # adding a version changes no data
    # per person: the ID number and phone, and the audit event of the registration (its subject)
    expected = 25 * 3
    report = rotate(quanke, batch=7)
    assert report.ok and report.rotated == expected and report.retired == [1]
    assert set(_versions(quanke)) == {"2"} and set(_versions(quanke, "phone")) == {"2"}
    assert _read_all(quanke) == people
    with quanke.db.session() as s:                            # look-ups unchanged (index key kept)
        some_id, (number, _phone) = next(iter(people.items()))
        assert applicants.find(s, "person", number).id == some_id
        event_ = s.scalar(select(AuditEvent).where(AuditEvent.action == "data_keys_rotated"))
        assert event_.data["rotated"] == expected and event_.data["retired"] == [1]
    assert check(quanke, full=True).ok
    assert stale_count(quanke, 2) == {k: 0 for k in stale_count(quanke, 2)}


def test_a_killed_rotation_resumes_and_the_system_serves_meanwhile(quanke):
    people = _people(quanke, 30)
    add_key_version(quanke)
    calls = []

    def serve_then_die(n):
        calls.append(n)
        if len(calls) == 1:            # between batches: the counter keeps working
            people.update(_people(quanke, 1, start=500))
            assert _read_all(quanke) == people
        elif len(calls) == 2:
            raise KeyboardInterrupt      # kill -INT in the middle of the run

    with pytest.raises(KeyboardInterrupt):
        rotate(quanke, batch=8, progress=serve_then_die)
    versions = _versions(quanke)
    assert "1" in versions and "2" in versions                # half done, all readable
    assert _read_all(quanke) == people
    report = rotate(quanke, batch=8)                          # run again: it continues
    assert report.ok and set(_versions(quanke)) == {"2"} and report.rotated < 31 * 3  # fewer than all (ID, phone, audit subject per person)
    assert _read_all(quanke) == people


@pytest.mark.postgres
def test_a_phone_changed_during_rotation_keeps_the_change(pg_quanke):
    quanke = pg_quanke
    people = _people(quanke, 5)
    target = next(iter(people))
    add_key_version(quanke)
    engine, done = quanke.db.engine, []

    @event.listens_for(engine, "before_cursor_execute")
    def edit_first(conn, cursor, statement, params, context, executemany):
        if statement.startswith("UPDATE applicants SET phone") and not done:
            done.append(True)          # someone edits the row between the rotation's read and write
            with quanke.db.session() as s:
                s.get(Applicant, target).phone = "13912345678"
    try:
        report = rotate(quanke, batch=100)
    finally:
        event.remove(engine, "before_cursor_execute", edit_first)
    assert report.skipped_changed == 1
    with quanke.db.session() as s:
        assert s.get(Applicant, target).phone == "13912345678"
    assert set(_versions(quanke, "phone")) == {"2"}


def _flip_phone(quanke, applicant_id):
    with quanke.db.engine.begin() as c:
        token = c.execute(text("SELECT phone FROM applicants WHERE id = :i"), {"i": applicant_id}).scalar()
        head, body = token.rsplit(":", 1)
        raw = bytearray(base64.b64decode(body))
        raw[-1] ^= 0x80
        bad = f"{head}:{base64.b64encode(bytes(raw)).decode()}"
        c.execute(text("UPDATE applicants SET phone = :t WHERE id = :i"), {"t": bad, "i": applicant_id})
    return bad


def test_a_value_that_does_not_decrypt_is_named_and_left_as_it_is(any_quanke):
    quanke = any_quanke
    people = _people(quanke, 6)
    broken = sorted(people)[2]
    bad = _flip_phone(quanke, broken)
    add_key_version(quanke)
    report = rotate(quanke, batch=4)
    assert not report.ok and [(e.label, e.row) for e in report.unreadable] == [("applicants.phone", broken)]
    assert f"applicants.phone（第 {broken} 行" in report.unreadable[0].message
    assert report.retired == []                              # version 1 still holds that value
    with quanke.db.engine.connect() as c:
        assert c.execute(text("SELECT phone FROM applicants WHERE id = :i"), {"i": broken}).scalar() == bad
    assert _versions(quanke, "phone").count("1") == 1 and set(_versions(quanke)) == {"2"}
    full = check(quanke, full=True)
    assert [(e.label, e.row) for e in full.unreadable] == [("applicants.phone", broken)]


def test_rotation_refuses_another_deployments_key_and_changes_nothing(quanke, tmp_path):
    _people(quanke, 3)
    before = _versions(quanke)
    other = tmp_path / "other.json"
    write_key_file(other, new_key_document())
    quanke.config["KEY_FILE"] = str(other)
    with pytest.raises(KeyConfigError) as err:
        rotate(quanke)
    assert err.value.code == "key_mismatch" and "不一致" in err.value.message
    with quanke.db.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM applicants WHERE id_number LIKE 'qk1:1:%'")).scalar() == 3
    assert _versions(quanke) == before


def test_rotate_command_with_a_new_key_and_its_report(tmp_path, sqlite_template):
    import shutil
    shutil.copy(sqlite_template, tmp_path / "r.db")
    quanke = runtime(f"sqlite:///{tmp_path}/r.db", tmp_path)
    people = _people(quanke, 4)
    broken = sorted(people)[0]
    _flip_phone(quanke, broken)
    key_file = quanke.keys.key_file
    quanke.close()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/r.db", "QUANKE_INSTANCE_PATH": str(tmp_path),
           "QUANKE_KEY_FILE": str(key_file), "QUANKE_DATA_KEYS": None}
    result = CliRunner().invoke(main, ["keys", "rotate", "--new-key", "--batch", "2"], env=env)
    assert result.exit_code == 1, result.output
    assert "已加入密钥版本 2" in result.output and "已改写 11 个值" in result.output  # 4 × (ID, phone, audit subject) − the broken phone
    assert f"applicants.phone（第 {broken} 行" in result.stderr and "保持原样未改写" in result.stderr
    assert '"active": 2' in key_file.read_text() and (key_file.stat().st_mode & 0o777) == 0o600


def test_keys_from_the_environment_cannot_be_added_to_by_the_command(quanke):
    quanke.config["DATA_KEYS"] = '{"format": "quanke-keys/1"}'
    with pytest.raises(KeyConfigError) as err:
        add_key_version(quanke)
    assert err.value.code == "key_source_readonly"
