"""Receipt numbers (受理编号): ``<centre code>-<yyyymmdd>-<nnnn>``, unique per centre and day."""
from __future__ import annotations
import datetime as dt
import logging
from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from core.platform.models import (Centre, ReceiptSequence)
log = logging.getLogger(__name__)


def _receipt_counter(dialect_insert):
    return (dialect_insert(ReceiptSequence.__table__)
            .values(centre_id=bindparam("centre_id"), day=bindparam("day"), last=1)
            .on_conflict_do_update(index_elements=["centre_id", "day"],
                                   set_={"last": ReceiptSequence.__table__.c.last + 1})
            .returning(ReceiptSequence.__table__.c.last))


#: Built once per dialect: building the statement anew each time cost more than running it.
_RECEIPT_COUNTERS = {"postgresql": _receipt_counter(postgresql.insert),
                     "sqlite": _receipt_counter(sqlite.insert)}


def next_receipt_no(session: Session, centre: Centre, day: dt.date) -> str:
    """``<centre code>-<yyyymmdd>-<nnnn>``: unique per centre and day, safe under concurrency."""
    stmt = _RECEIPT_COUNTERS[session.get_bind().dialect.name]
    seq = session.execute(stmt, {"centre_id": centre.id, "day": day}).scalar_one()
    return f"{centre.code}-{day:%Y%m%d}-{seq:04d}"
