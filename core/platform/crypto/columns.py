"""Sensitive columns: :class:`EncryptedString` / :class:`EncryptedBytes` (SM4-GCM at rest) and
:class:`BlindIndex` (HMAC-SM3, for exact look-ups), as SQLAlchemy column types.

Declaring a column is all a model does::

    id_number: Mapped[str] = mapped_column(EncryptedString("applicants.id_number"))
    id_number_index: Mapped[str | None] = blind_index("id_number", "id_number")

Assigning ``applicant.id_number`` fills ``id_number_index`` too; a look-up compares the index
with the plain value, which is hashed as it is bound: ``where(Applicant.id_number_index == n)``.
Comparing an encrypted column itself in SQL raises :class:`EncryptedComparison` at once — it
could only ever match nothing, silently.

The key ring comes from the engine the statement runs on (each runtime attaches its own with
:func:`attach`), so two runtimes in one process (tests) never share keys by accident, and a
connection nobody gave keys to refuses to read or write sensitive values.
"""
from __future__ import annotations

import json
import weakref

from sqlalchemy import LargeBinary, String, Text, event
from sqlalchemy.orm import Mapper, mapped_column
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from core.platform.crypto.cipher import Digest, KeyRing
from core.platform.crypto.errors import CiphertextError, KeyConfigError

_PROVIDERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def attach(engine, provider) -> None:
    """Give ``engine`` its runtime's key provider (:class:`core.platform.crypto.keys.KeyProvider`)."""
    _PROVIDERS[engine.dialect] = provider


def provider_for(dialect):
    provider = _PROVIDERS.get(dialect)
    if provider is None:
        raise KeyConfigError("这个数据库连接没有配置数据加密密钥，不能读写加密字段", code="key_missing")
    return provider


def ring_for(dialect, *, refresh: bool = False) -> KeyRing:
    return provider_for(dialect).ring(refresh=refresh)


