"""Time limits and due-date explanations in the reader's language.

The core words them in Chinese (:meth:`core.contract.legal_clock.LegalClock.summary`,
:meth:`core.deadlines.due_dates.DueDateExplanation.lines`: receipts and SMS are Chinese). A
page builds the same sentences from the same facts through the catalogue, so English mode
reads "Within 20 working days of acceptance (Administrative Licensing Law, Art. 42)". In
Chinese the core's own sentences are used unchanged.

Citations keep the statute's Chinese name unless :data:`LAWS` knows it; 第四十二条 becomes
"Art. 42" (:func:`citation`).
"""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import get_locale
from flask_babel import gettext as _

#: Statutes the core and the bundled plugins cite, in English.
LAWS = {
    "中华人民共和国行政许可法": "Administrative Licensing Law",
    "行政许可法": "Administrative Licensing Law",
    "中华人民共和国法律援助法": "Legal Aid Law",
    "法律援助法": "Legal Aid Law",
    "中华人民共和国民法典": "Civil Code",
    "民法典": "Civil Code",
    "中华人民共和国档案法": "Archives Law",
    "市场主体登记管理条例": "Regulation on the Registration of Market Entities",
    "志愿服务条例": "Regulation on Volunteer Services",
    "全国年节及纪念日放假办法": "Measures on National Holidays and Commemorative Days",
}
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL = "零一二两三四五六七八九十百"
_ARTICLE = re.compile(rf"第([{_NUMERAL}\d]+)条(?:第([{_NUMERAL}\d]+)款)?(?:第（?([{_NUMERAL}\d]+)）?项)?")
_LAW = re.compile(r"《([^》]+)》")


def chinese_number(text: str) -> int | None:
    """四十二 → 42, 一百零三 → 103, 十 → 10; digits as they are; None if not a number."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _article(match: re.Match) -> str:
    parts = [f"Art. {chinese_number(match.group(1))}"]
    if match.group(2):
        parts.append(f"para. {chinese_number(match.group(2))}")
    if match.group(3):
        parts.append(f"item {chinese_number(match.group(3))}")
    return " ".join(parts)


def citation(text: str) -> str:
    """《中华人民共和国行政许可法》第四十二条 → Administrative Licensing Law, Art. 42 (known
    statutes only; an unknown one keeps its Chinese name, its articles still become Art. N)."""
    text = _LAW.sub(lambda m: LAWS[m.group(1)] + ", " if m.group(1) in LAWS else m.group(0), text)
    return _ARTICLE.sub(_article, text).replace("、", ", ")


_BASIS_HEADS = (  # the heads core.deadlines.explain.basis_lines writes, and the one promise gloss
    (re.compile(r"^办理时限 (\d+)个工作日："), lambda m: _("Time limit %(n)s working days: ", n=m.group(1))),
    (re.compile(r"^办理时限 (\d+)日："), lambda m: _("Time limit %(n)s days: ", n=m.group(1))),
    (re.compile(r"^计算方式："), lambda m: _("Counting: ")),
    (re.compile(r"^延长："), lambda m: _("Extension: ")),
    (re.compile(r"^中止计时："), lambda m: _("Clock paused: ")),
    (re.compile(r"承诺时限(\d+)个工作日，不超过法定的二十个工作日"),
     lambda m: _("a promised %(n)s working days, within the statutory twenty", n=m.group(1))),
)
_GLOSS = re.compile(r"（[^（）]*[\u4e00-\u9fff][^（）]*）")


def basis_line(text: str) -> str:
    """One line of a due date's legal basis in English: its head translated, the statute cited
    as Law, Art. N, and the Chinese gloss of the statute's words left out (the citation is
    what an English reader can look up)."""
    for pattern, english in _BASIS_HEADS:
        text = pattern.sub(english, text)
    text = _GLOSS.sub("", text).replace("（", " (").replace("）", ")")
    return citation(text).strip()


def _english() -> bool:
    locale = get_locale()
    return bool(locale) and locale.language == "en"


def _unit(counting: str, n: int) -> str:
    if counting == "calendar_days":
        return _("%(n)s days", n=n)
    return _("%(n)s working days", n=n)


def _date(day: dt.date) -> str:
    return day.strftime("%d %b %Y").lstrip("0")


def clock_summary(clock) -> str:
    """:meth:`LegalClock.summary` in the reader's language."""
    if not _english():
        return clock.summary()
    start = _("from the day of receipt") if clock.starts == "receipt" else _("from the day of acceptance")
    text = _("Within %(limit)s %(start)s (%(basis)s)", limit=_unit(clock.counting, clock.days), start=start,
             basis=citation(clock.basis.short))
    if clock.extendable:
        text += _("; the department lead may extend it by %(limit)s",
                  limit=_unit(clock.counting, clock.extension_days))
    else:
        text += _("; no extension")
    return text


