"""Where and when an application was received: the two facts that choose the means test.

Art. 43 counts the seven days from receipt (收到申请之日) and Art. 34 standards are set per
area. Both come from the system, never from what an applicant or counter worker types:

* the day is ``Application.submitted_at`` — set by the system at counter filing, on online
  submission and on resubmission after a correction — else its creation time;
* the area is the receiving centre's. The core's centres carry no administrative division, so
  the plugin maps them in its settings:

  - ``LEGAL_AID_CENTRE_AREAS``: centre code → six-digit area code, as a dict in the
    configuration or ``T01=320113,T02=320114`` (commas, semicolons or new lines);
  - ``LEGAL_AID_DEFAULT_AREA``: the district's own code (default ``320113``), for centres
    not listed and for online applications no centre has accepted yet.

  A centre not listed takes its parent centre's area (a community station under its street
  centre). A listed centre whose entry is not a valid code gets no area at all: the means
  test is then undetermined rather than run against another area's standard.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.api import Centre, local_date, setting
from plugins.legal_aid.domain.areas import area_name

DEFAULT_AREA = "320113"  # 南京市栖霞区, the reference district
AREAS_SETTING, DEFAULT_SETTING = "LEGAL_AID_CENTRE_AREAS", "LEGAL_AID_DEFAULT_AREA"
AREA_RE = re.compile(r"^\d{6}$")
_ENTRY_SPLIT = re.compile(r"[,;，；\n]+")
MAX_DEPTH = 8  # centres form a shallow tree (district → street → community)


@dataclass(frozen=True)
class Area:
    code: str               # "" when the configuration gives no valid code
    source: str             # "centre", "parent", "default" or "invalid"
    centre_code: str = ""   # the centre whose entry was used ("" for the default)

    def describe(self) -> str:
        if self.source == "invalid":
            return f"受理中心 {self.centre_code or '（未指定）'} 的地区配置无效"
        if self.source == "default":
            return f"{area_name(self.code)}（{self.code}，本区默认地区）"
        return f"{area_name(self.code)}（{self.code}，受理中心 {self.centre_code}）"


def received_on(app) -> dt.date:
    """The day of receipt the system recorded (never a date anyone typed)."""
    return local_date(app.submitted_at or app.created_at)


def _entries(raw) -> list[tuple[str, str]]:
    if isinstance(raw, dict):
        return [(str(k).strip(), str(v).strip()) for k, v in raw.items()]
    out = []
    for chunk in _ENTRY_SPLIT.split(str(raw or "")):
        if chunk.strip():
            code, _, area = chunk.partition("=")
            out.append((code.strip(), area.strip()))
    return out


def centre_areas(holder) -> dict[str, str | None]:
    """Centre code → area code; ``None`` for an entry that is not a six-digit code."""
    return {code: area if AREA_RE.match(area) else None
            for code, area in _entries(setting(holder, AREAS_SETTING, "")) if code}


def default_area(holder) -> str | None:
    value = str(setting(holder, DEFAULT_SETTING, DEFAULT_AREA)).strip()
    return value if AREA_RE.match(value) else None


def area_of_centre(holder, session, centre_id: int | None) -> Area:
    """The area whose standard applies to an application received at ``centre_id``."""
    mapping = centre_areas(holder)
    centre = session.get(Centre, centre_id) if centre_id else None
    first = centre.code if centre is not None else ""
    for depth in range(MAX_DEPTH):
        if centre is None:
            break
        if centre.code in mapping:
            code = mapping[centre.code]
            if code is None:
                return Area("", "invalid", centre.code)
            return Area(code, "centre" if depth == 0 else "parent", centre.code)
        centre = centre.parent
    fallback = default_area(holder)
    return Area(fallback, "default", first) if fallback else Area("", "invalid", "")


def config_problems(holder, session=None) -> list[str]:
    """What ``quanke plugins --check`` reports about the two settings."""
    problems = []
    raw_default = str(setting(holder, DEFAULT_SETTING, DEFAULT_AREA)).strip()
    if not AREA_RE.match(raw_default):
        problems.append(f"配置 {DEFAULT_SETTING}={raw_default!r} 应为6位行政区划代码（如 320113）")
    entries = _entries(setting(holder, AREAS_SETTING, ""))
    seen = set()
    for code, area in entries:
        if not code:
            problems.append(f"配置 {AREAS_SETTING} 中有缺少中心编码的条目（应为 中心编码=行政区划代码）")
        elif not AREA_RE.match(area):
            problems.append(f"配置 {AREAS_SETTING} 中中心 {code} 的地区 {area!r} 应为6位行政区划代码")
        elif code in seen:
            problems.append(f"配置 {AREAS_SETTING} 中中心 {code} 出现了两次")
        seen.add(code)
    if session is not None and seen:
        from sqlalchemy import select
        known = set(session.scalars(select(Centre.code).where(Centre.code.in_(sorted(seen)))))
        problems += [f"配置 {AREAS_SETTING} 中的中心编码 {code} 在数据库中不存在"
                     for code in sorted(seen - known)]
    return problems
