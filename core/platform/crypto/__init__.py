"""Sensitive personal data encrypted at rest (PIPL Art. 51; GB/T 39786 expects SM4/SM3).

* :mod:`.keys` — where a deployment's keys come from (key file or ``QUANKE_DATA_KEYS``;
  never the database), versions, permissions, development keys under ``instance/``;
* :mod:`.cipher` — the key ring: SM4-GCM / AES-256-GCM per value, HMAC-SM3 blind indexes,
  the ciphertext formats;
* :mod:`.columns` — the column types models declare (:class:`EncryptedString`,
  :class:`EncryptedBytes`, :class:`EncryptedJSON`, :class:`BlindIndex` via :func:`blind_index`);
* :mod:`.registry` — check values of the keys that wrote the data, so a wrong key is caught.

Plugins use the same column types through :mod:`core.api`; none writes crypto of its own.
"""
from core.platform.crypto.cipher import (
    ALGORITHMS,
    DataKey,
    Digest,
    KeyRing,
    is_ciphertext,
    version_of,
)
from core.platform.crypto.columns import (
    BlindIndex,
    EncryptedBytes,
    EncryptedComparison,
    EncryptedJSON,
    EncryptedString,
    Unreadable,
    attach,
    blind_index,
    encrypted_attributes,
    ring_for,
    ring_of,
)
from core.platform.crypto.errors import CiphertextError, KeyConfigError
from core.platform.crypto.keys import KeyProvider

__all__ = ["ALGORITHMS", "BlindIndex", "CiphertextError", "DataKey", "Digest", "EncryptedBytes",
           "EncryptedComparison", "EncryptedJSON", "EncryptedString", "KeyConfigError", "KeyProvider", "KeyRing",
           "Unreadable", "attach", "blind_index", "encrypted_attributes", "is_ciphertext",
           "ring_for", "ring_of", "version_of"]