def ring_of(bind) -> KeyRing:
    """The key ring of a session, connection or engine (for bulk loaders and migrations)."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return ring_for(bind.dialect)


class EncryptedComparison(TypeError):
    """SQL compared an encrypted column: a programming error, found the first time it runs."""


class _NoComparison(TypeDecorator.Comparator):
    _ALLOWED = {operators.is_, operators.is_not}

    def operate(self, op, *other, **kwargs):
        if op in self._ALLOWED:
            return super().operate(op, *other, **kwargs)
        raise EncryptedComparison(
            f"加密列 {self.type.label} 不能在 SQL 中比较或排序（{getattr(op, '__name__', op)}）："
            "精确查找请用它的盲索引列（blind_index），其他条件在解密后比较")

    def reverse_operate(self, op, other, **kwargs):
        return self.operate(op, other, **kwargs)


class Unreadable:
    """What an undecryptable value reads as: any use raises the error naming column and row.

    Loading an ORM object with one raises at once (see :func:`_check_loaded`); a bare column
    select returns this, so a page, PDF or CSV built from it fails instead of printing it.
    """

    __slots__ = ("error",)

    def __init__(self, error: CiphertextError):
        self.error = error

    def __repr__(self) -> str:
        return f"<无法解密 {self.error.label}>"

    def _fail(self, *_args, **_kwargs):
        raise self.error

    __str__ = __format__ = __bool__ = __len__ = __iter__ = __eq__ = __hash__ = __bytes__ = _fail
    __getitem__ = __contains__ = __add__ = __radd__ = _fail


def _decrypt(dialect, label: str, value, opener: str):
    try:
        ring = ring_for(dialect)
        try:
            return getattr(ring, opener)(value, label)
        except CiphertextError as exc:
            if exc.code != "key_version_unknown":
                raise
            # A rotation elsewhere may have added the version since the file was read.
            return getattr(ring_for(dialect, refresh=True), opener)(value, label)
    except CiphertextError as exc:
        return Unreadable(exc)


class EncryptedString(TypeDecorator):
    """A string stored as SM4-GCM (or AES-256-GCM) ciphertext; ``""`` and NULL stay as they are.

    ``label`` (``table.column``) is bound into every ciphertext: keep it when renaming the column.
    """

    impl = Text
    cache_ok = True
    comparator_factory = _NoComparison

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return value
        if isinstance(value, Unreadable):  # never write an undecryptable value back as new data
            raise value.error
        return ring_for(dialect).encrypt(str(value), self.label)

    def process_result_value(self, value, dialect):
        if value is None or value == "":
            return value
        return _decrypt(dialect, self.label, value, "decrypt")


class EncryptedJSON(EncryptedString):
    """A JSON value (a list or dict: family members, archive contents) stored as one ciphertext.

    Read back as the same Python value; ``None`` stays NULL. Nothing inside can be queried in
    SQL — a model keeps what it must look up in plain or blind-index columns beside it.
    """

    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Unreadable):
            raise value.error
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return ring_for(dialect).encrypt(text, self.label)

    def process_result_value(self, value, dialect):
        if value is None or value == "":
            return None
        opened = _decrypt(dialect, self.label, value, "decrypt")
        return opened if isinstance(opened, Unreadable) else json.loads(opened)


class EncryptedBytes(TypeDecorator):
    """Bytes (face encodings, photos, scans) stored encrypted; NULL stays NULL."""

    impl = LargeBinary
    cache_ok = True
    comparator_factory = _NoComparison

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Unreadable):
            raise value.error
        return ring_for(dialect).encrypt_bytes(bytes(value), self.label)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return _decrypt(dialect, self.label, value, "decrypt_bytes")


def normalise_for_index(value: str) -> str:
    """Identifiers are compared trimmed and in upper case (``x`` in a resident ID is ``X``)."""
    return value.strip().upper()


class BlindIndex(TypeDecorator):
    """HMAC-SM3 of a value under the index key, 32 hex characters; binding hashes the value.

    ``domain`` separates kinds of value (``id_number``, ``phone``): equal values of one kind
    give equal digests in every table, so look-ups and joins work across tables. ``source`` is
    the attribute it follows (set by :func:`blind_index`); ``""`` binds as NULL.
    """

    impl = String(32)
    cache_ok = True

    def __init__(self, domain: str, source: str | None = None):
        super().__init__()
        self.domain, self.source = domain, source

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Digest):
            return str(value)
        if isinstance(value, Unreadable):
            raise value.error
        value = normalise_for_index(str(value))
        if not value:
            return None
        return ring_for(dialect).blind_index(self.domain, value)

    def process_result_value(self, value, dialect):
        return Digest(value) if value else value


def blind_index(source: str, domain: str, *, index: bool = True, unique: bool = False):
    """A blind-index column following attribute ``source`` of the same model."""
    return mapped_column(BlindIndex(domain, source=source), nullable=True,
                         index=index and not unique or None, unique=unique or None)


def encrypted_attributes(mapper) -> list[str]:
    return [prop.key for prop in mapper.column_attrs
            if isinstance(prop.columns[0].type, (EncryptedString, EncryptedBytes))]


@event.listens_for(Mapper, "mapper_configured")
def _wire_model(mapper, cls) -> None:
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, BlindIndex) and column_type.source:
            _follow(getattr(cls, column_type.source), prop.key)
    keys = encrypted_attributes(mapper)
    if keys:
        checker = _checker(mapper, keys)
        event.listen(cls, "load", lambda target, _ctx: checker(target), raw=False)
        event.listen(cls, "refresh", lambda target, _ctx, _attrs: checker(target), raw=False)


def _follow(attribute, index_key: str) -> None:
    def copy(target, value, _old, _initiator):
        setattr(target, index_key, value)
    event.listen(attribute, "set", copy)


def _checker(mapper, keys: list[str]):
    table = mapper.local_table.name

    def check(target) -> None:
        values = target.__dict__
        for key in keys:
            value = values.get(key)
            if isinstance(value, Unreadable):
                row = mapper.primary_key_from_instance(target)
                raise value.error.at_row(row[0] if len(row) == 1 else tuple(row))
    check.table = table
    return check
