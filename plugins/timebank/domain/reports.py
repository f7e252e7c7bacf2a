"""Monthly reports per community for the street (定期生成报表上报街道): CSV and an SVG chart.

Figures come from the ledger itself (reversals included, so a corrected month adds up):
hours deposited by category (movements on the ``issued`` accounts), service hours
withdrawn by category (``redeemed``), goods exchanged and cash settled, active volunteers,
requests served and the average wait from filing to a volunteer accepting.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from xml.sax.saxutils import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import LOCAL_TZ, add_notification, record_audit, today

from plugins.timebank.domain.catalog import CATEGORIES
from plugins.timebank.models import Account, Journal, MonthlyReport, Movement, ServiceRequest
from plugins.timebank.domain.settings import settings

CATEGORY_CODES = [c for c, _ in CATEGORIES]


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        year, mon = (int(p) for p in month.split("-"))
        start = dt.datetime(year, mon, 1, tzinfo=LOCAL_TZ)
    except (ValueError, TypeError):
        from core.api import InvalidInput
        raise InvalidInput("月份格式应为 YYYY-MM", code="invalid_month", field="month") from None
    end = dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start, end


def previous_month(day: dt.date) -> str:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def _by_account_kind(session: Session, kind: str, start, end) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Account.community, Journal.category, func.sum(Movement.amount))
        .join(Movement, Movement.account_id == Account.id).join(Journal, Journal.id == Movement.journal_id)
        .where(Account.kind == kind, Account.holder_id.is_(None), Journal.at >= start, Journal.at < end)
        .group_by(Account.community, Journal.category)).all()
    return {(c, cat or ""): int(m) for c, cat, m in rows}


def figures(session: Session, month: str) -> tuple:
    """The month's raw aggregates, each keyed by community (and category where it has one)."""
    start, end = month_bounds(month)
    deposited = _by_account_kind(session, "issued", start, end)
    redeemed = _by_account_kind(session, "redeemed", start, end)
    goods = _by_account_kind(session, "supermarket", start, end)
    cash = _by_account_kind(session, "cash_paid", start, end)
    active: dict[str, set] = defaultdict(set)
    for community, holder in session.execute(
            select(Journal.community, Journal.holder_id).where(Journal.kind.in_(("service", "deposit")),
                                                               Journal.at >= start, Journal.at < end)):
        active[community].add(holder)
    served = dict(session.execute(select(ServiceRequest.community, func.count(ServiceRequest.id))
                                  .where(ServiceRequest.confirmed_at >= start, ServiceRequest.confirmed_at < end)
                                  .group_by(ServiceRequest.community)).all())
    waits: dict[str, list[float]] = defaultdict(list)
    for community, created, accepted in session.execute(
            select(ServiceRequest.community, ServiceRequest.created_at, ServiceRequest.accepted_at)
            .where(ServiceRequest.accepted_at >= start, ServiceRequest.accepted_at < end)):
        waits[community].append(max(0.0, (accepted - created).total_seconds() / 3600))
    return deposited, redeemed, goods, cash, active, served, waits


def rows_for(quanke, session: Session, month: str) -> list[dict]:
    """One dict per configured community (an idle community gets a row of zeros)."""
    rules = settings(quanke)
    deposited, redeemed, goods, cash, active, served, waits = figures(session, month)
    out = []
    for code, name in rules.communities:
        row = {"month": month, "community": code, "name": name}
        for cat in CATEGORY_CODES:
            row[f"dep_{cat}"] = -deposited.get((code, cat), 0)
            row[f"wd_{cat}"] = redeemed.get((code, cat), 0)
        row["dep_total"] = -sum(v for (c, _), v in deposited.items() if c == code)
        row["wd_service"] = sum(v for (c, _), v in redeemed.items() if c == code)
        row["wd_goods"] = sum(v for (c, _), v in goods.items() if c == code)
        row["wd_cash"] = sum(v for (c, _), v in cash.items() if c == code)
        row["active_volunteers"] = len(active.get(code, ()))
        row["requests_served"] = int(served.get(code, 0))
        w = waits.get(code, [])
        row["avg_wait_hours"] = round(sum(w) / len(w), 1) if w else None
        out.append(row)
    return out


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def to_csv(rows: list[dict]) -> str:
    """Hours with one decimal; UTF-8 with BOM so Excel opens the Chinese headers."""
    head = (["月份", "社区编码", "社区"] + [f"存入-{n}(小时)" for _, n in CATEGORIES] + ["存入合计(小时)"]
            + [f"支取服务-{n}(小时)" for _, n in CATEGORIES]
            + ["支取服务合计(小时)", "超市兑换(小时)", "现金结算(小时)", "活跃志愿者(人)", "完成服务(单)", "平均匹配等待(小时)"])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head)
    for r in rows:
        writer.writerow([r["month"], r["community"], r["name"]]
                        + [_hours(r[f"dep_{c}"]) for c in CATEGORY_CODES] + [_hours(r["dep_total"])]
                        + [_hours(r[f"wd_{c}"]) for c in CATEGORY_CODES]
                        + [_hours(r["wd_service"]), _hours(r["wd_goods"]), _hours(r["wd_cash"]),
                           r["active_volunteers"], r["requests_served"],
                           "" if r["avg_wait_hours"] is None else r["avg_wait_hours"]])
    return "\ufeff" + buffer.getvalue()


