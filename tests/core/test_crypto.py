"""Encryption at rest (issue 18, step 1): SM4-GCM per value, HMAC-SM3 blind indexes, keys from a
key file or QUANKE_DATA_KEYS with versions, and every bad case failing clearly."""
from __future__ import annotations

import base64
import json
import os

import pytest
from sqlalchemy import Integer, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core.platform.crypto import (
    CiphertextError,
    EncryptedComparison,
    EncryptedString,
    KeyConfigError,
    KeyProvider,
    attach,
    blind_index,
)
from core.platform.crypto.cipher import check_value
from core.platform.crypto.keys import (
    add_version,
    new_key_document,
    ring_from_document,
    write_key_file,
)

ID = "320102199003071234"


def _ring(algorithm="SM4-GCM"):
    return ring_from_document(new_key_document(algorithm), "test")


@pytest.mark.parametrize("algorithm", ["SM4-GCM", "AES-256-GCM"])
def test_a_value_round_trips_and_never_shows_in_its_ciphertext(algorithm):
    ring = _ring(algorithm)
    token = ring.encrypt(ID, "applicants.id_number")
    assert token.startswith("qk1:1:") and ID not in token
    assert ring.encrypt(ID, "applicants.id_number") != token          # a fresh nonce every time
    assert ring.decrypt(token, "applicants.id_number") == ID
    blob = ring.encrypt_bytes(b"\x00face", "identity_references.encoding")
    assert ring.decrypt_bytes(blob, "identity_references.encoding") == b"\x00face"


def test_sm4_is_the_national_algorithm_not_a_renamed_aes():
    # GB/T 32907-2016 Appendix A.1: SM4 of 0123456789abcdeffedcba9876543210 under itself.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    assert _ring().active.algorithm == "SM4-GCM"


def _flip(token: str) -> str:
    head, body = token.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[14] ^= 0x01
    return f"{head}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("damage, code", [
    (lambda t: t[:-6], "ciphertext_truncated"),           # cut off (base64 no longer whole)
    (lambda t: t[:14], "ciphertext_truncated"),           # cut short of nonce and tag
    (_flip, "ciphertext_tampered"),                        # one flipped byte
    (lambda t: t.replace("qk1:1:", "qk1:7:"), "key_version_unknown"),
    (lambda t: ID, "ciphertext_missing"),                 # plaintext where ciphertext belongs
])
def test_damaged_ciphertext_is_an_error_naming_the_column_never_a_wrong_value(damage, code):
    ring = _ring()
    with pytest.raises(CiphertextError) as err:
        ring.decrypt(damage(ring.encrypt(ID, "applicants.id_number")), "applicants.id_number")
    assert err.value.code == code and "applicants.id_number" in err.value.message
    assert ID not in err.value.message


def test_a_wrong_key_and_a_ciphertext_moved_to_another_column_do_not_decrypt():
    ring, other = _ring(), _ring()
    token = ring.encrypt(ID, "applicants.id_number")
    with pytest.raises(CiphertextError, match="认证失败"):
        other.decrypt(token, "applicants.id_number")
    with pytest.raises(CiphertextError, match="认证失败"):
        ring.decrypt(token, "applicants.phone")


def test_blind_index_is_keyed_per_kind_of_value_and_stable():
    ring, other = _ring(), _ring()
    assert ring.blind_index("resident_id", ID) == ring.blind_index("resident_id", ID)
    assert ring.blind_index("resident_id", ID) != ring.blind_index("phone", ID)
    assert ring.blind_index("resident_id", ID) != other.blind_index("resident_id", ID)
    assert len(ring.blind_index("resident_id", ID)) == 32 and ID not in ring.blind_index("resident_id", ID)


def test_old_versions_decrypt_and_new_values_use_the_active_one():
    document = new_key_document()
    old = ring_from_document(document, "t").encrypt(ID, "c")
    assert add_version(document) == 2
    ring = ring_from_document(document, "t")
    assert ring.decrypt(old, "c") == ID and ring.encrypt(ID, "c").startswith("qk1:2:")


# -- key sources ------------------------------------------------------------------------------

def _config(tmp_path, **extra):
    return {"INSTANCE_PATH": str(tmp_path), "ENV": "development", "DATA_KEYS": None, **extra}


def test_development_generates_its_own_key_file_under_instance_readable_by_the_owner_only(tmp_path):
    provider = KeyProvider(_config(tmp_path))
    ring = provider.ring()
    path = tmp_path / "keys" / "data-keys.json"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert KeyProvider(_config(tmp_path)).ring().active.check_value == ring.active.check_value


def test_production_never_generates_a_key(tmp_path):
    with pytest.raises(KeyConfigError) as err:
        KeyProvider(_config(tmp_path, ENV="production")).ring()
    assert err.value.code == "key_missing" and "quanke keys generate" in err.value.message
    assert not (tmp_path / "keys").exists()


