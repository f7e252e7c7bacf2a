"""The time bank's papers: 志愿者证 (the certification's certificate), 星级志愿者证书 and
对账单 (statements). Certificates use the core's frame; a statement is a table of
movements, drawn here with the core's CJK font. Star certificates and statements are not
application documents, so they carry their own verification code, checked at
``/timebank/verify/<code>``, and are sealed with the ``timebank`` department's seal.
"""
from __future__ import annotations

import datetime as dt
import io
import os
from xml.sax.saxutils import escape

import qrcode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.api import CertificateContext, CertificateTemplate, cjk_font, format_date, local, now

from plugins.timebank.domain.catalog import CATEGORY_NAMES
from plugins.timebank.forms import COMMUNITIES

ISSUER = "街道时间银行管理中心"
DEPARTMENT = "timebank"


def _card_fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    rows = [("姓名", ctx.applicant_name), ("所在社区", dict(COMMUNITIES).get(data.get("community"), "")),
            ("服务类别", "、".join(CATEGORY_NAMES.get(c, c) for c in data.get("categories") or [])),
            ("认证日期", f"{ctx.decided_at:%Y年%m月%d日}")]
    if ctx.extra.get("volunteer_no"):
        rows.insert(1, ("志愿者编号", ctx.extra["volunteer_no"]))
    return rows


VOLUNTEER_CARD = CertificateTemplate("时间银行志愿者证", _card_fields,
                                     footer_note="服务时长存入时间银行，可在任一社区通存通兑。")


def _star_fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    extra = ctx.extra
    return [("姓名", ctx.applicant_name), ("志愿者编号", extra["volunteer_no"]), ("所在社区", extra["community"]),
            ("累计服务时长", extra["hours"]), ("星级", extra["stars"]), ("评定日期", extra["awarded_on"])]


STAR_CERTIFICATE = CertificateTemplate("星级志愿者证书", _star_fields, subtitle="国际志愿者日 · 时间银行星级评定",
                                       footer_note="依据累计志愿服务时长评定：一星100小时、二星300小时、三星600小时、"
                                                   "四星1000小时、五星1500小时（以本街道公布的标准为准）。")


def verification_url(quanke, code: str) -> str:
    return f"{str(quanke.config.get('BASE_URL') or '').rstrip('/')}/timebank/verify/{code}"


def seal(quanke, pdf: bytes) -> tuple[bytes, bool]:
    """Sign with the timebank seal. Development creates a dev seal when missing; in
    production a missing seal raises (a statement must not go out unsealed silently)."""
    from core.api import DEFAULT_SEAL_PASSPHRASE as DEFAULT_PASSPHRASE
    from core.api import department_signer, sign_pdf
    production = str(quanke.config.get("ENV", "development")).lower() == "production"
    passphrase = quanke.config.get("SEAL_PASSPHRASE") or os.environ.get("QUANKE_SEAL_PASSPHRASE") or DEFAULT_PASSPHRASE
    signer = department_signer(quanke.config["SEAL_DIR"], DEPARTMENT, passphrase, production=production,
                               department_name=ISSUER)
    return sign_pdf(bytes(pdf), signer, reason="时间银行电子印章", location=ISSUER), True


def star_certificate(quanke, *, name: str, id_masked: str, volunteer_no: str, community: str, minutes: int,
                     stars: int, awarded_on: dt.date, code: str) -> bytes:
    from plugins.timebank.domain.ledger import fmt_minutes
    from plugins.timebank.domain.stars import stars_text
    ctx = CertificateContext(
        application_no=f"XJ{awarded_on.year}-{volunteer_no}", service_code="timebank.stars",
        service_name="星级志愿者评定", applicant_name=name, applicant_id_masked=id_masked, form_data={},
        department_code=DEPARTMENT, department_name=ISSUER, centre_name=ISSUER,
        decided_at=dt.datetime.combine(awarded_on, dt.time(9), tzinfo=dt.timezone.utc),
        verification_code=code, verification_url=verification_url(quanke, code),
        extra={"volunteer_no": volunteer_no, "community": community, "hours": fmt_minutes(minutes),
               "stars": stars_text(stars), "awarded_on": format_date(awarded_on)})
    pdf, _ = seal(quanke, STAR_CERTIFICATE(ctx))
    return pdf


