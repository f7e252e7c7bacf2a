"""Reading a request's JSON body: an object, and its fields as text, true/false, a date or
an integer, each refused with the field named when it has the wrong type."""
from __future__ import annotations

import datetime as dt

from flask import request

from core.api import InvalidInput


def body() -> dict:
    data = request.get_json(silent=True) if request.data else {}
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象", code="invalid_json")
    return data


def text(data: dict, key: str, *, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{key} 应为字符串", code="invalid_field", field=key)
    return value


def flag(data: dict, key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} 应为 true 或 false", code="invalid_field", field=key)
    return value


def day(data: dict, key: str, *, required: bool = True) -> dt.date | None:
    value = data.get(key)
    if value in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} 应为 YYYY-MM-DD 格式的日期", code="invalid_date", field=key) from None


def integer(data: dict, key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key} 应为整数", code="invalid_field", field=key)
    return value
