"""Reading the archive store: by resident ID (exact, indexed), by name + birth year (fuzzy),
by record id; and the two views of a record — full for archive staff, masked for requesters.

Nothing here logs: every caller that shows a record to someone goes through
:mod:`.lookups`, which logs the look. Keep it that way — these functions are the raw reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from pypinyin import lazy_pinyin
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.api import mask_id, mask_name

from plugins.archive_query.domain.categories import CATEGORIES, COMMON_LABELS, visible_fields
from plugins.archive_query.models import ArchiveRecord, RecordPerson

MAX_CANDIDATES = 5000
MIN_SCORE = 0.5


def records_for_person(session: Session, id_number: str, category: str | None = None,
                       *, limit: int = 500) -> list[ArchiveRecord]:
    """Every record naming ``id_number`` (in any role), oldest first, persons loaded.

    One round trip: the persons index finds the records, a second join loads each record's
    persons (both spouses of a marriage record) in the same statement.
    """
    stmt = (select(ArchiveRecord).join(RecordPerson, RecordPerson.record_id == ArchiveRecord.id)
            .where(RecordPerson.id_number_index == id_number)
            .options(joinedload(ArchiveRecord.persons))
            .order_by(ArchiveRecord.record_date, ArchiveRecord.id).limit(limit))
    if category:
        stmt = stmt.where(ArchiveRecord.category == category)
    return list(session.scalars(stmt).unique())


def record_by_id(session: Session, record_id: int) -> ArchiveRecord | None:
    return session.get(ArchiveRecord, record_id, options=[selectinload(ArchiveRecord.persons)])


@dataclass
class NameMatch:
    score: float
    person: RecordPerson
    record: ArchiveRecord


def _similarity(query: str, query_py: list[str], name: str) -> float:
    by_chars = SequenceMatcher(None, query, name).ratio()
    by_sound = SequenceMatcher(None, query_py, lazy_pinyin(name)).ratio()
    return max(by_chars, 0.9 * by_sound)  # a homophone (章/张) is close, not identical


def search_by_name(session: Session, name: str, birth_year: int, *, category: str | None = None,
                   year_tolerance: int = 1, limit: int = 50) -> list[NameMatch]:
    """Persons born around ``birth_year`` whose name looks or sounds like ``name``.

    Candidates come from the (birth_year, name) index: born within ``year_tolerance`` years
    and sharing at least one character with the name asked for (so one wrong or missing
    character, or a homophone surname, still matches); they are then scored by character
    and pinyin similarity, minus 0.1 per year of difference.
    """
    name = name.strip()
    stmt = (select(RecordPerson)
            .where(RecordPerson.birth_year.between(birth_year - year_tolerance,
                                                   birth_year + year_tolerance),
                   or_(*[RecordPerson.name.contains(ch, autoescape=True) for ch in sorted(set(name))]))
            .limit(MAX_CANDIDATES))
    if category:
        stmt = stmt.join(ArchiveRecord, ArchiveRecord.id == RecordPerson.record_id).where(
            ArchiveRecord.category == category)
    query_py = lazy_pinyin(name)
    scored = []
    for person in session.scalars(stmt):
        score = _similarity(name, query_py, person.name) - 0.1 * abs(person.birth_year - birth_year)
        if score >= MIN_SCORE:
            scored.append((round(score, 3), person.id, person))
    scored.sort(key=lambda t: (-t[0], t[1]))
    top = scored[:limit]
    records = {r.id: r for r in session.scalars(
        select(ArchiveRecord).where(ArchiveRecord.id.in_({p.record_id for _, _, p in top}))
        .options(selectinload(ArchiveRecord.persons)))} if top else {}
    return [NameMatch(score, person, records[person.record_id]) for score, _, person in top]


# -- views ------------------------------------------------------------------------------------

def _base(record: ArchiveRecord) -> dict:
    cat = CATEGORIES.get(record.category)
    return {"id": record.id, "category": record.category,
            "category_label": cat.label if cat else record.category,
            "reference": record.reference, "fonds_no": record.fonds_no,
            "file_no": record.file_no, "item_no": record.item_no,
            "record_date": record.record_date.isoformat(), "issuing_body": record.issuing_body}


def staff_view(record: ArchiveRecord) -> dict:
    """Everything, for archive staff (internal fields included, nobody masked)."""
    cat = CATEGORIES[record.category]
    out = _base(record)
    out["fields"] = [{"name": f.name, "label": f.label, "value": record.fields.get(f.name),
                      "public": f.public} for f in cat.fields if f.name in record.fields]
    out["persons"] = [{"role": p.role, "role_label": cat.role_label(p.role), "name": p.name,
                       "id_number": p.id_number, "birth_year": p.birth_year} for p in record.persons]
    return out


def requester_view(record: ArchiveRecord, subject_id_number: str) -> dict:
    """What a requester may see: public fields only; the subject's ID masked, every *other*
    person (the spouse on a marriage record) masked in name and ID."""
    cat = CATEGORIES[record.category]
    out = _base(record)
    out["fields"] = [{"label": label, "value": value}
                     for label, value in visible_fields(cat, record.fields)]
    out["persons"] = []
    for p in record.persons:
        mine = p.id_number == subject_id_number
        out["persons"].append({"role_label": cat.role_label(p.role),
                               "name": p.name if mine else mask_name(p.name),
                               "id_number": mask_id(p.id_number), "is_subject": mine})
    return out


def result_view(record: ArchiveRecord, subject_id_number: str) -> dict:
    """What a query result keeps for its certificate: the requester view, except that a
    category whose certificate names everyone (marriage: both spouses) keeps every person's
    name and resident ID as the record has them. Only the certificate reads it."""
    out = requester_view(record, subject_id_number)
    cat = CATEGORIES[record.category]
    if cat.certificate_names_everyone:
        out["persons"] = [{"role_label": cat.role_label(p.role), "name": p.name,
                           "id_number": p.id_number, "is_subject": p.id_number == subject_id_number}
                          for p in record.persons]
    return out


def describe(view: dict) -> str:
    """One line for a certificate: reference, date, issuer, fields (the certificate gives
    each person of the record a row of its own)."""
    parts = [f"{COMMON_LABELS['fonds_no']}{view['fonds_no']} {COMMON_LABELS['file_no']}{view['file_no']}"
             + (f" {COMMON_LABELS['item_no']}{view['item_no']}" if view.get("item_no") else ""),
             f"{COMMON_LABELS['record_date']}：{view['record_date']}",
             f"{COMMON_LABELS['issuing_body']}：{view['issuing_body']}"]
    parts += [f"{f['label']}：{f['value']}" for f in view["fields"]]
    return "；".join(parts)
