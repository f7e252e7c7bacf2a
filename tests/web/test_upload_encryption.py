"""Uploaded material files encrypted on disk (issue 18): the file holds ciphertext only, is
named by a keyed HMAC (not the bare sha256 of the document), still de-duplicates, and the
material page returns the original bytes; files from before are encrypted in place by
``quanke uploads encrypt``."""
from __future__ import annotations

import base64
import hashlib

from click.testing import CliRunner
from sqlalchemy import select

from core.acceptance import uploads
from core.ops.upload_commands import encrypt_uploads
from core.platform.models import Material

PDF = b"%PDF-1.4\n" + "身份证明 320102199003071239 ".encode() * 20


def _file(world, app_id, pdf=PDF):
    from core import acceptance
    from core.acceptance.uploads import Upload
    return acceptance.file_application(world.quanke, world.counter, service_code="sample.permit",
                                       applicant_id=world.citizen.applicant_id,
                                       form_data={"purpose": f"加密{app_id}"}, consent=True,
                                       uploads=[Upload("id_proof", "id.pdf", pdf)])


def _materials(world):
    with world.quanke.db.session() as s:
        return [(m.id, m.sha256) for m in s.scalars(select(Material).where(Material.sha256 != "")
                                                   .order_by(Material.id))]


def test_the_file_on_disk_is_ciphertext_and_the_download_is_the_original(web, world, as_user):
    _file(world, 1)
    _file(world, 2)                                   # the same content again
    (m1, key1), (m2, key2) = _materials(world)
    bare = hashlib.sha256(PDF).hexdigest()
    assert key1 == key2 != bare and len(key1) == 32   # de-duplicated by the keyed HMAC
    upload_dir = world.quanke.config["UPLOAD_DIR"]
    on_disk = uploads.storage_path(upload_dir, key1).read_bytes()
    assert PDF not in on_disk and b"320102199003071239" not in on_disk and b"%PDF" not in on_disk
    assert not uploads.storage_path(upload_dir, bare).exists()
    r = as_user("counter").get(f"/materials/{m1}")
    assert r.status_code == 200 and r.data == PDF


def test_a_tampered_file_is_not_served_as_garbage(web, world, as_user):
    _file(world, 1)
    [(mid, key)] = _materials(world)
    path = uploads.storage_path(world.quanke.config["UPLOAD_DIR"], key)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    r = as_user("counter").get(f"/materials/{mid}")
    assert r.status_code >= 400 and PDF not in r.data


def test_legacy_plaintext_files_are_encrypted_in_place(web, world, as_user):
    _file(world, 1)
    [(mid, key)] = _materials(world)
    upload_dir = world.quanke.config["UPLOAD_DIR"]
    # as an installation before encryption left it: plaintext named by the bare sha256
    bare = hashlib.sha256(PDF).hexdigest()
    uploads.storage_path(upload_dir, key).unlink()
    legacy = uploads.storage_path(upload_dir, bare)
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(PDF)
    with world.quanke.db.session() as s:
        s.get(Material, mid).sha256 = bare
        s.commit()
    assert as_user("counter").get(f"/materials/{mid}").data == PDF   # served while not migrated
    assert encrypt_uploads(world.quanke) == {"encrypted": 1, "skipped": []}
    [(_, new)] = _materials(world)
    assert new == key and not legacy.exists()
    assert PDF not in uploads.storage_path(upload_dir, new).read_bytes()
    assert as_user("counter").get(f"/materials/{mid}").data == PDF
    assert encrypt_uploads(world.quanke) == {"encrypted": 0, "skipped": []}   # resumable, idempotent


def test_the_command_reports_a_file_that_does_not_match_its_name(web, world):
    _file(world, 1)
    [(mid, _key)] = _materials(world)
    bogus = "ab" * 32
    with world.quanke.db.session() as s:
        s.get(Material, mid).sha256 = bogus
        s.commit()
    from core.ops.cli import main
    result = CliRunner().invoke(main, ["uploads", "encrypt"], obj=world.quanke)
    assert result.exit_code == 1 and bogus in result.output
    assert _materials(world) == [(mid, bogus)]


def test_api_upload_is_encrypted_too(web, world, api):
    body = {"service_code": "sample.permit", "applicant_id": world.citizen.applicant_id,
            "form_data": {"purpose": "接口"}, "consent": True,
            "uploads": [{"material_code": "id_proof", "filename": "id.pdf",
                         "content_base64": base64.b64encode(PDF).decode()}]}
    assert api("counter", "post", "/api/v1/applications", json=body).status_code == 201
    [(_, key)] = _materials(world)
    assert PDF not in uploads.storage_path(world.quanke.config["UPLOAD_DIR"], key).read_bytes()
