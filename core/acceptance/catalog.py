"""Service catalog search (事项检索): by name, keyword, full pinyin and pinyin initials.

``gtgs`` finds 个体工商户设立登记, ``dangan`` finds 档案查询, ``营业执照`` finds it by keyword.
Results can be limited to the services a centre may accept or to a channel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from core.contract.services import ServiceDef


@dataclass(frozen=True)
class _Entry:
    texts: tuple[str, ...]      # name and keywords, lower case
    full: tuple[str, ...]       # full pinyin without tones, no spaces
    initials: tuple[str, ...]   # first letters


def _letters(text: str, style) -> str:
    parts = lazy_pinyin(text, style=style, errors="ignore", strict=False)
    return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())


@lru_cache(maxsize=4096)
def _entry(name: str, keywords: tuple[str, ...]) -> _Entry:
    texts = (name, *keywords)
    return _Entry(tuple(t.lower() for t in texts),
                  tuple(_letters(t, Style.NORMAL) for t in texts),
                  tuple(_letters(t, Style.FIRST_LETTER) for t in texts))


def score(service: ServiceDef, query: str) -> int:
    """0 when the service does not match; higher is a better match."""
    q = (query or "").strip().lower()
    if not q:
        return 1
    entry = _entry(service.name, tuple(service.keywords))
    if q in service.code.lower():
        return 50
    best = 0
    for i, text in enumerate(entry.texts):
        weight = 2 if i == 0 else 1  # the name counts more than a keyword
        if text.startswith(q):
            best = max(best, 100 * weight)
        elif q in text:
            best = max(best, 80 * weight)
    compact = re.sub(r"[^a-z0-9]", "", q)
    if compact:
        for i, (full, initials) in enumerate(zip(entry.full, entry.initials)):
            weight = 2 if i == 0 else 1
            if initials.startswith(compact):
                best = max(best, 70 * weight)
            elif compact in initials:
                best = max(best, 50 * weight)
            if full.startswith(compact):
                best = max(best, 60 * weight)
            elif compact in full and len(compact) >= 3:
                best = max(best, 40 * weight)
    return best


def search(services, query: str = "", *, allowed: set[str] | None = None,
           channel: str | None = None, limit: int = 50) -> list[ServiceDef]:
    """Services matching ``query``, best first; ``allowed`` limits to those codes."""
    found = []
    for service in services:
        if allowed is not None and service.code not in allowed:
            continue
        if channel and channel not in service.channels:
            continue
        s = score(service, query)
        if s:
            found.append((-s, service.name, service))
    found.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in found[:limit]]