def extension_text(clock) -> str:
    """:meth:`LegalClock.extension_text` in the reader's language."""
    if not _english():
        return clock.extension_text()
    if not clock.extendable:
        return _("This service's time limit may not be extended (%(basis)s)",
                 basis=citation(clock.extension_basis.short))
    return _("May be extended once, by at most %(limit)s, with the department lead's approval (%(basis)s)",
             limit=_unit(clock.counting, clock.extension_days), basis=citation(clock.extension_basis.short))


def explanation_lines(explanation) -> list[str]:
    """:meth:`DueDateExplanation.lines` in the reader's language."""
    if explanation is None:
        return []
    if not _english():
        return explanation.lines()
    e = explanation

    def unit(n: int) -> str:
        return _unit(e.counting, n)

    start = _("Received") if e.start_label != "受理日期" else _("Accepted")
    out = [_("%(what)s: %(day)s (not counted)", what=start, day=_date(e.start)),
           _("Time limit: %(limit)s", limit=unit(e.working_days))
           + (_(" (calendar days; a period ending on a holiday ends on the next working day)")
              if e.counting == "calendar_days" else "")]
    for first, last, label in _ranges(e.skipped):
        span = _date(first) if first == last else _("%(first)s to %(last)s", first=_date(first), last=_date(last))
        out.append(_("Skipped: %(span)s %(label)s", span=span, label=label))
    for info in e.makeup_days:
        out.append(_("Make-up working day counted: %(day)s", day=_date(info.day)))
    for pause in e.pauses:
        if pause.end is None:
            out.append(_("Clock paused since %(day)s, not resumed yet", day=_date(pause.start)))
        else:
            out.append(_("Clock paused %(first)s to %(last)s", first=_date(pause.start), last=_date(pause.end)))
    if e.extension_days:
        out.append(_("Extended by %(limit)s", limit=unit(e.extension_days)))
    # The core's only warnings are the provisional-calendar ones (one per year).
    out.extend(_("Note: the official holiday arrangement for %(year)s is not loaded yet; the due date "
                 "counts the statutory holidays only (provisional) and is recalculated once it is published",
                 year=year) for year in e.provisional_years)
    if len(e.warnings) > len(e.provisional_years):
        out.extend(_("Note: %(text)s", text=text) for text in e.warnings[len(e.provisional_years):])
    out.extend(_("Basis: %(text)s", text=basis_line(text)) for text in e.basis)
    if e.due_date is None:
        out.append(_("Due date: clock paused, %(counted)s counted, %(left)s left; set when the clock resumes",
                     counted=unit(e.counted_days), left=unit(e.total_days - e.counted_days)))
    else:
        if e.moved_from is not None:
            out.append(_("The period ended on %(day)s, a holiday, and moves to the next working day",
                         day=_date(e.moved_from)))
        out.append(_("Due date: %(day)s (%(weekday)s)", day=_date(e.due_date), weekday=e.due_date.strftime("%A")))
    return out


def _ranges(skipped) -> list[tuple[dt.date, dt.date, str]]:
    """Consecutive skipped days of the same kind as one range (as the Chinese lines group them)."""
    out: list[list] = []
    for info in skipped:
        label = _("weekend") if info.kind == "weekend" else _("public holiday")
        if out and info.day - out[-1][1] == dt.timedelta(days=1) and out[-1][2] == label:
            out[-1][1] = info.day
        else:
            out.append([info.day, info.day, label])
    return [tuple(r) for r in out]
