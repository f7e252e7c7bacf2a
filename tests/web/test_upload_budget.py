"""Upload CPU (issue 22 #5): image pixels are budgeted per request and per person per minute
from the headers, before anything is decoded — the probe's twenty 59.5 MP PNGs in one request
are refused at once instead of keeping a core busy for ~44 s."""
from __future__ import annotations

import base64
import io
import time
import uuid

import pytest
from PIL import Image

from core.acceptance import pixel_budget, uploads
from core.acceptance.uploads import Upload
from core.platform.errors import InvalidInput
from core.testing import REDIS_TEST_URL, TINY_PNG, runtime


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")      # huge bitmap, tiny file
    return out.getvalue()


@pytest.fixture(autouse=True)
def fresh_minute():
    """Each test starts with nothing charged (ids repeat across tests' databases)."""
    pixel_budget._local.clear()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail loudly if an image is decoded: the budgets must refuse before that."""
    def refuse(*a, **kw):
        raise AssertionError("an image was decoded")
    monkeypatch.setattr(uploads, "sanitise_image", refuse)


def file_body(world, *images: bytes) -> dict:
    return {"service_code": "sample.permit", "applicant_id": world.citizen.applicant_id,
            "form_data": {"purpose": "开办"}, "consent": True, "paper": ["id_proof"],
            "uploads": [{"material_code": "photo", "filename": f"p{i}.png",
                         "content_base64": base64.b64encode(data).decode()} for i, data in enumerate(images)]}


def test_the_probe_request_is_refused_before_decoding(api, world, no_decoding):
    big = png(7725, 7700)                                  # 59.5 MP: under the per-file limit
    assert len(big) < 200_000 and pixel_budget.image_pixels(big) == 59_482_500
    started = time.monotonic()
    r = api("counter", "post", "/api/v1/applications", json=file_body(world, *[big] * 20))
    assert time.monotonic() - started < 3
    assert r.status_code == 400 and r.get_json()["error"] == "upload_pixels_per_request"
    assert "百万像素" in r.get_json()["message"]


def test_a_person_s_pixels_per_minute_are_capped(api, world):
    world.quanke.config["UPLOAD_PIXELS_PER_MINUTE"] = 3 * pixel_budget.image_pixels(TINY_PNG)
    ok = [api("counter", "post", "/api/v1/applications", json=file_body(world, TINY_PNG)).status_code
          for _ in range(3)]
    assert ok == [201, 201, 201]
    refused = api("counter", "post", "/api/v1/applications", json=file_body(world, TINY_PNG))
    assert refused.status_code == 429 and refused.get_json()["error"] == "upload_pixels_rate_limited"
    # per person: a colleague is not held up by it
    assert api("acceptor", "post", "/api/v1/applications", json=file_body(world, TINY_PNG)).status_code == 201


def test_the_budget_holds_for_the_counter_page_too(as_user, world, no_decoding):
    world.quanke.config["UPLOAD_PIXELS_PER_REQUEST"] = 50_000_000
    form = {"f-purpose": "开办", "consent": "y", "mat-id_proof": "paper",
            "file-photo": (io.BytesIO(png(7725, 7700)), "a.png")}
    r = as_user("counter").post(f"/counter/applicants/{world.citizen.applicant_id}/apply/sample.permit",
                                form, content_type="multipart/form-data")
    assert r.status_code == 200 and "百万像素" in r.get_data(as_text=True)


@pytest.mark.redis
def test_with_redis_the_minute_is_shared_by_every_web_worker(tmp_path):
    """Two runtimes (two gunicorn workers, or two hosts) draw on one budget per person."""
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    config = dict(REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix, UPLOAD_PIXELS_PER_MINUTE=150)
    one = runtime(f"sqlite:///{tmp_path}/a.db", tmp_path, **config)
    two = runtime(f"sqlite:///{tmp_path}/b.db", tmp_path, **config)
    image = png(10, 10)
    try:
        pixel_budget.check_budget(one, "user:7", [image])
        with pytest.raises(pixel_budget.UploadRateLimited):
            pixel_budget.check_budget(two, "user:7", [image])
        pixel_budget.check_budget(two, "user:8", [image])
    finally:
        for key in one.jobs.redis.scan_iter(f"{prefix}*"):
            one.jobs.redis.delete(key)
        one.close()
        two.close()


def test_pdfs_and_non_images_cost_nothing():
    assert pixel_budget.image_pixels(b"%PDF-1.4\n") == 0
    assert pixel_budget.image_pixels(b"\x89PNG\r\n\x1a\n" + b"\0" * 10) == 0
    with pytest.raises(InvalidInput):   # and a broken "image" is still refused by the re-encoding
        from core.contract.services import MaterialSpec
        uploads.check_upload(MaterialSpec("photo", "照片", accepted_types=frozenset({"image/png"})),
                             Upload("photo", "x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 10))
