"""The phone step (SMS code) and the e-signature producing the sealed commitment PDF."""
import datetime as dt
import hashlib
import io

import pytest
from sqlalchemy import select

from core.platform import audit
from core.people import sms_login as core_sms
from core.credit import Commitment
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState
from core.identity.esign import (DEFAULT_COMMITMENT, commitment_for, normalise_signature, sign_commitment,
                                 signed_commitment)
from core.identity.models import SignedCommitment
from core.identity.sms import confirm_phone, send_identity_code
from core.platform.models import Application

T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)


def _passed(quanke, app_id):
    with quanke.db.session() as s:
        return s.get(Application, app_id).identity_passed


class RecordingSender:
    """A third-party sender named by a dotted path in SMS_SENDER."""

    texts: list = []

    def send(self, phone, text):
        RecordingSender.texts.append((phone, text))


def test_the_code_is_six_digits_hashed_and_bound_to_the_application(world, draft, sms_capture):
    quanke = world.quanke
    sent = send_identity_code(quanke, world.citizen, draft.id, purpose="sms", at=T0)
    assert sent == {"phone_masked": "139****0001", "expires_in": 300, "resend_after": 60}
    code = sms_capture.last_code("13900000001")
    assert len(code) == 6 and code.isdigit()
    with quanke.db.session() as s:
        row = s.scalars(select(core_sms.SmsCode)).one()
        assert row.purpose == f"sms:{draft.id}" and code not in row.code_hash and len(row.code_hash) == 64
        assert row.expires_at - row.created_at == dt.timedelta(minutes=5)
    confirm_phone(quanke, world.citizen, draft.id, code, at=T0 + dt.timedelta(minutes=1))
    assert "sms" in _passed(quanke, draft.id)
    with pytest.raises(Conflict):
        send_identity_code(quanke, world.citizen, draft.id, purpose="sms", at=T0 + dt.timedelta(minutes=2))


def test_wrong_expired_reused_and_too_soon(world, draft, sms_capture):
    quanke = world.quanke
    send_identity_code(quanke, world.citizen, draft.id, at=T0)
    code = sms_capture.last_code()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InvalidInput) as exc:
        confirm_phone(quanke, world.citizen, draft.id, wrong, at=T0)
    assert exc.value.code == "sms_code_wrong"
    with pytest.raises(InvalidInput) as exc:
        confirm_phone(quanke, world.citizen, draft.id, "12ab", at=T0)
    assert exc.value.code == "invalid_sms_code"
    with pytest.raises(Conflict) as exc:                                   # resend throttled
        send_identity_code(quanke, world.citizen, draft.id, at=T0 + dt.timedelta(seconds=30))
    assert exc.value.code == "sms_too_soon"
    with pytest.raises(InvalidInput) as exc:                               # five minutes only
        confirm_phone(quanke, world.citizen, draft.id, code, at=T0 + dt.timedelta(minutes=5, seconds=1))
    assert exc.value.code == "sms_code_expired"
    send_identity_code(quanke, world.citizen, draft.id, at=T0 + dt.timedelta(minutes=6))
    fresh = sms_capture.last_code()
    with pytest.raises(Forbidden):                                         # only the owner
        confirm_phone(quanke, world.other_citizen, draft.id, fresh, at=T0 + dt.timedelta(minutes=6))
    confirm_phone(quanke, world.citizen, draft.id, fresh, at=T0 + dt.timedelta(minutes=6))
    # one use: the consumed code no longer exists for this purpose
    with pytest.raises(InvalidInput):
        from core.identity.sms import check_identity_code
        check_identity_code(quanke, world.citizen, draft.id, fresh, purpose="sms",
                            at=T0 + dt.timedelta(minutes=6))


def test_five_wrong_guesses_lock_the_code(world, draft, sms_capture):
    quanke = world.quanke
    send_identity_code(quanke, world.citizen, draft.id, at=T0)
    code = sms_capture.last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            confirm_phone(quanke, world.citizen, draft.id, wrong, at=T0)
    with pytest.raises(Forbidden) as exc:
        confirm_phone(quanke, world.citizen, draft.id, code, at=T0)
    assert exc.value.code == "sms_code_locked"


