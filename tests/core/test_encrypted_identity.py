"""Face encodings and photos, selfies, delivery recipients' IDs, notification recipients and
staff phones are ciphertext in the database (issue 18, PIPL Art. 28/51); face look-ups by ID,
deliveries and notifications still work; core_0014 encrypts an existing database in place."""
from __future__ import annotations

import struct

from sqlalchemy import select, text

from core.identity.enrolment.providers import LocalRegistry
from core.identity.models import FaceFrame, FaceReference
from core.ops import migrate
from core.platform.models import Applicant, Delivery, OutboxMessage, User
from core.testing import drive_to, seed_world

ENCODING = struct.pack("<128d", *[i / 256 for i in range(128)])
PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF-photo-of-a-face" * 20


def _world_with_faces(quanke):
    world = seed_world(quanke)
    with quanke.db.session() as s:
        person = s.get(Applicant, world.citizen.applicant_id)
        ref = FaceReference(applicant_id=person.id, id_number=person.id_number, source="id_photo",
                            encoding=ENCODING, model="dlib", photo=PHOTO, photo_content_type="image/jpeg")
        s.add(ref)
        s.get(User, world.users["counter"].id).phone = "13712345678"
        number, phone = person.id_number, person.phone
    app = drive_to(world, "delivered")
    return world, app, number, phone


def _dump(quanke, tables) -> bytes:
    out = []
    with quanke.db.engine.connect() as c:
        for table in tables:
            for row in c.execute(text(f"SELECT * FROM {table}")):
                out += [bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in row]
    return b"\n".join(out)


TABLES = ("identity_references", "identity_face_checks", "identity_face_frames", "deliveries",
          "outbox", "users")


def test_face_data_contacts_and_recipients_are_ciphertext_and_still_work(any_quanke):
    quanke = any_quanke
    world, app, number, phone = _world_with_faces(quanke)
    dumped = _dump(quanke, TABLES)
    for secret in (number.encode(), phone.encode(), b"13712345678", ENCODING[8:40], b"JFIF-photo"):
        assert secret not in dumped
    found = LocalRegistry(quanke).reference(number.lower())
    assert found and found["reference_ids"] and found["encodings"][0].tolist() == list(struct.unpack("<128d", ENCODING))
    with quanke.db.session() as s:
        ref = s.scalar(select(FaceReference))
        assert ref.photo == PHOTO and ref.id_number == number
        delivery = s.scalar(select(Delivery).where(Delivery.application_id == app.id))
        assert delivery.recipient_id_number == number and delivery.identity_checked
        told = [m.recipient for m in s.scalars(select(OutboxMessage).where(OutboxMessage.application_id == app.id))]
        assert phone in told
        assert s.get(User, world.users["counter"].id).phone == "13712345678"


def test_selfie_frames_are_encrypted_while_a_check_waits(quanke):
    from core.identity.models import FaceCheck
    world = seed_world(quanke)
    with quanke.db.session() as s:
        check = FaceCheck(applicant_id=world.citizen.applicant_id, id_number="320102199001010011")
        s.add(check)
        s.flush()
        s.add(FaceFrame(check_id=check.id, seq=0, data=PHOTO, sha256="x"))
    assert b"JFIF-photo" not in _dump(quanke, ("identity_face_frames",))
    assert b"320102199001010011" not in _dump(quanke, ("identity_face_checks",))
    with quanke.db.session() as s:
        assert s.scalar(select(FaceFrame.data)) == PHOTO


def test_an_existing_database_is_encrypted_in_place(any_quanke):
    quanke = any_quanke
    world, app, number, phone = _world_with_faces(quanke)
    with quanke.db.session() as s:
        before = (s.scalar(select(FaceReference.encoding)), s.scalar(select(FaceReference.photo)),
                  sorted(m.recipient for m in s.scalars(select(OutboxMessage))),
                  s.get(User, world.users["counter"].id).phone)
    migrate.downgrade(quanke, "core_0013")
    assert b"13712345678" in _dump(quanke, ("users",)) and ENCODING in _dump(quanke, ("identity_references",))
    migrate.upgrade(quanke)
    assert migrate.is_current(quanke)
    assert ENCODING[8:40] not in _dump(quanke, TABLES) and b"13712345678" not in _dump(quanke, TABLES)
    with quanke.db.session() as s:
        after = (s.scalar(select(FaceReference.encoding)), s.scalar(select(FaceReference.photo)),
                 sorted(m.recipient for m in s.scalars(select(OutboxMessage))),
                 s.get(User, world.users["counter"].id).phone)
    assert after == before
    assert LocalRegistry(quanke).reference(number)["reference_ids"]
