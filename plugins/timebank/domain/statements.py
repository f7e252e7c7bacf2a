"""Statements (对账单): a holder's movements over a period, as a sealed PDF.

The PDF is kept content-addressed under ``<INSTANCE_PATH>/timebank/statements`` and
recorded (number, period, closing balances, sha256, verification code) so the public
check at ``/timebank/verify/<code>`` can confirm it; issuing one is audited.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import (
    LOCAL_TZ,
    InvalidInput,
    NotFound,
    local,
    mask_id,
    new_verification_code,
    now,
    record_audit,
    today,
)

from plugins.timebank.domain import access, ledger
from plugins.timebank.documents import movement_row, statement_pdf
from plugins.timebank.models import Account, Holder, Journal, Movement, Statement
from plugins.timebank.domain.settings import settings


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def balances_at(session: Session, holder_id: int, moment: dt.datetime) -> dict[str, int]:
    rows = session.execute(
        select(Account.kind, func.coalesce(func.sum(Movement.amount), 0))
        .join(Movement, Movement.account_id == Account.id).join(Journal, Journal.id == Movement.journal_id)
        .where(Account.holder_id == holder_id, Journal.at < moment).group_by(Account.kind)).all()
    out = {k: 0 for k in ledger.HOLDER_KINDS}
    out.update({k: int(v) for k, v in rows})
    return out


def movements(session: Session, holder_id: int, start: dt.datetime, end: dt.datetime, limit: int = 5000):
    """(journal, account kind, amount, running balance) in order, for statements and pages."""
    opening = balances_at(session, holder_id, start)
    rows = session.execute(
        select(Journal, Account.kind, Movement.amount)
        .join(Movement, Movement.journal_id == Journal.id).join(Account, Account.id == Movement.account_id)
        .where(Account.holder_id == holder_id, Journal.at >= start, Journal.at < end)
        .order_by(Journal.at, Movement.id).limit(limit)).all()
    running = dict(opening)
    out = []
    for journal, kind, amount in rows:
        running[kind] += int(amount)
        out.append((journal, kind, int(amount), running[kind]))
    return opening, out, running


def storage(quanke) -> Path:
    return Path(quanke.config["INSTANCE_PATH"]) / "timebank" / "statements"


def issue(quanke, actor, *, holder_id: int, start: dt.date, end: dt.date) -> tuple[Statement, bytes]:
    """Issue a statement for [start, end] (whole days, Beijing time)."""
    rules = settings(quanke)
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        raise InvalidInput("对账期间不正确：结束日期不能早于开始日期", code="invalid_period", field="end")
    if end > today():
        raise InvalidInput("对账期间不能包含今天以后的日期", code="invalid_period", field="end")
    if (end - start).days > 366:
        raise InvalidInput("一次最多出具一年的对账单", code="period_too_long", field="start")
    with quanke.db.session() as session:
        holder = session.get(Holder, holder_id)
        if holder is None:
            raise NotFound("账户不存在", code="holder_not_found")
        access.require_self_or_staff(session, actor, holder, "出具对账单")
        lo, hi = _midnight(start), _midnight(end + dt.timedelta(days=1))
        opening, moves, closing = movements(session, holder.id, lo, hi)
        rows = [movement_row(j.at, ledger.JOURNAL_LABELS.get(j.kind, j.kind), ledger.ACCOUNT_LABELS[kind], amount,
                             balance, j.memo[:40]) for j, kind, amount, balance in moves]
        owed = -closing["loan"]
        notes = ["存入的时长按“721”规则分为：70%可支取等额服务，20%可到慈善超市兑换物品，10%可结算现金补贴。",
                 f"时间存储上限为{ledger.fmt_minutes(rules.storage_cap_minutes)}，超出部分转入社区捐赠池。"]
        if owed:
            notes.append(f"尚欠借贷时长{ledger.fmt_minutes(owed)}，今后存入的时长将优先归还。")
        number = f"DZD{local(now()):%Y%m%d}{secrets.token_hex(3).upper()}"
        code = new_verification_code()
        id_masked = mask_id(holder.subject) if holder.kind == "person" else "（团队账户）"
        pdf = statement_pdf(quanke, number=number, code=code, holder_name=holder.name, holder_id=id_masked,
                            community=rules.community_name(holder.community), start=start, end=end,
                            opening=opening, closing=closing, rows=rows, notes=notes)
        digest = hashlib.sha256(pdf).hexdigest()
        folder = storage(quanke)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{digest}.pdf").write_bytes(pdf)
        row = Statement(holder_id=holder.id, number=number, period_start=start, period_end=end, closing=closing,
                        sha256=digest, signed=True, verification_code=code, issued_by=access.actor_key(actor))
        session.add(row)
        session.flush()
        record_audit(session, actor=access.actor_key(actor), action="timebank.statement_issued",
                     object_type="tb_statement", object_id=row.id, subject=holder.subject,
                     data={"number": number, "start": start.isoformat(), "end": end.isoformat(),
                           "closing": closing, "sha256": digest})
        return row, pdf


def stored_pdf(quanke, statement: Statement) -> bytes:
    path = storage(quanke) / f"{statement.sha256}.pdf"
    data = path.read_bytes() if path.exists() else b""
    if hashlib.sha256(data).hexdigest() != statement.sha256:
        raise NotFound("对账单文件缺失或已损坏，请重新出具", code="statement_missing")
    return data
