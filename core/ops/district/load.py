"""Loading the whole district: centres and staff, residents, then applications."""
from __future__ import annotations

from sqlalchemy import func, select

from core.ops.district.applications import _applications
from core.ops.district.bulk import SIZES, Size, refresh_statistics
from core.ops.district.centres import _centres, _counter_staff
from core.ops.district.residents import _applicants, _citizens
from core.platform.models import Centre, User


def load_district(quanke, *, progress: bool = False, size: Size | None = None) -> int:
    """Add the district's centres, staff, people and applications; returns rows added."""
    size = size or SIZES["district"]
    with quanke.db.session() as session:
        before = session.scalar(select(func.count()).select_from(Centre))
        centres = _centres(quanke, session, size)
        counters = _counter_staff(session, centres)
        approvers = list(session.scalars(select(User.id).where(
            User.username.in_(("approver1", "approver2", "lead1"))).order_by(User.id)))
        added = len(centres) - before
    with quanke.db.session() as session:
        _applicants(session, size, progress)
    with quanke.db.session() as session:
        _citizens(session, size)
    centres_plain = {}
    with quanke.db.session() as session:
        for c in session.scalars(select(Centre)):
            session.expunge(c)
            centres_plain[c.code] = c
    # Detached centres carry only plain columns (code, level, id): that is all rows need.
    added += _applications(quanke, quanke.db.session, size, centres_plain, counters, approvers,
                           progress)
    refresh_statistics(quanke)
    return added
