"""Password policy for staff accounts (工作人员密码规则).

Checked wherever a staff password is set: account creation (admin page and ``quanke user
create``), an administrator's reset, and a staff member changing their own. The rules are
those a district's security review asks for (等保 2.0 "口令复杂度"): at least
:data:`MIN_LENGTH` characters, characters of at least two kinds, not the username or phone
number (or it plus a few characters), and not a well-known password from the list shipped in ``data/common_passwords.txt``.
Messages say what to change; they never echo the password.
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from core.platform.errors import InvalidInput

#: The demo accounts' password. It is published (README), so production refuses demo data.
DEMO_PASSWORD = "demo12345"


MIN_LENGTH = 10
MAX_LENGTH = 128          # argon2 takes any length; a bound keeps a pasted novel out
COMMON_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


def _kinds(password: str) -> int:
    kinds = [any(c in string.ascii_lowercase for c in password),
             any(c in string.ascii_uppercase for c in password),
             any(c.isdigit() for c in password),
             any(not (c.isascii() and c.isalnum()) for c in password)]
    return sum(kinds)


def problems(password: str, *, username: str = "", phone: str = "") -> list[str]:
    """Every rule the password breaks, as Chinese sentences (empty when it is fine)."""
    password = password or ""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"密码至少{MIN_LENGTH}位")
    if len(password) > MAX_LENGTH:
        found.append(f"密码不超过{MAX_LENGTH}位")
    if password and _kinds(password) < 2:
        found.append("密码须包含至少两类字符（小写字母、大写字母、数字、符号）")
    lowered = password.lower()
    for what, value in (("用户名", username), ("手机号", phone)):
        value = (value or "").strip().lower()
        # "counter1" and "counter1@2026" are the username; "counter1-blue-river" is not
        if len(value) >= 3 and value in lowered and len(lowered.replace(value, "")) < 6:
            found.append(f"密码不能是{what}或{what}加几个字符")
    if lowered in common_passwords():
        found.append("该密码过于常见，容易被猜中，请换一个")
    return found


def check_password(password: str, *, username: str = "", phone: str = "",
                   field: str = "password") -> None:
    """Raise :class:`InvalidInput` (code ``weak_password``) naming every broken rule."""
    found = problems(password, username=username, phone=phone)
    if found:
        raise InvalidInput("；".join(found), code="weak_password", field=field)
