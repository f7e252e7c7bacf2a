"""Fixtures for the identity tests: faces shipped with scikit-image, a draft that needs every
remote identity step (business_license.individual: face, sms, esign), an SMS sender that
keeps the codes for the test to read."""
from __future__ import annotations

import re
import shutil

import pytest

from core import hookimpl
from core.identity import settings
from core.identity.sms import register_sender
from core.runtime import Quanke
from core.contract.services import MaterialSpec, ServiceDef
from core.testing import RUN_ID, SAMPLE_PLUGIN, SamplePermitForm, drive_to

#: A remote service needing every identity step, owned by these tests (the built-in plugins
#: change under other colleagues' hands; the worker test uses business_license itself).
REMOTE_SERVICE = ServiceDef(
    code="identitytest.remote", name="远程核验示例事项", department="sample_dept",
    form=SamplePermitForm, materials=(MaterialSpec("id_proof", "身份证明"),),
    deadline_working_days=5, channels=frozenset({"counter", "remote"}),
    identity=frozenset({"face", "sms", "esign"}),
    commitment="本人承诺所填信息真实、合法、有效。\n如有不实，愿承担相应法律责任。",
    example={"purpose": "开办示例"})
SERVICE = REMOTE_SERVICE.code


class IdentityTestPlugin:
    __name__ = "identitytest"

    @hookimpl
    def register_services(self):
        return [REMOTE_SERVICE]


IDENTITY_TEST_PLUGIN = IdentityTestPlugin()


@pytest.fixture
def quanke(sqlite_template, tmp_path):
    """The core kit's runtime plus the test service above (overrides core.testing's)."""
    path = tmp_path / "quanke.db"
    shutil.copy(sqlite_template, path)
    q = Quanke({"DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": str(tmp_path), "REDIS_URL": None,
                "QUEUE_PREFIX": f"quanke-test-{RUN_ID}"},
               extra_plugins=[SAMPLE_PLUGIN, IDENTITY_TEST_PLUGIN])
    yield q
    q.close()


class CaptureSender:
    """Keeps every text sent, so tests can read the code the citizen would receive."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        CaptureSender.sent.append((phone, text))

    @classmethod
    def last_code(cls, phone: str | None = None) -> str:
        for to, text in reversed(cls.sent):
            if phone is None or to == phone:
                return re.search(r"\d{6}", text).group(0)
        raise AssertionError("no code sent")


register_sender("test-capture", CaptureSender)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Seeding the test world hashes twelve staff passwords; production-strength argon2
    costs most of each test's time on a shared machine and proves nothing here."""
    from argon2 import PasswordHasher

    import core.people.users
    monkeypatch.setattr(core.people.users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def sms_capture(quanke):
    CaptureSender.sent.clear()
    quanke.config["SMS_SENDER"] = "test-capture"
    yield CaptureSender
    CaptureSender.sent.clear()


@pytest.fixture(scope="session")
def s():
    return settings(environ={})


@pytest.fixture(scope="session")
def kit():
    """:mod:`core.identity.testing`, skipping when the face engine or scikit-image is absent."""
    pytest.importorskip("numpy")
    pytest.importorskip("skimage")
    pytest.importorskip("dlib")
    from core.identity import faces, testing
    if not faces.available():
        pytest.skip("face models (face_recognition_models) not installed")
    return testing


@pytest.fixture(scope="session")
def astronaut_png(kit) -> bytes:
    return kit.png(kit.astronaut_frame())


@pytest.fixture(scope="session")
def astronaut_ref(astronaut_png, s):
    from core.identity.faces import encode_photo
    encoding, _, _ = encode_photo(astronaut_png, s)
    return encoding


@pytest.fixture(scope="session")
def blink_frames(kit) -> list[bytes]:
    return kit.blink_burst(10)


@pytest.fixture
def enrolled(world, astronaut_png):
    """The world's citizen enrolled at the counter with the astronaut's photo."""
    from core.identity.enrolment import enrol
    return enrol(world.quanke, world.counter, photo=astronaut_png, source="id_photo",
                 applicant_id=world.citizen.applicant_id)


@pytest.fixture
def draft(world):
    return drive_to(world, "draft", SERVICE)
