"""The audit chain in SM3 with the person concerned encrypted (issue 18; GB/T 39786 expects
national algorithms, PIPL Art. 51 encryption): a chain begun in SHA-256 keeps verifying, new
links are SM3, a DBA's edit of a subject is caught, and events are still found by ID number."""
from __future__ import annotations

import base64
import hashlib
import json

from sqlalchemy import select, text

from core.ops import migrate
from core.platform import audit
from core.platform.audit import AuditEvent
from core.platform.models import Applicant
from core.testing import drive_to, runtime, seed_world


def _number(quanke, world):
    with quanke.db.session() as s:
        return s.get(Applicant, world.citizen.applicant_id).id_number


def _rows(quanke):
    with quanke.db.engine.connect() as c:
        return c.execute(text("SELECT * FROM audit_events ORDER BY seq")).mappings().all()


def test_new_links_are_sm3_over_the_plaintext_and_the_subject_is_ciphertext(any_quanke):
    quanke = any_quanke
    world = seed_world(quanke)
    drive_to(world, "in_review")
    number = _number(quanke, world)
    rows = _rows(quanke)
    assert rows and {r["algorithm"] for r in rows} == {"sm3"}
    assert not any(number in json.dumps(dict(r), default=str) for r in rows)
    with quanke.db.session() as s:
        accept = s.scalar(select(AuditEvent).where(AuditEvent.action == "accept"))
        assert accept.subject == number                   # read back through the model
        payload = json.dumps({
            "seq": accept.seq, "at": accept.at.strftime("%Y-%m-%dT%H:%M:%S.%f"), "actor": accept.actor,
            "action": accept.action, "object_type": accept.object_type, "object_id": accept.object_id,
            "application_id": accept.application_id, "subject": number, "data": accept.data,
            "prev": accept.prev_hash}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert accept.hash == hashlib.new("sm3", payload.encode()).hexdigest()
        assert audit.verify(s).ok


def test_events_about_a_person_are_found_by_id_number(any_quanke):
    quanke = any_quanke
    world = seed_world(quanke)
    app = drive_to(world, "accepted")
    number = _number(quanke, world)
    with quanke.db.session() as s:
        found = s.scalars(select(AuditEvent).where(AuditEvent.subject_index == number.lower())).all()
    assert {"file", "accept"} <= {e.action for e in found if e.application_id == app.id}


def test_sha256_is_selectable(tmp_path, sqlite_template):
    import shutil
    shutil.copy(sqlite_template, tmp_path / "a.db")
    quanke = runtime(f"sqlite:///{tmp_path}/a.db", tmp_path, AUDIT_HASH="SHA-256")
    try:
        drive_to(seed_world(quanke), "accepted")
        assert {r["algorithm"] for r in _rows(quanke)} == {"sha256"}
        with quanke.db.session() as s:
            assert audit.verify(s).ok
    finally:
        quanke.close()


def test_a_chain_from_before_keeps_verifying_and_continues_in_sm3(tmp_path, sqlite_template):
    import shutil
    shutil.copy(sqlite_template, tmp_path / "old.db")
    url = f"sqlite:///{tmp_path}/old.db"
    before = runtime(url, tmp_path, AUDIT_HASH="SHA-256")     # as 0.2 sealed it: SHA-256
    world = seed_world(before)
    drive_to(world, "accepted")
    number = _number(before, world)
    migrate.downgrade(before, "core_0012")                    # subject back in plaintext
    with before.db.engine.connect() as c:
        assert number in c.execute(text("SELECT group_concat(subject) FROM audit_events")).scalar()
    before.close()
    after = runtime(url, tmp_path)                             # the new release: SM3
    try:
        migrate.upgrade(after)
        rows = _rows(after)
        assert {r["algorithm"] for r in rows} == {None}
        assert not any(number in json.dumps(dict(r), default=str) for r in rows)
        with after.db.session() as s:
            assert audit.verify(s).ok
            audit.record(s, actor="test", action="after_upgrade", object_type="t", object_id=1,
                         subject=number)
        with after.db.session() as s:
            result = audit.verify(s)
            assert result.ok and result.checked == len(rows) + 1
        assert _rows(after)[-1]["algorithm"] == "sm3"
    finally:
        after.close()


def _tampered(quanke, seq, value):
    with quanke.db.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET subject = :s WHERE seq = :q"), {"s": value, "q": seq})
    with quanke.db.session() as s:
        return audit.verify(s)


def test_a_subject_swapped_or_altered_in_sql_is_caught(any_quanke):
    quanke = any_quanke
    drive_to(seed_world(quanke), "accepted")
    with quanke.db.session() as s:
        plain = {e.seq: e.subject for e in s.scalars(select(AuditEvent)) if e.subject}
    stored = {r["seq"]: r["subject"] for r in _rows(quanke)}
    first = min(plain)
    other = next(q for q in sorted(plain) if plain[q] != plain[first])
    # Another event's ciphertext decrypts fine (same column) but names someone else: the hash says so.
    swapped = _tampered(quanke, first, stored[other])
    assert not swapped.ok and swapped.first_bad_seq == first and "记录被修改" in swapped.problem
    head, body = stored[first].rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[-3] ^= 0x10
    flipped = _tampered(quanke, first, f"{head}:{base64.b64encode(bytes(raw)).decode()}")
    assert not flipped.ok and flipped.first_bad_seq == first
    assert "当事人字段无法解密" in flipped.problem
    assert _tampered(quanke, first, stored[first]).ok              # put back: whole again