def to_svg(rows: list[dict], month: str) -> str:
    """Two bar charts drawn server-side: per community deposited vs withdrawn hours, and
    street-wide hours by category. Plain SVG, no script (fits the page's CSP)."""
    width, bar_h, gap = 760, 12, 10
    left, right = 130, 40
    plot = width - left - right
    communities = [r for r in rows]
    categories = [(c, n, sum(r[f"dep_{c}"] for r in rows), sum(r[f"wd_{c}"] for r in rows)) for c, n in CATEGORIES]
    wd_total = lambda r: r["wd_service"] + r["wd_goods"] + r["wd_cash"]  # noqa: E731
    peak1 = max([1] + [max(r["dep_total"], wd_total(r)) for r in communities])
    peak2 = max([1] + [max(d, w) for _, _, d, w in categories])
    y = 76
    parts = [f'<text x="{width / 2}" y="28" text-anchor="middle" font-size="16">{escape(month)} 时间银行月报（小时）</text>',
             '<rect x="130" y="38" width="12" height="10" fill="#2e86c1"/><text x="146" y="47" font-size="11">存入</text>',
             '<rect x="190" y="38" width="12" height="10" fill="#e67e22"/><text x="206" y="47" font-size="11">支取（服务+超市+现金）</text>']

    def bars(label, a, b, peak):
        nonlocal y
        wa, wb = plot * a / peak, plot * b / peak
        parts.append(f'<text x="{left - 6}" y="{y + bar_h + 3}" text-anchor="end" font-size="11">{escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{wa:.1f}" height="{bar_h}" fill="#2e86c1"><title>存入 {_hours(a)} 小时</title></rect>')
        parts.append(f'<text x="{left + wa + 4:.1f}" y="{y + bar_h - 2}" font-size="10">{_hours(a)}</text>')
        parts.append(f'<rect x="{left}" y="{y + bar_h}" width="{wb:.1f}" height="{bar_h}" fill="#e67e22"><title>支取 {_hours(b)} 小时</title></rect>')
        parts.append(f'<text x="{left + wb + 4:.1f}" y="{y + 2 * bar_h - 2}" font-size="10">{_hours(b)}</text>')
        y += 2 * bar_h + gap

    parts.append(f'<text x="10" y="{y}" font-size="13">各社区</text>')
    y += 8
    for r in communities:
        bars(r["name"], r["dep_total"], wd_total(r), peak1)
    y += 16
    parts.append(f'<text x="10" y="{y}" font-size="13">按服务类别（全街道，支取为服务时长）</text>')
    y += 8
    for _, name, dep, wd in categories:
        bars(name, dep, wd, peak2)
    y += 22
    parts.append(f'<text x="10" y="{y}" font-size="13">活跃志愿者、完成服务与匹配等待</text>')
    columns = ((left + 10, "活跃志愿者(人)", "active_volunteers", "#27ae60"), (left + 210, "完成服务(单)", "requests_served", "#8e44ad"),
               (left + 410, "平均匹配等待(小时)", "avg_wait_hours", "#7f8c8d"))
    y += 18
    for x, head, _, _ in columns:
        parts.append(f'<text x="{x}" y="{y}" font-size="11">{head}</text>')
    peaks = {key: max([1] + [r[key] or 0 for r in communities]) for _, _, key, _ in columns}
    for r in communities:
        y += bar_h + 4
        parts.append(f'<text x="{left - 6}" y="{y}" text-anchor="end" font-size="11">{escape(r["name"])}</text>')
        for x, _, key, colour in columns:
            value = r[key]
            width_ = 150 * (value or 0) / peaks[key]
            parts.append(f'<rect x="{x}" y="{y - bar_h + 2}" width="{width_:.1f}" height="{bar_h - 2}" fill="{colour}"/>')
            parts.append(f'<text x="{x + width_ + 4:.1f}" y="{y}" font-size="10">{"—" if value is None else value}</text>')
    height = y + 14
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" role="img" '
            f'aria-label="{escape(month)}时间银行月报图表">' + "".join(parts) + "</svg>")


def generate(quanke, *, month: str | None = None, actor: str = "system", replace: bool = False) -> MonthlyReport:
    """Build (or return the kept) report of ``month`` (default: last month) and tell the street."""
    month = month or previous_month(today())
    month_bounds(month)
    with quanke.db.session() as session:
        existing = session.scalar(select(MonthlyReport).where(MonthlyReport.month == month))
        if existing is not None and not replace:
            return existing
        rows = rows_for(quanke, session, month)
        csv_text, svg = to_csv(rows), to_svg(rows, month)
        if existing is None:
            existing = MonthlyReport(month=month, csv=csv_text, svg=svg, generated_by=actor)
            session.add(existing)
        else:
            existing.csv, existing.svg, existing.generated_by = csv_text, svg, actor
        session.flush()
        add_notification(session, event="timebank_monthly_report", recipient_kind="department", recipient="timebank",
                   channel="internal", subject=f"{month} 时间银行月报",
                   body=f"{month} 各社区时间银行月报已生成，请在时间银行“月度报表”中查看。")
        record_audit(session, actor=actor, action="timebank.monthly_report", object_type="tb_monthly_report",
                     object_id=existing.id, data={"month": month, "communities": len(rows)})
        return existing
