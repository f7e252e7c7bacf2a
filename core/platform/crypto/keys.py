"""Where a deployment's keys come from: a key file, or the ``QUANKE_DATA_KEYS`` variable.

Never from the database: a dump or a stolen backup then holds ciphertext only. The file is
JSON, readable by the Quanke user alone (mode 0600 — anything looser is refused)::

    {"format": "quanke-keys/1", "active": 2,
     "data_keys": {"1": {"algorithm": "SM4-GCM", "key": "<base64>"},
                   "2": {"algorithm": "SM4-GCM", "key": "<base64>"}},
     "index_key": {"algorithm": "HMAC-SM3", "key": "<base64, 32 bytes>"}}

Old versions stay in the file until ``quanke keys check`` shows no value under them.
Settings: ``DATA_KEYS`` (the JSON itself, e.g. from a secrets manager), else ``KEY_FILE``
(default ``<instance>/keys/data-keys.json``). A development instance without either gets a
fresh key file on first use; production never does (a new key would not read the data).
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import stat
import threading
import time
from pathlib import Path

from core.platform.crypto.cipher import ALGORITHMS, DataKey, KeyRing
from core.platform.crypto.errors import KeyConfigError

log = logging.getLogger(__name__)

FORMAT = "quanke-keys/1"
INDEX_KEY_BYTES = 32
#: Seconds between looks at the key file's modification time (a rotation elsewhere adds a
#: version that every process must read before meeting values under it).
RELOAD_CHECK = 2.0


def default_key_file(config: dict) -> Path:
    return Path(config.get("KEY_FILE") or Path(config["INSTANCE_PATH"]) / "keys" / "data-keys.json")


def new_key_document(algorithm: str = "SM4-GCM") -> dict:
    """A fresh key set: data key version 1 and an index key."""
    if algorithm not in ALGORITHMS:
        raise KeyConfigError(f"不支持的加密算法 {algorithm!r}：可选 {', '.join(ALGORITHMS)}",
                             code="key_algorithm_unknown")
    return {"format": FORMAT, "active": 1,
            "data_keys": {"1": _new_data_key(algorithm)},
            "index_key": {"algorithm": "HMAC-SM3",
                          "key": base64.b64encode(os.urandom(INDEX_KEY_BYTES)).decode()}}


def _new_data_key(algorithm: str) -> dict:
    return {"algorithm": algorithm, "key": base64.b64encode(os.urandom(ALGORITHMS[algorithm])).decode(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def add_version(document: dict, algorithm: str | None = None) -> int:
    """Add the next data key version to ``document`` and make it active; returns the version."""
    versions = [int(v) for v in document["data_keys"]]
    new = max(versions) + 1
    algorithm = algorithm or document["data_keys"][str(document["active"])]["algorithm"]
    document["data_keys"][str(new)] = _new_data_key(algorithm)
    document["active"] = new
    return new


def write_key_file(path: Path, document: dict, *, exclusive: bool = False) -> bool:
    """Write atomically, mode 0600 from the first byte (never a moment world-readable).

    ``exclusive``: only if no file is there yet (two processes starting at once must not each
    write a key of their own); returns whether this call wrote it.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    if not exclusive:
        os.replace(tmp, path)
        return True
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def _b64(raw, what: str, length: int, source: str) -> bytes:
    try:
        secret = base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{source}：{what} 不是有效的 base64", code="key_invalid") from None
    if len(secret) != length:
        raise KeyConfigError(f"{source}：{what} 应为 {length} 字节，实际 {len(secret)} 字节",
                             code="key_invalid")
    return secret


