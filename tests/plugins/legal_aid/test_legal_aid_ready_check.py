"""/readyz and `quanke keys check` on form data sealed by a plugin (issue 18): the probe decrypts
the newest sealed document among the newest rows — it does not read the whole applications
table on every probe — and a value that does not decrypt there fails it, naming the row."""
from __future__ import annotations

import json

from sqlalchemy import text

from core.ops import keys, sealed_rotation
from core.platform.crypto.sealed import MARK


def _spoil(quanke, app_id: int) -> None:
    with quanke.db.engine.begin() as conn:
        doc = json.loads(conn.execute(text("SELECT form_data FROM applications WHERE id = :i"), {"i": app_id}).scalar())
        key = doc[MARK][0]
        doc[key] = doc[key][:-6] + "AAAAAA"       # a flipped tail: the tag no longer matches
        conn.execute(text("UPDATE applications SET form_data = :d WHERE id = :i"), {"d": json.dumps(doc), "i": app_id})


def test_the_probe_decrypts_the_newest_sealed_form_and_reports_a_spoilt_one(la):
    first, newest = la.accepted(), la.accepted()
    report = keys.check(la.quanke)
    assert report.ok and report.checked >= 1
    _spoil(la.quanke, newest.id)
    report = keys.check(la.quanke)
    assert not report.ok and any(str(newest.id) in e.message for e in report.unreadable)
    assert not keys.check(la.quanke, full=True).ok


def test_the_probe_looks_only_among_the_newest_rows(la, monkeypatch):
    old = la.accepted()
    _spoil(la.quanke, old.id)
    for _ in range(2):
        la.file()                                  # newer applications, none of them sealed yet
    with la.quanke.db.engine.begin() as conn:      # … their form data unsealed (no sensitive field filled)
        conn.execute(text("UPDATE applications SET form_data = '{}' WHERE id > :i"), {"i": old.id})
    monkeypatch.setattr(sealed_rotation, "READY_WINDOW", 2)
    assert keys.check(la.quanke).ok                # the spoilt row is older than the window: not read
    full = keys.check(la.quanke, full=True)        # `quanke keys check --full` reads every row
    assert not full.ok and any(str(old.id) in e.message for e in full.unreadable)