def test_a_signing_code_cannot_confirm_the_phone(world, draft, sms_capture):
    quanke = world.quanke
    send_identity_code(quanke, world.citizen, draft.id, purpose="esign", at=T0)
    with pytest.raises(InvalidInput) as exc:
        confirm_phone(quanke, world.citizen, draft.id, sms_capture.last_code(), at=T0)
    assert exc.value.code == "sms_code_expired"                           # no sms-purpose code exists


def test_codes_per_phone_per_hour_are_capped(world, draft, sms_capture):
    quanke = world.quanke
    quanke.config["IDENTITY_SMS_PER_HOUR"] = 3
    for i in range(3):
        send_identity_code(quanke, world.citizen, draft.id, at=T0 + dt.timedelta(minutes=2 * i))
    with pytest.raises(Conflict) as exc:
        send_identity_code(quanke, world.citizen, draft.id, at=T0 + dt.timedelta(minutes=10))
    assert exc.value.code == "sms_hourly_limit"


def test_senders_are_pluggable_and_console_is_the_default(world, draft, caplog):
    import logging
    quanke = world.quanke
    with caplog.at_level(logging.INFO, logger="core.people.sms_login"):
        send_identity_code(quanke, world.citizen, draft.id, at=T0)
    assert "【全科政务】" in caplog.text                                      # console sender (masked, logged)
    quanke.config["SMS_SENDER"] = f"{__name__}:RecordingSender"
    RecordingSender.texts.clear()
    send_identity_code(quanke, world.citizen, draft.id, purpose="esign", at=T0)
    assert RecordingSender.texts and RecordingSender.texts[0][0] == "13900000001"
    quanke.config["SMS_SENDER"] = "nonexistent"
    with pytest.raises(InvalidInput) as exc:
        send_identity_code(quanke, world.citizen, draft.id, at=T0 + dt.timedelta(minutes=5))
    assert exc.value.code == "sms_sender_unknown"


# --------------------------------------------------------------------------- e-signature


def _signature_png(kit):
    import numpy as np
    canvas = np.full((160, 420, 4), 0, dtype=np.uint8)                  # transparent, as a canvas is
    for x in range(40, 380):
        y = int(80 + 45 * np.sin(x / 22))
        canvas[y - 2:y + 3, x] = (10, 10, 60, 255)
    from PIL import Image
    out = io.BytesIO()
    Image.fromarray(canvas, "RGBA").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def face_passed(world, enrolled, draft, blink_frames):
    from core.identity.verification import start_face_check
    assert start_face_check(world.quanke, world.citizen, draft.id, blink_frames)["passed"]
    return draft


def _sign(world, draft, sms_capture, **kw):
    quanke = world.quanke
    text = commitment_for(quanke, draft.id)
    send_identity_code(quanke, world.citizen, draft.id, purpose="esign")
    kw.setdefault("text_sha256", text["sha256"])
    return sign_commitment(quanke, world.citizen, draft.id, sms_code=sms_capture.last_code(), **kw)


def test_signing_produces_a_sealed_commitment_pdf(world, face_passed, sms_capture, kit):
    from pypdf import PdfReader

    from core.papers.seal import verify_pdf
    quanke = world.quanke
    text = commitment_for(quanke, face_passed.id)
    assert text["text"].startswith("本人承诺所填信息真实") and len(text["sha256"]) == 64
    drawn = _signature_png(kit)
    summary = _sign(world, face_passed, sms_capture, signature_png=drawn, ip="10.1.2.3")
    assert summary["text_sha256"] == hashlib.sha256(text["text"].encode()).hexdigest()
    assert "esign" in _passed(quanke, face_passed.id)
    pdf, info = signed_commitment(quanke, world.citizen, face_passed.id)
    assert hashlib.sha256(pdf).hexdigest() == summary["pdf_sha256"] == info["pdf_sha256"]
    report = verify_pdf(pdf, trust_roots=[f"{quanke.config['SEAL_DIR']}/ca.pem"])
    assert report.ok and report.trusted, report.errors
    assert report.signer_common_name == "全科政务服务平台"
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = words.replace("\n", "").replace(" ", "")
    for expected in ("告知承诺书", "本人承诺所填信息真实", text["sha256"], "人脸核验通过",
                     "眨眼活体检测通过", "手机短信验证码已验证", "139****0001", "北京时间",
                     face_passed.number):
        assert expected in flat, expected
    reader = PdfReader(io.BytesIO(pdf))
    images = [img for page in reader.pages for img in page.images]
    assert images                                                       # the drawn signature
    with quanke.db.session() as s:
        row = s.scalars(select(SignedCommitment)).one()
        assert row.method == "drawn" and row.ip == "10.1.2.3" and row.face_check_id
        commitment = s.get(Commitment, row.commitment_id)
        assert commitment.status == "pending" and commitment.text_sha256 == text["sha256"]
        assert commitment.application_id == face_passed.id


