"""Every way a person can see an archive record, with the permission check and the log.

* Archive staff (approver / lead of ``archives``): by resident ID, by name + birth year, by
  record id — any person's records, always with a stated reason, always logged.
* A signed-in citizen: only records naming their own (real-name) resident ID, in the masked
  requester view. Asking for anyone else's gets a refusal that discloses nothing (the same
  answer whether or not such a record exists) and is audited.

Pages and the API call these; none of them reads the store directly.
"""
from __future__ import annotations

from core.api import Citizen, Forbidden, InvalidInput, NotFound, User, validate_resident_id

from plugins.archive_query.domain.access import is_archive_staff, log_denied, log_empty_search, log_looks
from plugins.archive_query.domain.categories import category as category_for
from plugins.archive_query.domain.store import record_by_id, records_for_person, requester_view, search_by_name, staff_view

NOT_YOURS = "只能查看本人的档案记录"
NO_SUCH_RECORD = "档案记录不存在或无权查看"


def _reload(session, who):
    if isinstance(who, User):
        return session.get(User, who.id)
    if isinstance(who, Citizen):
        return session.get(Citizen, who.id)
    return who


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if len(text) < 2:
        raise InvalidInput("请填写查档事由（如申请编号、来函编号或工作事项）", code="reason_required",
                           field="reason")
    if len(text) > 200:
        raise InvalidInput("查档事由过长（最多200字）", code="reason_too_long", field="reason")
    return text


def _valid_or_none(raw: str) -> str | None:
    try:
        return validate_resident_id(raw, with_place=False).number
    except InvalidInput:
        return None


def _refuse(quanke, who, error, *, channel: str, what: str, subjects=(), record_id=None):
    """Write the refused attempt (its own transaction, so it survives the error), then raise."""
    with quanke.db.session() as session:
        record = record_by_id(session, record_id) if record_id else None
        if record is not None:
            subjects = [p.id_number for p in record.persons]
        log_denied(session, who=_reload(session, who), channel=channel, what=what,
                   subjects=subjects, record=record,
                   data={"record_id": record_id, "error": error.code})
    raise error


def _require_staff(quanke, who, *, channel: str, what: str, subjects=()) -> None:
    if not is_archive_staff(who):
        _refuse(quanke, who, Forbidden("只有区档案馆的审批人员或负责人可以检索档案",
                                       code="not_archive_staff"),
                channel=channel, what=what, subjects=subjects)


def _category(code: str | None) -> str | None:
    return category_for(code).code if code else None


# -- archive staff ------------------------------------------------------------------------------

def staff_by_id(quanke, user, *, id_number: str, reason: str, category: str | None = None,
                channel: str = "search_page") -> list[dict]:
    """Records naming ``id_number`` (exact), full view; the look is logged with the reason."""
    # The birth place is not needed to find records (and is most of a validation's cost).
    number = _valid_or_none(id_number)
    _require_staff(quanke, user, channel=channel, what="按身份证号检索档案",
                   subjects=[number] if number else [])
    text = _reason(reason)
    if number is None:
        number = validate_resident_id(id_number, with_place=False).number  # the clear error
    cat = _category(category)
    with quanke.db.session() as session:
        me = _reload(session, user)
        records = records_for_person(session, number, cat)
        if records:
            log_looks(session, who=me, records=records, kind="view", channel=channel,
                      purpose=text, about=number)
        else:
            log_empty_search(session, who=me, id_number=number, category=cat or "",
                             channel=channel, purpose=text)
        return [staff_view(r) for r in records]


def staff_by_name(quanke, user, *, name: str, birth_year, reason: str,
                  category: str | None = None, channel: str = "search_page") -> list[dict]:
    """Fuzzy search by name and birth year (see :func:`.store.search_by_name`); logged."""
    _require_staff(quanke, user, channel=channel, what="按姓名检索档案")
    text = _reason(reason)
    name = (name or "").strip()
    if not 1 <= len(name) <= 30:
        raise InvalidInput("请填写要检索的姓名（1至30字）", code="invalid_name", field="name")
    try:
        year = int(birth_year)
    except (TypeError, ValueError):
        raise InvalidInput("出生年份应为四位数字", code="invalid_birth_year", field="birth_year") from None
    if not 1900 <= year <= 2100:
        raise InvalidInput("出生年份应在1900年至今之间", code="invalid_birth_year", field="birth_year")
    cat = _category(category)
    with quanke.db.session() as session:
        me = _reload(session, user)
        matches = search_by_name(session, name, year, category=cat)
        out = []
        for match in matches:
            log_looks(session, who=me, records=[match.record], kind="view", channel=channel,
                      purpose=text, about=match.person.id_number)
            view = staff_view(match.record)
            out.append({"score": match.score, "matched_person": match.person.id_number,
                        "matched_name": match.person.name, "record": view})
        return out


def staff_record(quanke, user, record_id: int, *, reason: str,
                 channel: str = "record_page") -> dict:
    """One record in full; logged."""
    _require_staff(quanke, user, channel=channel, what="查看档案记录")
    text = _reason(reason)
    with quanke.db.session() as session:
        record = record_by_id(session, record_id)
        if record is None:
            raise NotFound("档案记录不存在", code="record_not_found")
        log_looks(session, who=_reload(session, user), records=[record], kind="view",
                  channel=channel, purpose=text)
        return staff_view(record)


# -- citizens -----------------------------------------------------------------------------------

def _own_number(quanke, citizen, channel: str) -> str:
    with quanke.db.session() as session:
        me = _reload(session, citizen)
        applicant = me.applicant if isinstance(me, Citizen) else None
        if applicant is None or applicant.kind != "person":
            raise Forbidden("账户尚未实名登记身份证号，不能查阅档案", code="not_real_name")
        return applicant.id_number


def own_records(quanke, citizen, *, id_number: str | None = None, category: str | None = None,
                channel: str = "api") -> list[dict]:
    """The citizen's own records (masked view). Another person's ID → refused and audited."""
    if not isinstance(citizen, Citizen):
        raise Forbidden("只有市民本人可以查阅本人档案", code="forbidden_role")
    mine = _own_number(quanke, citizen, channel)
    asked = (id_number or "").strip().upper()
    if asked and asked != mine:
        _refuse(quanke, citizen, Forbidden(NOT_YOURS, code="not_own_record"), channel=channel,
                what="试图查看他人的档案记录", subjects=[n for n in [_valid_or_none(asked)] if n])
    cat = _category(category)
    with quanke.db.session() as session:
        me = _reload(session, citizen)
        records = records_for_person(session, mine, cat)
        log_looks(session, who=me, records=records, kind="view", channel=channel,
                  purpose="本人查阅本人档案", about=mine)
        return [requester_view(r, mine) for r in records]


def own_record(quanke, citizen, record_id: int, *, channel: str = "api") -> dict:
    """One record naming the citizen; any other id answers exactly like a missing one."""
    if not isinstance(citizen, Citizen):
        raise Forbidden("只有市民本人可以查阅本人档案", code="forbidden_role")
    mine = _own_number(quanke, citizen, channel)
    with quanke.db.session() as session:
        record = record_by_id(session, record_id)
        if record is not None and any(p.id_number == mine for p in record.persons):
            log_looks(session, who=_reload(session, citizen), records=[record], kind="view",
                      channel=channel, purpose="本人查阅本人档案", about=mine)
            return requester_view(record, mine)
    _refuse(quanke, citizen, NotFound(NO_SUCH_RECORD, code="record_not_found"), channel=channel,
            what="试图查看不属于本人的档案记录", record_id=record_id)
