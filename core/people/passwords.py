"""Password policy for staff accounts (工作人员密码规则).

Checked wherever a staff password is set: account creation (admin page and ``quanke user
create``), an administrator's reset, and a staff member changing their own. The rules are
those a district's security review asks for (等保 2.0 "口令复杂度"): at least
:data:`MIN_LENGTH` characters, characters of at least two kinds, not the username or phone
number (or it plus a few characters), not a well-known password from the list shipped in
``data/common_passwords.txt`` nor its word decorated differently (``Passw0rd!!``), and no
obvious pattern (fewer than five different characters, four of one in a row, five in
sequence: ``Aa1xxxxxxx``).
Messages say what to change; they never echo the password.
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from core.platform.errors import InvalidInput

#: The demo accounts' password. It meets the rules below like any other (a demo shows what the
#: real thing asks for); it is published (README), so production refuses demo data.
DEMO_PASSWORD = "Quanke-demo-2026"


MIN_LENGTH = 10
MAX_LENGTH = 128          # argon2 takes any length; a bound keeps a pasted novel out
COMMON_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


@lru_cache(maxsize=1)
def common_bases() -> frozenset[str]:
    """The words under the common passwords (``p@ssw0rd123`` → ``password``, ``admin12345`` →
    ``admin``): a common word decorated differently (``Passw0rd!!``) is just as guessable."""
    return frozenset(b for b in (_base_word(p) for p in common_passwords()) if len(b) >= 4)


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
    if lowered in common_passwords() or _base_word(lowered) in common_bases():
        found.append("该密码过于常见，容易被猜中，请换一个")
    elif password and (len(set(lowered)) < MIN_DISTINCT or _longest_run(password) >= 4
                       or _longest_sequence(lowered) >= 5):
        found.append("密码规律太明显（重复或连续的字符过多），请换一个")
    return found


MIN_DISTINCT = 5
#: Letters people swap in to "strengthen" a common word: Passw0rd → password, P@ss → pass.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_EDGES = "0123456789!@#$%^&*()-_=+.,?~`'\"/\\|;:[]{}<> "


def _base_word(lowered: str) -> str:
    """The word under decorations: digits and symbols trimmed from the ends, look-alikes undone
    (``Passw0rd!!`` → ``password``, ``admin@2026`` → ``admin``)."""
    core = lowered.strip(_EDGES) or lowered
    return core.translate(_LEET)


def _longest_run(password: str) -> int:
    """Longest run of one repeated character (``Aa1xxxxxxx`` → 7)."""
    best = run = 0
    previous = None
    for ch in password:
        run = run + 1 if ch == previous else 1
        best, previous = max(best, run), ch
    return best


def _longest_sequence(lowered: str) -> int:
    """Longest run of consecutive characters, up or down (``abcdef``, ``987654``)."""
    best = run = 1
    step = 0
    for a, b in zip(lowered, lowered[1:]):
        diff = ord(b) - ord(a)
        if diff in (1, -1) and (run == 1 or diff == step):
            run, step = run + 1, diff
        elif diff in (1, -1):
            run, step = 2, diff
        else:
            run, step = 1, 0
        best = max(best, run)
    return best if lowered else 0


def check_password(password: str, *, username: str = "", phone: str = "",
                   field: str = "password") -> None:
    """Raise :class:`InvalidInput` (code ``weak_password``) naming every broken rule."""
    found = problems(password, username=username, phone=phone)
    if found:
        raise InvalidInput("；".join(found), code="weak_password", field=field)
