"""What goes wrong with keys and ciphertexts, each with a stable code and a Chinese message.

None of these is the user's fault: a missing or wrong key, a key file others can read, a value
in the database that does not decrypt. They stop the request (nothing is served, nothing is
written) and say exactly what to fix — never a silent fallback to the raw database value.
"""
from __future__ import annotations

from core.platform.errors import QuankeError


class KeyConfigError(QuankeError):
    """The deployment's keys are missing, unreadable, malformed or not the database's keys."""

    code = "key_config"
    http_status = 503


class CiphertextError(QuankeError):
    """A stored value does not decrypt: truncated, altered, or under a key this deployment lacks.

    ``details`` names the column (``table.column``) and, where known, the row (primary key).
    """

    code = "ciphertext_invalid"
    http_status = 500

    def __init__(self, label: str, reason: str, *, row=None, version: int | None = None,
                 code: str | None = None):
        where = f"{label}" + (f"（第 {row} 行）" if row is not None else "")
        key = f"，密钥版本 {version}" if version is not None else ""
        super().__init__(f"无法解密 {where}{key}：{reason}。数据未被读取或改动；"
                         f"请运行 `quanke keys check --full` 查看所有受影响的行",
                         code=code, details={"column": label, "row": row, "key_version": version})
        self.label, self.reason, self.row, self.version = label, reason, row, version

    def at_row(self, row) -> "CiphertextError":
        return CiphertextError(self.label, self.reason, row=row, version=self.version, code=self.code)