def test_a_key_file_others_may_read_is_refused(tmp_path):
    path = tmp_path / "k.json"
    write_key_file(path, new_key_document())
    os.chmod(path, 0o644)
    with pytest.raises(KeyConfigError) as err:
        KeyProvider(_config(tmp_path, KEY_FILE=str(path))).ring()
    assert err.value.code == "key_file_permissions" and "chmod 600" in err.value.message


@pytest.mark.parametrize("mangle, needle", [
    (lambda d: "not json", "JSON"),
    (lambda d: {**d, "format": "x"}, "不是 Quanke 密钥文件"),
    (lambda d: {**d, "active": 9}, "active=9"),
    (lambda d: {**d, "data_keys": {"1": {"algorithm": "SM4-GCM", "key": base64.b64encode(b"short").decode()}}},
     "应为 16 字节"),
    (lambda d: {**d, "data_keys": {"1": {"algorithm": "DES", "key": "AAAA"}}}, "不受支持"),
])
def test_a_malformed_key_document_says_what_is_wrong(tmp_path, mangle, needle):
    raw = mangle(new_key_document())
    provider = KeyProvider(_config(tmp_path, DATA_KEYS=raw if isinstance(raw, str) else json.dumps(raw)))
    with pytest.raises(KeyConfigError, match=needle):
        provider.ring()


def test_a_rotation_elsewhere_is_seen_without_a_restart(tmp_path):
    path = tmp_path / "k.json"
    document = new_key_document()
    write_key_file(path, document)
    provider = KeyProvider(_config(tmp_path, KEY_FILE=str(path)))
    assert provider.ring().active_version == 1
    add_version(document)
    write_key_file(path, document)
    assert provider.ring(refresh=True).active_version == 2


# -- the column types -------------------------------------------------------------------------

class _Base(DeclarativeBase):
    pass


class Person(_Base):
    __tablename__ = "crypto_test_people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(EncryptedString("crypto_test_people.id_number"))
    id_number_index: Mapped[str | None] = blind_index("id_number", "resident_id", unique=True)


@pytest.fixture
def people(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/p.db")
    _Base.metadata.create_all(engine)
    provider = KeyProvider(_config(tmp_path))
    attach(engine, provider)
    yield engine, provider
    engine.dispose()


def test_columns_store_ciphertext_and_find_by_blind_index(people):
    engine, provider = people
    with Session(engine) as s:
        s.add_all([Person(id_number=ID), Person(id_number="11010519491231002X")])
        s.commit()
    with engine.connect() as c:
        raw = c.execute(text("SELECT id_number, id_number_index FROM crypto_test_people")).all()
    assert all(ID not in r[0] and r[0].startswith("qk1:") for r in raw)
    with Session(engine) as s:
        found = s.scalar(select(Person).where(Person.id_number_index == ID.lower()))
        assert found.id_number == ID
        found.id_number = "110105194912310029"           # the index follows the value
        s.commit()
        assert s.scalar(select(Person.id).where(Person.id_number_index == "110105194912310029")) == found.id
        assert s.scalar(select(Person.id).where(Person.id_number_index == ID)) is None


def test_comparing_an_encrypted_column_in_sql_is_refused_at_once(people):
    with pytest.raises(EncryptedComparison, match="crypto_test_people.id_number"):
        select(Person).where(Person.id_number == ID)
    with pytest.raises(EncryptedComparison):
        select(Person).order_by(Person.id_number.desc())


def test_an_undecryptable_row_is_named_and_nothing_is_served(people):
    engine, _provider = people
    with Session(engine) as s:
        s.add(Person(id=7, id_number=ID))
        s.commit()
    with engine.begin() as c:
        token = c.execute(text("SELECT id_number FROM crypto_test_people")).scalar()
        c.execute(text("UPDATE crypto_test_people SET id_number = :t"), {"t": _flip(token)})
    with Session(engine) as s, pytest.raises(CiphertextError) as err:
        s.scalar(select(Person))
    assert "crypto_test_people.id_number（第 7 行" in err.value.message
    assert err.value.details["row"] == 7 and err.value.code == "ciphertext_tampered"
    with Session(engine) as s:                      # a bare column select: unusable, not garbage
        value = s.scalar(select(Person.id_number))
        with pytest.raises(CiphertextError):
            str(value)


def test_an_engine_without_keys_refuses_to_write(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/n.db")
    _Base.metadata.create_all(engine)
    with Session(engine) as s, pytest.raises(Exception) as err:
        s.add(Person(id_number=ID))
        s.commit()
    assert "没有配置数据加密密钥" in str(err.value)


def test_check_values_reveal_nothing_but_equality():
    a, b = os.urandom(16), os.urandom(16)
    assert check_value(a) == check_value(a) != check_value(b)
    assert a.hex() not in check_value(a)
