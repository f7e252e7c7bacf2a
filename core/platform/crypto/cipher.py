"""The key ring's work: authenticated encryption of one value, blind indexes, check values.

Ciphertext formats (stable; ``quanke keys rotate`` and the migrations rely on them):

* text ``qk1:<key version>:<base64(nonce ‖ ciphertext ‖ tag)>`` — columns holding strings;
* bytes ``b"QK1" ‖ version (2 bytes, big-endian) ‖ nonce ‖ ciphertext ‖ tag`` — binary columns.

The nonce is 12 random bytes, the GCM tag 16 bytes. The column's label (``table.column``) is
the additional authenticated data, so a ciphertext copied into another column does not decrypt.
A value never decrypts to something wrong: a flipped byte, a cut-off value or the wrong key
fails the tag check and raises :class:`~core.platform.crypto.errors.CiphertextError`.
"""
from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.platform.crypto.errors import CiphertextError

TEXT_PREFIX = "qk1:"
BYTES_PREFIX = b"QK1"
NONCE_BYTES = 12
TAG_BYTES = 16
#: Blind indexes keep 16 of HMAC-SM3's 32 bytes: no collision among billions of values.
INDEX_BYTES = 16
CHECK_TEXT = b"quanke-key-check/1"

#: Algorithm name → key length in bytes. SM4 (GB/T 32907) is the default; AES for sites
#: without a national-algorithm requirement.
ALGORITHMS = {"SM4-GCM": 16, "AES-256-GCM": 32}


class _SM4GCM:
    """SM4 in GCM mode through OpenSSL (the cryptography package has no SM4 AEAD wrapper)."""

    def __init__(self, key: bytes):
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        enc = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        body = enc.update(data) + enc.finalize()
        return body + enc.tag

    def decrypt(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < TAG_BYTES:
            raise InvalidTag()
        dec = Cipher(self._algorithm, modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
        dec.authenticate_additional_data(aad)
        return dec.update(sealed[:-TAG_BYTES]) + dec.finalize()


def _aead(algorithm: str, key: bytes):
    return _SM4GCM(key) if algorithm == "SM4-GCM" else AESGCM(key)


def check_value(secret: bytes) -> str:
    """A keyed digest of a fixed text: tells whether two keys are the same without revealing either."""
    mac = hmac.HMAC(secret, hashes.SM3())
    mac.update(CHECK_TEXT)
    return mac.finalize().hex()[:32]


@dataclass(frozen=True)
class DataKey:
    version: int
    algorithm: str
    secret: bytes = field(repr=False)

    @property
    def check_value(self) -> str:
        return check_value(self.secret)


class Digest(str):
    """A blind index as read from the database: binding it again must not hash it twice."""

    __slots__ = ()


class KeyRing:
    """Every data key version (one active for new values) and the blind-index key."""

    def __init__(self, keys: dict[int, DataKey], active: int, index_key: bytes, source: str = ""):
        self.keys, self.active_version, self.source = dict(keys), active, source
        self.index_key = index_key
        self._aeads = {v: _aead(k.algorithm, k.secret) for v, k in self.keys.items()}
        self._index_mac = hmac.HMAC(index_key, hashes.SM3())

    def __repr__(self) -> str:  # never the secrets
        return f"<KeyRing active={self.active_version} versions={sorted(self.keys)} source={self.source}>"

    @property
    def active(self) -> DataKey:
        return self.keys[self.active_version]

    @property
    def index_check_value(self) -> str:
        return check_value(self.index_key)

    # -- text ---------------------------------------------------------------------------------

    def encrypt(self, plaintext: str, label: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self.active_version].encrypt(nonce, plaintext.encode("utf-8"),
                                                          label.encode())
        return f"{TEXT_PREFIX}{self.active_version}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, label: str) -> str:
        version, blob = parse_text(token, label)
        return self._open(version, blob, label).decode("utf-8")

    # -- bytes --------------------------------------------------------------------------------

    def encrypt_bytes(self, data: bytes, label: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self.active_version].encrypt(nonce, bytes(data), label.encode())
        return BYTES_PREFIX + self.active_version.to_bytes(2, "big") + nonce + sealed

    def decrypt_bytes(self, blob: bytes, label: str) -> bytes:
        version, body = parse_bytes(blob, label)
        return self._open(version, body, label)

    def _open(self, version: int, blob: bytes, label: str) -> bytes:
        aead = self._aeads.get(version)
        if aead is None:
            raise CiphertextError(label, "本部署没有这个密钥版本（密钥文件缺少旧版本？）",
                                  version=version, code="key_version_unknown")
        if len(blob) < NONCE_BYTES + TAG_BYTES:
            raise CiphertextError(label, "密文被截断", version=version, code="ciphertext_truncated")
        try:
            return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], label.encode())
        except InvalidTag:
            raise CiphertextError(label, "认证失败：密钥不对，或密文被截断、改动", version=version,
                                  code="ciphertext_tampered") from None

    # -- blind index --------------------------------------------------------------------------

    def blind_index(self, domain: str, value: str) -> Digest:
        """HMAC-SM3 of ``value`` under the index key, separated by ``domain`` (``resident_id``,
        ``phone``…): equal values in one domain give equal digests, across tables too."""
        mac = self._index_mac.copy()
        mac.update(domain.encode() + b"\x00" + value.encode("utf-8"))
        return Digest(mac.finalize()[:INDEX_BYTES].hex())


def version_of(token) -> int | None:
    """The key version of a stored text or binary ciphertext; None when it is not one."""
    try:
        if isinstance(token, str) and token.startswith(TEXT_PREFIX):
            return int(token[len(TEXT_PREFIX):].split(":", 1)[0])
        if isinstance(token, (bytes, bytearray, memoryview)) and bytes(token[:3]) == BYTES_PREFIX:
            return int.from_bytes(bytes(token[3:5]), "big")
    except ValueError:
        return None
    return None


def is_ciphertext(value) -> bool:
    return version_of(value) is not None


def parse_text(token: str, label: str) -> tuple[int, bytes]:
    if not isinstance(token, str) or not token.startswith(TEXT_PREFIX):
        raise CiphertextError(label, "不是密文（明文留在了加密列中？请运行数据库迁移）",
                              code="ciphertext_missing")
    head, _, body = token[len(TEXT_PREFIX):].partition(":")
    if not head.isdigit() or not body:
        raise CiphertextError(label, "密文格式不对（被截断？）", code="ciphertext_truncated")
    try:
        return int(head), base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise CiphertextError(label, "密文格式不对（被截断或改动）", version=int(head),
                              code="ciphertext_truncated") from None


def parse_bytes(blob, label: str) -> tuple[int, bytes]:
    blob = bytes(blob)
    if not blob.startswith(BYTES_PREFIX):
        raise CiphertextError(label, "不是密文（明文留在了加密列中？请运行数据库迁移）",
                              code="ciphertext_missing")
    if len(blob) < 5:
        raise CiphertextError(label, "密文被截断", code="ciphertext_truncated")
    return int.from_bytes(blob[3:5], "big"), blob[5:]
