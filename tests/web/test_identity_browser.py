"""The remote identity steps in a real browser (Debian's chromium, Playwright) with a fake
camera: chromium plays a .y4m video built at test time from ``skimage.data.astronaut()`` (the
face enrolled as the citizen's reference) blinking once a second, so the whole face step —
getUserMedia, the burst, the upload, the check, the result — runs as a citizen would see it.
Then the SMS code, a signature drawn on the canvas, submission; and the counter's video check.
With ``QUANKE_SCREENSHOTS=1`` it refreshes docs/screenshots/identity-*.png.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest
from werkzeug.serving import make_server

from core.platform.models import Application, State
from core.people.sms_login import MemorySmsSender
from core.testing import seed_world

from identity_kit import REMOTE_SERVICE, enrol_astronaut, face_kit, make_runtime

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

from test_browser_e2e import ARGS, CHROMIUM, DESKTOP, PHONE, shot  # noqa: E402

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 10) -> None:
    """RGB frames → a YUV4MPEG2 file (4:2:0, BT.601 studio range), what chromium's fake
    capture device plays (looping) with --use-file-for-fake-video-capture."""
    from PIL import Image
    h, w = frames[0].shape[:2]
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n".encode())
        for rgb in frames:
            ycc = np.asarray(Image.fromarray(rgb).convert("YCbCr"), dtype=np.float32)
            y = 16 + ycc[..., 0] * 219 / 255
            planes = [y.round().astype(np.uint8)]
            for c in (1, 2):
                chroma = 16 + ycc[..., c] * 224 / 255
                small = Image.fromarray(chroma.round().astype(np.uint8)).resize((w // 2, h // 2), Image.BILINEAR)
                planes.append(np.asarray(small))
            out.write(b"FRAME\n")
            for plane in planes:
                out.write(np.ascontiguousarray(plane).tobytes())


@pytest.fixture
def camera_file(tmp_path) -> Path:
    """1.2 s loop at 10 fps: eyes open 0.5 s, closed 0.3 s, open 0.4 s. Any 1.65 s burst the
    page takes (12 frames, 150 ms apart) sees open → closed → open."""
    kit = face_kit()
    opened, closed = kit.astronaut_frame(), kit.closed_eyes(kit.astronaut_frame())
    path = tmp_path / "astronaut-blinks.y4m"
    write_y4m(path, [opened] * 5 + [closed] * 3 + [opened] * 4)
    return path


@pytest.fixture
def quanke(sqlite_template, tmp_path):
    q = make_runtime(sqlite_template, tmp_path)
    yield q
    q.close()


@pytest.fixture
def live(quanke):
    quanke.config["SMS_SENDER"] = "memory"
    MemorySmsSender.sent.clear()
    world = seed_world(quanke)
    enrol_astronaut(world)
    from web import create_app
    app = create_app(quanke=quanke)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", world
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def browser(camera_file):
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS + [
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_file}"])
        try:
            yield b
        finally:
            b.close()


def citizen_page(browser, base, phone):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.grant_permissions(["camera"], origin=base)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/portal/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(MemorySmsSender.last_code(phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/portal/$"))
    return page, errors


def test_face_sms_signature_then_submit_in_a_real_browser(live, browser, quanke):
    base, world = live
    phone = world.citizen.phone
    page, errors = citizen_page(browser, base, phone)

    # apply remotely; submitting leads to the identity steps
    page.goto(f"{base}/portal/services/{REMOTE_SERVICE.code}/apply")
    page.get_by_label("用途").fill("网上办理示例事项")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/identity$"))
    app_id = int(page.url.split("/")[-2])
    expect(page.get_by_text("提交前须完成远程身份核验")).to_be_visible()
    shot(page, "identity-steps", full=True)

    # face: the camera page, the burst with the blink prompt, the result
    page.get_by_role("link", name="开始核验").click()
    page.wait_for_url(re.compile(r"/identity/face$"))
    expect(page.locator("#attempts-left")).to_have_text("5")
    shot(page, "identity-face", full=True)
    page.get_by_role("button", name="打开摄像头开始核验").click()
    expect(page.locator("#camera-prompt")).to_have_text("请眨眨眼", timeout=10_000)
    shot(page, "identity-face-camera")
    result = page.locator("#face-result .face-result")
    expect(result).to_be_visible(timeout=90_000)
    shot(page, "identity-face-result", full=True)
    assert "face-passed" in result.get_attribute("class"), result.inner_text()
    expect(result).to_contain_text("通过")
    expect(result.locator('[data-f="match"]')).to_have_text("一致")
    expect(result.locator('[data-f="liveness"]')).to_have_text("通过")
    expect(page.locator("#attempts-left")).to_have_text("4")
    result.get_by_role("link", name="下一步").click()
    page.wait_for_url(re.compile(r"/identity$"))

    # the phone code
    page.locator(f'a[href$="/applications/{app_id}/identity/sms"]').click()
    page.get_by_role("button", name="获取验证码", exact=True).click()
    page.get_by_label("短信验证码（6位数字）").fill(MemorySmsSender.last_code(phone))
    shot(page, "identity-sms")
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(re.compile(r"/identity$"))

    # the signature: read, get the signing code, draw, confirm
    with quanke.db.session() as s:                 # one code a minute per phone: step past it
        import datetime as dt
        from sqlalchemy import update

        from core.people.sms_login import SmsCode
        s.execute(update(SmsCode).values(created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)))
    page.locator(f'a[href$="/applications/{app_id}/identity/esign"]').click()
    expect(page.locator(".commitment-text")).to_contain_text("本人承诺所填信息真实")
    page.get_by_role("button", name="获取验证码", exact=True).click()
    submit = page.get_by_role("button", name="确认签署")
    page.get_by_label("签署验证码（6位数字）").fill(MemorySmsSender.last_code(phone))
    submit.click()                                                  # nothing drawn yet
    expect(page.locator("#signature-hint")).to_have_text("请在框内手写签名")
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(1, 30):
        page.mouse.move(box["x"] + 30 + i * (box["width"] - 60) / 30,
                        box["y"] + box["height"] / 2 + (18 if i % 2 else -18))
    page.mouse.up()
    shot(page, "identity-esign", full=True)
    submit.click()
    page.wait_for_url(re.compile(r"/identity$"))
    expect(page.get_by_text("身份核验已全部通过，可以提交申请。")).to_be_visible()
    shot(page, "identity-complete", full=True)
    pdf = page.request.get(f"{base}/portal/applications/{app_id}/identity/commitment.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    page.locator("#submit-application").click()
    page.wait_for_url(re.compile(rf"/portal/applications/{app_id}$"))
    with quanke.db.session() as s:
        app = s.get(Application, app_id)
        assert app.state == State.SUBMITTED.value
        assert sorted(app.identity_passed) == ["esign", "face", "sms"]
    assert not errors, errors                        # no script errors, no CSP violations

    # the counter sees the evidence before accepting
    counter = staff_page(browser, base, world)
    counter.goto(f"{base}/counter/applications/{app_id}")
    counter.get_by_role("link", name="身份核验证据").click()
    expect(counter.get_by_text("已全部通过")).to_be_visible()
    expect(counter.get_by_text("眨眼活体通过")).to_be_visible()
    shot(counter, "identity-evidence", full=True)


def staff_page(browser, base, world):
    from core.testing import PASSWORD
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(world.counter.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def test_counter_video_check_of_an_uploaded_photo(live, browser, quanke):
    from core.identity.verification import start_face_check
    from core.testing import drive_to
    base, world = live
    kit = face_kit()
    draft = drive_to(world, "draft", REMOTE_SERVICE.code)
    check = start_face_check(quanke, world.citizen, draft.id, [kit.jpeg(kit.astronaut_frame())], mode="upload")
    assert check["status"] == "needs_review"
    page = staff_page(browser, base, world)
    page.get_by_role("link", name="视频核验").click()
    expect(page.get_by_text(draft.number)).to_be_visible()
    shot(page, "identity-review-queue", full=True)
    page.locator(f'a[href$="/counter/identity/checks/{check["id"]}"]').click()
    shot(page, "identity-review", full=True)
    page.get_by_label("是本人，核验通过").check()
    page.get_by_label("核验情况（必填）").fill("视频通话核对本人与证件照片一致")
    page.get_by_role("button", name="提交结论").click()
    expect(page.get_by_text("视频核验结论已记录")).to_be_visible()
    with quanke.db.session() as s:
        assert "face" in s.get(Application, draft.id).identity_passed