def ring_from_document(document, source: str) -> KeyRing:
    """Validate a key document; every problem named with where it came from."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KeyConfigError(f"{source}：不是 Quanke 密钥文件（缺少 \"format\": \"{FORMAT}\"）",
                             code="key_invalid")
    keys: dict[int, DataKey] = {}
    for version, entry in (document.get("data_keys") or {}).items():
        if not str(version).isdigit() or not isinstance(entry, dict):
            raise KeyConfigError(f"{source}：密钥版本 {version!r} 的格式不对", code="key_invalid")
        algorithm = entry.get("algorithm")
        if algorithm not in ALGORITHMS:
            raise KeyConfigError(f"{source}：密钥版本 {version} 的算法 {algorithm!r} 不受支持"
                                 f"（可选 {', '.join(ALGORITHMS)}）", code="key_algorithm_unknown")
        keys[int(version)] = DataKey(int(version), algorithm,
                                     _b64(entry.get("key"), f"密钥版本 {version}", ALGORITHMS[algorithm], source))
    active = document.get("active")
    if not keys or not isinstance(active, int) or active not in keys:
        raise KeyConfigError(f"{source}：当前密钥版本 active={active!r} 不在 data_keys 中", code="key_invalid")
    index = document.get("index_key") or {}
    if index.get("algorithm", "HMAC-SM3") != "HMAC-SM3":
        raise KeyConfigError(f"{source}：盲索引密钥只支持 HMAC-SM3", code="key_algorithm_unknown")
    index_key = _b64(index.get("key"), "盲索引密钥 index_key", INDEX_KEY_BYTES, source)
    return KeyRing(keys, active, index_key, source=source)


def check_permissions(path: Path) -> None:
    """Refuse a key file that the group or others may read or write, or that is not a file."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise KeyConfigError(f"密钥文件 {path} 不是普通文件", code="key_file_invalid")
    loose = stat.S_IMODE(info.st_mode) & 0o077
    if loose:
        raise KeyConfigError(
            f"密钥文件 {path} 的权限为 {stat.S_IMODE(info.st_mode):04o}：组或其他用户可以访问。"
            f"请执行 chmod 600 {path}（只允许运行 Quanke 的用户读取）", code="key_file_permissions")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise KeyConfigError(f"密钥文件 {path} 不属于运行 Quanke 的用户（uid {os.getuid()}）",
                             code="key_file_permissions")


def read_key_file(path: Path) -> dict:
    check_permissions(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KeyConfigError(f"密钥文件 {path} 不是有效的 JSON：{exc.__class__.__name__}",
                             code="key_invalid") from None


def is_production(config: dict) -> bool:
    return str(config.get("ENV", "development")).lower() == "production"


class KeyProvider:
    """The key ring of one runtime, read once and again whenever the key file changes."""

    def __init__(self, config: dict):
        self.config = config
        self._lock = threading.Lock()
        self._ring: KeyRing | None = None
        self._stamp: tuple | None = None
        self._checked_at = 0.0

    @property
    def key_file(self) -> Path:
        return default_key_file(self.config)

    def describe(self) -> str:
        return "环境变量 QUANKE_DATA_KEYS" if self.config.get("DATA_KEYS") else f"密钥文件 {self.key_file}"

    def ring(self, *, refresh: bool = False, generate: bool = True) -> KeyRing:
        """The current key ring; ``generate=False`` (``keys check``) never writes a development key."""
        if self._ring is not None and not refresh and time.monotonic() - self._checked_at < RELOAD_CHECK:
            return self._ring
        with self._lock:
            self._checked_at = time.monotonic()
            if self.config.get("DATA_KEYS"):
                if self._ring is None:
                    raw = self.config["DATA_KEYS"]
                    try:
                        document = json.loads(raw) if isinstance(raw, str) else raw
                    except json.JSONDecodeError:
                        raise KeyConfigError("环境变量 QUANKE_DATA_KEYS 不是有效的 JSON",
                                             code="key_invalid") from None
                    self._ring = ring_from_document(document, "QUANKE_DATA_KEYS")
                return self._ring
            path = self.key_file
            if not path.exists():
                if not generate:
                    raise KeyConfigError(f"密钥文件 {path} 不存在，也没有设置 QUANKE_DATA_KEYS",
                                         code="key_missing")
                self._generate_for_development(path)
            stamp = (path.stat().st_mtime_ns, path.stat().st_size)
            if self._ring is None or stamp != self._stamp:
                self._ring = ring_from_document(read_key_file(path), f"密钥文件 {path}")
                self._stamp = stamp
            return self._ring

    def _generate_for_development(self, path: Path) -> None:
        if is_production(self.config):
            raise KeyConfigError(
                f"没有配置数据加密密钥：密钥文件 {path} 不存在，也没有设置 QUANKE_DATA_KEYS。"
                "生产环境不会自动生成密钥（新密钥解不开已有数据）：请从密钥保管处恢复密钥文件，"
                "全新部署用 `quanke keys generate` 生成", code="key_missing")
        if write_key_file(path, new_key_document(self.config.get("CIPHER") or "SM4-GCM"), exclusive=True):
            log.warning("generated a development data key file at %s", path)
