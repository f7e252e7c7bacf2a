"""The database's record of which keys wrote its data — check values, never the keys.

``crypto_keys`` holds, per data key version and for the index key, a keyed digest of a fixed
text (:func:`core.platform.crypto.cipher.check_value`). A deployment started with another key
— a restored backup with a freshly generated key file, a mistyped environment variable — is
caught before it serves a page: ``quanke keys check`` and ``/readyz`` compare the two.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.clock import now
from core.platform.crypto.cipher import KeyRing
from core.platform.db import Base, UTCDateTime

DATA, INDEX = "data", "index"


class KeyRecord(Base):
    """One key this database's data was written with (check value only)."""

    __tablename__ = "crypto_keys"
    purpose: Mapped[str] = mapped_column(String(8), primary_key=True)   # data / index
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    algorithm: Mapped[str] = mapped_column(String(16))
    check_value: Mapped[str] = mapped_column(String(32))
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


_KEYS = KeyRecord.__table__


def registered(conn: Connection) -> dict[tuple[str, int], tuple[str, str]]:
    rows = conn.execute(select(_KEYS.c.purpose, _KEYS.c.version, _KEYS.c.algorithm,
                               _KEYS.c.check_value)).all()
    return {(p, v): (a, c) for p, v, a, c in rows}


def problems(conn: Connection, ring: KeyRing) -> list[str]:
    """Why ``ring`` is not the key set of this database (empty: it is, as far as recorded)."""
    found: list[str] = []
    known = registered(conn)
    for (purpose, version), (algorithm, value) in sorted(known.items()):
        if purpose == INDEX:
            if ring.index_check_value != value:
                found.append("盲索引密钥与数据库登记的不一致：按身份证号、手机号查找将什么也找不到。"
                             "请使用写入这些数据时的密钥文件")
            continue
        key = ring.keys.get(version)
        if key is None:
            found.append(f"数据库登记了密钥版本 {version}（{algorithm}），配置的密钥中没有这个版本："
                         "用它加密的数据无法解密。请把该版本加回密钥文件")
        elif key.check_value != value or key.algorithm != algorithm:
            found.append(f"密钥版本 {version} 与数据库登记的不一致（校验值不同）：这不是加密这些数据的密钥")
    return found


def register(conn: Connection, ring: KeyRing) -> list[str]:
    """Record the ring's keys that the database does not know yet; returns what was added.

    Never overwrites: a version recorded with another check value stays a problem to fix.
    """
    known = registered(conn)
    added: list[str] = []
    rows = [(DATA, k.version, k.algorithm, k.check_value) for k in ring.keys.values()]
    rows.append((INDEX, 1, "HMAC-SM3", ring.index_check_value))
    for purpose, version, algorithm, value in rows:
        if (purpose, version) not in known:
            conn.execute(insert(_KEYS).values(purpose=purpose, version=version, algorithm=algorithm,
                                              check_value=value, registered_at=now()))
            added.append(f"{purpose}:{version}")
    return added
