"""Shared by the identity web tests: a remote service needing every identity step, a runtime
with it, the citizen enrolled with the astronaut's face, and small helpers."""
from __future__ import annotations

import io
import re
import shutil

import pytest

from core import hookimpl
from core.runtime import Quanke
from core.contract.services import MaterialSpec, ServiceDef
from core.testing import RUN_ID, SAMPLE_PLUGIN, SamplePermitForm

#: Owned by these tests, so changes to the built-in plugins do not move them.
REMOTE_SERVICE = ServiceDef(
    code="identityweb.remote", name="远程核验示例事项", department="sample_dept",
    form=SamplePermitForm, materials=(MaterialSpec("id_proof", "身份证明", required=False),),
    deadline_working_days=5, channels=frozenset({"counter", "remote"}),
    identity=frozenset({"face", "sms", "esign"}),
    commitment="本人承诺所填信息真实、合法、有效。\n如有不实，愿承担相应法律责任。",
    example={"purpose": "开办示例"})


class IdentityWebPlugin:
    __name__ = "identityweb"

    @hookimpl
    def register_services(self):
        return [REMOTE_SERVICE]


def make_runtime(sqlite_template, tmp_path, **config) -> Quanke:
    """A runtime on a copy of the migrated SQLite template, jobs inline unless ``REDIS_URL``."""
    path = tmp_path / "quanke.db"
    shutil.copy(sqlite_template, path)
    return Quanke({"DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": str(tmp_path), "REDIS_URL": None,
                   "QUEUE_PREFIX": f"quanke-test-{RUN_ID}", "RENDER_DOCUMENTS_INLINE": False, **config},
                  extra_plugins=[SAMPLE_PLUGIN, IdentityWebPlugin()])


def face_kit():
    """:mod:`core.identity.testing`, or skip when the face engine or scikit-image is absent."""
    pytest.importorskip("skimage")
    pytest.importorskip("dlib")
    from core.identity import faces, testing
    if not faces.available():
        pytest.skip("face models (face_recognition_models) not installed")
    return testing


def enrol_astronaut(world):
    from core.identity.enrolment import enrol
    kit = face_kit()
    return enrol(world.quanke, world.counter, photo=kit.png(kit.astronaut_frame()), source="id_photo",
                 applicant_id=world.citizen.applicant_id)


def signature_png() -> bytes:
    """A drawn signature as the canvas sends it (a wavy stroke on white)."""
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(img)
    draw.line([(40 + x * 10, 100 + (30 if x % 2 else -30)) for x in range(50)], fill="black", width=5)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def last_code() -> str:
    from core.people.sms_login import MemorySmsSender
    phone, text = MemorySmsSender.sent[-1]
    return re.search(r"\d{6}", text).group(0)
