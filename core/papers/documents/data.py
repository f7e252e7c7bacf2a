"""What goes into a paper and what comes out: the header every document carries, the rendered
PDF bytes, and dates as papers print them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from core.platform.clock import local
from core.platform.errors import InvalidInput


def format_date(value: dt.date | dt.datetime) -> str:
    """``2026年11月23日``; an aware datetime is shown as its Beijing-time date."""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class DocumentHeader:
    """What every document carries besides its body."""

    number: str
    issued_at: dt.datetime  # aware
    centre_name: str
    staff_name: str
    verification_code: str
    verification_url: str
    department_name: str = ""

    def __post_init__(self):
        if not isinstance(self.issued_at, dt.datetime) or self.issued_at.tzinfo is None:
            raise InvalidInput("出具时间必须带时区", code="naive_datetime", field="issued_at")
        if not (self.verification_url or "").strip():
            raise InvalidInput("缺少验证网址", code="verification_url_missing", field="verification_url")


class RenderedPDF(bytes):
    """PDF bytes, plus the characters that were replaced by ``□`` (empty unless
    ``allow_missing_glyphs=True`` was passed)."""

    missing_glyphs: frozenset[str]
    page_count: int

    def __new__(cls, data: bytes, missing: Iterable[str] = (), page_count: int = 1):
        obj = super().__new__(cls, data)
        obj.missing_glyphs = frozenset(missing)
        obj.page_count = page_count
        return obj