# --------------------------------------------------------------------------- statement


def statement_pdf(quanke, *, number: str, code: str, holder_name: str, holder_id: str, community: str,
                  start: dt.date, end: dt.date, opening: dict, closing: dict, rows: list[list[str]],
                  notes: list[str]) -> bytes:
    """对账单: header facts, opening balances, one row per movement, closing balances."""
    from plugins.timebank.domain.ledger import ACCOUNT_LABELS, fmt_minutes
    font = cjk_font()
    base = ParagraphStyle("tb", fontName=font.name, fontSize=9.5, leading=13, wordWrap="CJK")
    title = ParagraphStyle("tbt", parent=base, fontSize=18, leading=26, alignment=1)
    small = ParagraphStyle("tbs", parent=base, fontSize=8.5, textColor=colors.HexColor("#555555"))

    def p(text, style=base):
        return Paragraph(escape(str(text)), style)

    def grid(data, widths, head=True):
        table = Table([[p(c) for c in row] for row in data], colWidths=widths, repeatRows=1 if head else 0)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font.name),
                                   ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                                   ("BACKGROUND", (0, 0), (-1, 0 if head else -1),
                                    colors.HexColor("#eeeeee") if head else colors.white),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return table

    buckets = ("service", "goods", "cash", "loan")
    story = [p("时间银行对账单", title), Spacer(1, 3 * mm),
             grid([["对账单编号", number, "账户", holder_name],
                   ["证件号码", holder_id, "所属社区", community],
                   ["对账期间", f"{format_date(start)}至{format_date(end)}", "出具日期", format_date(now())]],
                  [24 * mm, 56 * mm, 22 * mm, 58 * mm], head=False),
             Spacer(1, 4 * mm),
             grid([["账户", "期初余额", "期末余额"]]
                  + [[ACCOUNT_LABELS[b], fmt_minutes(opening.get(b, 0)), fmt_minutes(closing.get(b, 0))]
                     for b in buckets], [60 * mm, 50 * mm, 50 * mm]),
             Spacer(1, 4 * mm),
             grid([["日期", "业务", "账户", "发生额", "余额", "摘要"]] + (rows or [["—", "本期无发生额", "", "", "", ""]]),
                  [22 * mm, 20 * mm, 32 * mm, 22 * mm, 22 * mm, 42 * mm]),
             Spacer(1, 4 * mm)]
    story += [p(n, small) for n in notes]
    story += [Spacer(1, 3 * mm), p(f"验证码：{code}　验证网址：{verification_url(quanke, code)}", small),
              p(f"出具单位：{ISSUER}（电子印章）", small)]

    def footer(canvas, doc):
        canvas.saveState()
        matrix = qrcode.QRCode(border=0)
        matrix.add_data(verification_url(quanke, code))
        matrix.make(fit=True)
        cells = matrix.get_matrix()
        size = 18 * mm
        module = size / len(cells)
        x0, y0 = A4[0] - 20 * mm - size, 10 * mm
        for r, line in enumerate(cells):
            for c, dark in enumerate(line):
                if dark:
                    canvas.rect(x0 + c * module, y0 + size - (r + 1) * module, module, module, stroke=0, fill=1)
        canvas.setFont(font.name, 8)
        canvas.drawString(20 * mm, 12 * mm, f"{ISSUER} · 对账单 {number} · 第 {doc.page} 页")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=32 * mm, title=f"时间银行对账单 {number}", author=ISSUER,
                            initialFontName=font.name)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    pdf, _ = seal(quanke, buffer.getvalue())
    return pdf


def movement_row(at: dt.datetime, kind_label: str, account_label: str, amount: int, balance: int, memo: str):
    from plugins.timebank.domain.ledger import fmt_minutes
    return [f"{local(at):%Y-%m-%d}", kind_label, account_label, ("+" if amount > 0 else "") + fmt_minutes(amount),
            fmt_minutes(balance), memo]