def test_a_typed_name_must_be_the_applicants(world, face_passed, sms_capture):
    with pytest.raises(InvalidInput) as exc:
        _sign(world, face_passed, sms_capture, typed_name="李四")
    assert exc.value.code == "typed_name_mismatch"
    summary = sign_commitment(world.quanke, world.citizen, face_passed.id,
                              text_sha256=commitment_for(world.quanke, face_passed.id)["sha256"],
                              sms_code=sms_capture.last_code(), typed_name="测试citizen")
    assert summary["method"] == "typed"
    with pytest.raises(Conflict):
        _sign(world, face_passed, sms_capture, typed_name="测试citizen")


def test_a_changed_text_or_wrong_code_signs_nothing(world, face_passed, sms_capture):
    with pytest.raises(Conflict) as exc:
        _sign(world, face_passed, sms_capture, typed_name="测试citizen", text_sha256="0" * 64)
    assert exc.value.code == "commitment_changed"
    with pytest.raises(InvalidInput) as exc:
        sign_commitment(world.quanke, world.citizen, face_passed.id,
                        text_sha256=commitment_for(world.quanke, face_passed.id)["sha256"],
                        sms_code="000000" if sms_capture.last_code() != "000000" else "111111",
                        typed_name="测试citizen")
    assert exc.value.code == "sms_code_wrong"
    assert "esign" not in _passed(world.quanke, face_passed.id)
    with world.quanke.db.session() as s:
        assert s.scalars(select(SignedCommitment)).first() is None


def test_the_face_step_comes_first(world, draft, sms_capture):
    with pytest.raises(InvalidState) as exc:
        _sign(world, draft, sms_capture, typed_name="测试citizen")
    assert exc.value.code == "face_required_first"


def test_signature_images_are_checked(kit):
    import numpy as np
    with pytest.raises(InvalidInput) as exc:
        normalise_signature(kit.png(np.full((150, 400, 3), 255, dtype=np.uint8)), 300_000)
    assert exc.value.code == "signature_blank"
    with pytest.raises(InvalidInput):
        normalise_signature(b"not an image", 300_000)
    with pytest.raises(InvalidInput):
        normalise_signature(b"x" * 400_000, 300_000)
    clean = normalise_signature(_signature_png(kit), 300_000)
    assert clean.startswith(b"\x89PNG")


def test_staff_reading_the_signed_pdf_is_audited(world, face_passed, sms_capture):
    quanke = world.quanke
    _sign(world, face_passed, sms_capture, typed_name="测试citizen")
    with pytest.raises(Forbidden):
        signed_commitment(quanke, world.other_citizen, face_passed.id)
    signed_commitment(quanke, world.counter, face_passed.id, reason="受理时核对承诺书")
    with quanke.db.session() as s:
        view = s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "view_personal_data")).all()[-1]
    assert view.data == {"fields": ["signed_commitment"], "reason": "受理时核对承诺书"}
    assert view.application_id == face_passed.id


def test_a_service_without_text_uses_the_default_commitment(world, quanke):
    from core import acceptance
    app = acceptance.file_application(quanke, world.citizen, service_code="sample.permit",
                                    applicant_id=world.citizen.applicant_id,
                                    form_data={"purpose": "开办示例"}, submit=False)
    assert commitment_for(quanke, app.id)["text"] == DEFAULT_COMMITMENT
