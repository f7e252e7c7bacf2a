"""One parsing layer for what people and programs type (pages, API, plugins).

Every query-string or form value that becomes a number, a date or a stored string goes
through here, so bad input is one clear :class:`InvalidInput` (a 400), never a 500 further
down:

* integers: ASCII digits only (``"²"`` passes ``str.isdigit()`` but not here), bounded —
  ids are 1 … 2**31-1 (the database's integer), so 2**40 or 2**63 never reach a query;
* dates: ``YYYY-MM-DD`` between 1900-01-01 and 2100-12-31 (``0001-01-01`` and
  ``9999-12-31`` overflow date arithmetic);
* text: control characters (NUL and the other C0 ones except tab and line breaks, DEL)
  and lone surrogates are refused — PostgreSQL cannot store a NUL;
* JSON: nesting at most :data:`MAX_JSON_DEPTH` deep (5,000 levels exhaust the parser's stack).
"""
from __future__ import annotations

import datetime as dt
import re

from core.platform.errors import InvalidInput

MAX_ID = 2**31 - 1
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
MAX_JSON_DEPTH = 64

_ASCII_INT = re.compile(r"-?[0-9]{1,18}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Not allowed anywhere: C0 controls but \t \n \r, DEL, lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


def parse_int(raw, *, field: str, lo: int = -MAX_ID, hi: int = MAX_ID, default: int | None = None,
              code: str = "invalid_field", what: str | None = None) -> int | None:
    """``raw`` (a str from a form or query string, or an int from JSON) as a bounded integer.

    Empty / missing gives ``default`` (``None`` unless given). Anything else that is not
    ASCII digits within ``lo`` … ``hi`` raises :class:`InvalidInput` naming the field.
    """
    what = what or field
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    if isinstance(raw, bool):
        raise InvalidInput(f"{what} 应为整数", code=code, field=field)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _ASCII_INT.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        raise InvalidInput(f"{what} 应为整数（只用数字0-9）", code=code, field=field)
    if not lo <= value <= hi:
        raise InvalidInput(f"{what} 应为 {lo} 至 {hi} 之间的整数", code=code, field=field)
    return value


def parse_id(raw, *, field: str, default: int | None = None, code: str = "invalid_field") -> int | None:
    """A database id: 1 … 2**31-1 (what an INTEGER column holds)."""
    return parse_int(raw, field=field, lo=1, hi=MAX_ID, default=default, code=code)


def try_id(raw) -> int | None:
    """Like :func:`parse_id` but ``None`` instead of an error (a search box that may hold a name)."""
    try:
        return parse_id(raw if isinstance(raw, (str, int)) else None, field="id")
    except InvalidInput:
        return None


def parse_date(raw, *, field: str, default: dt.date | None = None, lo: dt.date = MIN_DATE,
               hi: dt.date = MAX_DATE, code: str = "invalid_field") -> dt.date | None:
    """``YYYY-MM-DD`` (ASCII) between ``lo`` and ``hi``; empty gives ``default``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} 应为 YYYY-MM-DD 格式的日期", code=code, field=field) from None
    if not lo <= value <= hi:
        raise InvalidInput(f"{field} 应在 {lo.isoformat()} 至 {hi.isoformat()} 之间", code=code, field=field)
    return value


def has_control(text: str) -> bool:
    return bool(_CONTROL.search(text))


def check_text(value: str, *, field: str) -> str:
    """``value`` unchanged, or :class:`InvalidInput` when it holds a control character."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise InvalidInput(f"{field} 含有不可见的控制字符（如 NUL），请删除后重试",
                           code="control_characters", field=field)
    return value


def check_tree(value, *, field: str = "body", depth: int = 0):
    """Every string (keys too) of a parsed JSON document passes :func:`check_text`."""
    if depth > MAX_JSON_DEPTH:
        raise InvalidInput(f"JSON 嵌套过深（最多{MAX_JSON_DEPTH}层）", code="json_too_deep")
    if isinstance(value, str):
        check_text(value, field=field)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, field=field)
            check_tree(item, field=key if depth == 0 else field, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_tree(item, field=field, depth=depth + 1)
    return value


def json_depth(text: str) -> int:
    """How deeply ``text`` (JSON) nests arrays and objects, counted without parsing it."""
    depth = deepest = 0
    for bracket in _JSON_BRACKETS.findall(_JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_json_depth(text: str) -> None:
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InvalidInput(f"JSON 嵌套过深（最多{MAX_JSON_DEPTH}层）", code="json_too_deep")
