"""The public check of statements and star certificates (``/timebank/verify/<code>``)."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from core.api import local, mask_name
from plugins.timebank.domain import ledger
from plugins.timebank.models import Holder, StarAward, Statement, Volunteer
from plugins.timebank.views.blueprint import bp, quanke, render


@bp.get("/verify/<code>")
def verify(code: str):
    """Public check of a statement or star certificate (what its QR code opens): masked
    facts only, one indexed lookup, 404 for anything unknown."""
    code = (code or "").strip().upper()
    if not code.isalnum() or len(code) > 32:
        abort(404)
    with quanke().db.session() as s:
        statement = s.scalar(select(Statement).where(Statement.verification_code == code))
        award = None if statement else s.scalar(select(StarAward).where(StarAward.verification_code == code))
        if statement is None and award is None:
            abort(404)
        if statement is not None:
            holder = s.get(Holder, statement.holder_id)
            facts = [("文件", "时间银行对账单"), ("编号", statement.number), ("账户", mask_name(holder.name)),
                     ("对账期间", f"{statement.period_start} 至 {statement.period_end}"),
                     ("出具时间", f"{local(statement.at):%Y-%m-%d %H:%M}"), ("文件摘要(SHA-256)", statement.sha256)]
        else:
            volunteer = s.get(Volunteer, award.volunteer_id)
            holder = s.get(Holder, volunteer.holder_id)
            facts = [("文件", "星级志愿者证书"), ("志愿者", mask_name(holder.name)), ("编号", volunteer.number),
                     ("星级", "★" * award.stars), ("评定年度", str(award.year)),
                     ("累计服务", ledger.fmt_minutes(award.cumulative_minutes))]
    return render("verify.html", facts=facts)
