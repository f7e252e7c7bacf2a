"""Uploaded images are decoded and re-encoded: no EXIF/GPS, nothing appended survives,
undecodable "images" and decompression bombs are refused, storage stays content-addressed."""
from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from PIL import Image

from core.acceptance import uploads as materials
from core.platform.errors import InvalidInput
from core.acceptance.uploads import Upload, check_upload, store
from core.contract.services import MaterialSpec

SPEC = MaterialSpec("photo", "现场照片", accepted_types=frozenset({"image/jpeg", "image/png"}),
                    max_bytes=5 * 1024 * 1024)


def _jpeg_with_gps(**kw) -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"                       # Make
    exif[0x0112] = kw.get("orientation", 1)           # Orientation
    gps = {1: "N", 2: (32.0, 3.0, 30.0), 3: "E", 4: (118.0, 47.0, 10.0)}
    exif[0x8825] = gps                                # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def test_exif_and_gps_are_gone_and_the_hash_is_of_what_is_stored(tmp_path):
    original = _jpeg_with_gps()
    assert b"PhoneMaker" in original and Image.open(io.BytesIO(original)).getexif().get(0x8825)
    checked = check_upload(SPEC, Upload("photo", "p.jpg", original))
    assert checked.content_type == "image/jpeg" and b"PhoneMaker" not in checked.data
    clean = Image.open(io.BytesIO(checked.data))
    assert clean.size == (64, 48) and not clean.getexif()
    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest() and checked.size == len(checked.data)
    from core.platform.crypto.keys import new_key_document, ring_from_document
    ring = ring_from_document(new_key_document(), "test")
    key = store(tmp_path, checked, ring)                  # encrypted, under a keyed name
    path = materials.storage_path(tmp_path, key)
    assert key != checked.sha256 and checked.data not in path.read_bytes()
    assert materials.read(tmp_path, key, ring) == checked.data
    again = check_upload(SPEC, Upload("photo", "same.jpg", original))
    assert again.sha256 == checked.sha256                 # deterministic: stored once


def test_orientation_is_applied_before_exif_is_dropped():
    rotated = _jpeg_with_gps(orientation=6)               # "rotate 90° to view"
    checked = check_upload(SPEC, Upload("photo", "p.jpg", rotated))
    assert Image.open(io.BytesIO(checked.data)).size == (48, 64)


def test_a_polyglot_loses_its_payload():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("evil.html", "<script>alert(1)</script>")
    polyglot = _jpeg_with_gps() + buffer.getvalue()
    checked = check_upload(SPEC, Upload("photo", "p.jpg", polyglot))
    assert b"<script>" not in checked.data and b"PK\x03\x04" not in checked.data
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    html_in_png = png.getvalue() + b"<html><script>alert(1)</script></html>"
    assert b"<script>" not in check_upload(SPEC, Upload("photo", "p.png", html_in_png)).data


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + b"\0" * 100,                   # the magic and nothing behind it
    b"\xff\xd8\xff\xe0" + b"<?php system($_GET[1]); ?>",  # a script with a JPEG header
    _jpeg_with_gps()[:200],                               # truncated
])
def test_things_that_only_look_like_images_are_refused(data):
    with pytest.raises(InvalidInput) as exc:
        check_upload(SPEC, Upload("photo", "x.jpg", data))
    assert exc.value.code == "material_image_invalid" and "现场照片" in exc.value.message


def test_a_decompression_bomb_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")     # 144 MP in a few kB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(InvalidInput) as exc:
        check_upload(SPEC, Upload("photo", "bomb.png", out.getvalue()))
    assert exc.value.code == "material_image_too_large"


def test_type_sniffing_and_size_limits_still_apply():
    with pytest.raises(InvalidInput) as exc:
        check_upload(SPEC, Upload("photo", "a.png", b"MZ\x90\x00 renamed exe"))
    assert exc.value.code == "material_type_not_allowed"
    with pytest.raises(InvalidInput) as exc:
        check_upload(SPEC, Upload("photo", "big.jpg", b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024)))
    assert exc.value.code == "material_too_large"
    with pytest.raises(InvalidInput) as exc:
        check_upload(SPEC, Upload("photo", "empty.jpg", b""))
    assert exc.value.code == "material_empty"


def test_pdfs_are_kept_byte_for_byte():
    spec = MaterialSpec("scan", "扫描件")
    pdf = b"%PDF-1.4\n% scan\n"
    checked = check_upload(spec, Upload("scan", "s.pdf", pdf))
    assert checked.data == pdf and checked.sha256 == hashlib.sha256(pdf).hexdigest()
