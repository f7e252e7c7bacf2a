"""core.papers.documents: every paper renders to a real PDF with embedded Chinese text and a QR code."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
import qrcode
from PIL import Image
from pypdf import PdfReader

from core.papers import documents
from core.papers.documents import (CertificateTemplate, DocumentHeader, FontMissing, cjk_font, format_date, missing_glyphs, render_correction_notice, render_decision_letter, render_receipt, render_refusal_notice)
from core.platform.errors import InvalidInput
from core.contract.services import CertificateContext, Renderer

UTC = dt.timezone.utc
URL = "https://zwfw.example.gov.cn/verify/K7Q2-9XMD"
#: U+30000, the first CJK Extension G ideograph: neither AR PL UMing nor the Extension B
#: fallback (HanaMin B) has it. Extension B itself is drawn: tests/core/test_documents_rare_names.py.
RARE = "\U00030000"

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


def header(**kw) -> DocumentHeader:
    values = dict(number="JX-2026-000123", issued_at=dt.datetime(2026, 11, 23, 2, 30, tzinfo=UTC),
                  centre_name="南昌市东湖区政务服务中心", staff_name="李晓梅", verification_code="K7Q2-9XMD",
                  verification_url=URL, department_name="南昌市东湖区市场监督管理局")
    values.update(kw)
    return DocumentHeader(**values)


PARTY = dict(service_name="食品经营许可证核发", applicant_name="王建国", applicant_id_masked="3601**********1234")
GAPS = [("法定代表人身份证明", "复印件不清晰"), ("经营场所平面图", "未标注面积"), ("食品安全管理制度", "缺少健康管理制度")]


def certificate_context(**kw) -> CertificateContext:
    values = dict(application_no="A20261123000045", service_code="market.individual", service_name="个体工商户设立登记",
                  applicant_name="东湖区老王家常菜馆", applicant_id_masked="3601**********1234",
                  form_data={"operator": "王建国", "scope": "餐饮服务；食品销售（仅销售预包装食品）"},
                  department_code="amr", department_name="南昌市东湖区市场监督管理局",
                  centre_name="南昌市东湖区政务服务中心", decided_at=dt.datetime(2026, 11, 23, 2, 30, tzinfo=UTC),
                  verification_code="K7Q2-9XMD", verification_url=URL)
    values.update(kw)
    return CertificateContext(**values)


LICENCE = CertificateTemplate(
    "营业执照",
    lambda c: [("名称", c.applicant_name), ("经营者", c.form_data["operator"]), ("经营范围", c.form_data["scope"]),
               ("统一社会信用代码", "92360102MA3XXXXX7K")],
    subtitle="（副本）", footer_note="提示：每年1月1日至6月30日报送年度报告。",
)

DOCUMENTS = {
    "receipt": lambda: render_receipt(
        header(), **PARTY, materials=[("食品经营许可申请书", "纸质"), ("营业执照复印件", "电子")],
        due_date=dt.date(2026, 12, 21), due_explanation=["法定办理时限20个工作日。"], collect_info="窗口领取"),
    "correction": lambda: render_correction_notice(
        header(), **PARTY, gaps=GAPS, correction_deadline=dt.date(2026, 12, 8), consequence="逾期未补正的，视为放弃申请。"),
    "refusal": lambda: render_refusal_notice(header(), **PARTY, reasons=["申请事项依法不需要取得行政许可。"]),
    "approval": lambda: render_decision_letter(header(), approved=True, **PARTY),
    "rejection": lambda: render_decision_letter(header(), approved=False, **PARTY,
                                                reasons=["经营场所与污染源距离不足25米。"]),
    "certificate": lambda: LICENCE(certificate_context()),
}

EXPECTED_TEXT = {
    "receipt": ["受理回执", "食品经营许可申请书", "纸质", "营业执照复印件", "电子", "2026年12月21日", "窗口领取"],
    "correction": ["一次性补正告知书", "共3项", "2026年12月8日", "逾期未补正"] + [g for pair in GAPS for g in pair],
    "refusal": ["不予受理通知书", "申请事项依法不需要取得行政许可", "行政复议", "60日", "6个月", "行政诉讼"],
    "approval": ["准予行政许可决定书", "第三十八条第一款", "南昌市东湖区市场监督管理局"],
    "rejection": ["不予行政许可决定书", "经营场所与污染源距离不足25米", "可在收到本决定书之日起60日内申请行政复议",
                  "或者在6个月内依法提起行政诉讼"],
    "certificate": ["营", "执", "（副本）", "东湖区老王家常菜馆", "经营范围", "92360102MA3XXXXX7K", "年度报告"],
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {name: make() for name, make in DOCUMENTS.items()}


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def rasterise(pdf: bytes, tmp_path, dpi: int, name: str = "page") -> Image.Image:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(tmp_path / name)], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("L")


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_renders_valid_pdf_with_expected_chinese_text(rendered, kind):
    pdf = rendered[kind]
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert not pdf.missing_glyphs
    text = flat(text_of(pdf))
    common = ["编号：", "验证码：K7Q2-9XMD", f"验证网址：{URL}", "2026年11月23日"]
    if kind != "certificate":
        common += ["食品经营许可证核发", "王建国", "3601**********1234", "经办人：李晓梅"]
    for expected in common + EXPECTED_TEXT[kind]:
        assert flat(expected) in text, expected


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_font_is_embedded_as_subset(rendered, kind):
    reader = PdfReader(io.BytesIO(rendered[kind]))
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:  # only our embedded subsets: no un-embedded Helvetica sneaks in
        assert re.match(r"^/[A-Z]{6}\+", font["/BaseFont"]), font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


@needs_pdftoppm
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_page_renders_non_blank(rendered, kind, tmp_path):
    image = rasterise(rendered[kind], tmp_path, 50)
    body = image.crop((0, 0, image.width, int(image.height * 0.75)))  # above the QR footer
    inked = sum(body.histogram()[:200])  # at 50 dpi thin strokes are grey, not black
    assert inked > 3000, f"only {inked} inked pixels"


@needs_pdftoppm
def test_qr_code_encodes_the_verification_url(rendered, tmp_path):
    """Sample the drawn QR modules from the bitmap and compare with the expected matrix."""
    dpi = 300
    image = rasterise(rendered["receipt"], tmp_path, dpi)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(URL)
    code.make(fit=True)
    expected = code.get_matrix()
    n = len(expected)
    px = dpi / 25.4  # pixels per mm
    size = 24 * px
    left = (25 - 2) * px
    top = image.height - (42 - 36) * px - size  # _NOTICE bottom margin 42 mm, QR 36 mm below it
    module = size / (n + 8)
    seen = [[image.getpixel((int(left + (c + 4.5) * module), int(top + (r + 4.5) * module))) < 128
             for c in range(n)] for r in range(n)]
    assert seen == expected


def test_correction_notice_lists_every_gap_across_pages():
    gaps = [(f"第{i}号补充材料", f"原因{i}：缺少签字或盖章，请补充原件") for i in range(1, 41)]
    pdf = render_correction_notice(header(), **PARTY, gaps=gaps, correction_deadline=dt.date(2026, 12, 8),
                                   consequence="逾期未补正的，视为放弃申请。")
    assert pdf.page_count >= 2
    text = flat(text_of(pdf))
    for name, reason in gaps:
        assert name in text and flat(reason) in text
    assert "共40项" in text and f"第1页共{pdf.page_count}页" in text


def test_missing_glyphs_uses_the_font_cmap():
    assert missing_glyphs("王建国 䶮，。（）\n") == set()
    assert missing_glyphs(f"王{RARE}😀") == {RARE, "😀"}
    assert missing_glyphs("\U00020000\U0002A6A5\U0002123C") == set()  # Extension B: the fallback has them


def test_character_outside_font_raises_glyph_missing():
    with pytest.raises(InvalidInput) as err:
        render_refusal_notice(header(), **{**PARTY, "applicant_name": f"王{RARE}"}, reasons=["不属于本机关职权范围"])
    assert err.value.code == "glyph_missing"
    assert err.value.message.startswith("字体缺少以下字符：") and RARE in err.value.message
    with pytest.raises(InvalidInput) as err:  # also in plugin certificate fields
        LICENCE(certificate_context(applicant_name=f"{RARE}记小吃店"))
    assert err.value.code == "glyph_missing"


def test_missing_glyphs_can_be_allowed_and_are_reported():
    pdf = render_refusal_notice(header(), **{**PARTY, "applicant_name": f"王{RARE}"}, reasons=["不属于本机关职权范围"],
                                allow_missing_glyphs=True)
    assert pdf.missing_glyphs == {RARE}
    assert "王□" in text_of(pdf)


def test_markup_in_user_text_is_printed_literally():
    pdf = render_refusal_notice(header(), **{**PARTY, "applicant_name": "A&B <b>公司</b>"}, reasons=["x < y & z"])
    text = text_of(pdf)
    assert "A&B <b>公司</b>" in text and "x < y & z" in text


def test_refusal_and_rejection_need_reasons_and_correction_needs_gaps():
    with pytest.raises(InvalidInput) as err:
        render_decision_letter(header(), approved=False, **PARTY, reasons=[])
    assert err.value.code == "reasons_missing"
    with pytest.raises(InvalidInput) as err:
        render_refusal_notice(header(), **PARTY, reasons=["  "])
    assert err.value.code == "reasons_missing"
    with pytest.raises(InvalidInput) as err:
        render_correction_notice(header(), **PARTY, gaps=[], correction_deadline=dt.date(2026, 12, 8), consequence="")
    assert err.value.code == "gaps_missing"


def test_header_requires_aware_time():
    with pytest.raises(InvalidInput) as err:
        header(issued_at=dt.datetime(2026, 11, 23, 10, 0))
    assert err.value.code == "naive_datetime"


def test_dates_are_beijing_dates_in_chinese():
    assert format_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert format_date(dt.datetime(2026, 11, 22, 17, 0, tzinfo=UTC)) == "2026年11月23日"


def test_decision_letter_custom_title_and_issuer_fallback():
    pdf = render_decision_letter(header(department_name=""), approved=True, **PARTY, title="准予变更登记决定书",
                                 reasons=["材料齐全"])
    text = flat(text_of(pdf))
    assert "准予变更登记决定书" in text and "南昌市东湖区政务服务中心" in text and "材料齐全" in text


def test_certificate_template_is_a_renderer_and_supports_landscape():
    template = CertificateTemplate("劳动就业创业证", lambda c: [("姓名", c.applicant_name)], landscape=True)
    renderer: Renderer = template
    pdf = renderer(certificate_context(applicant_name="张三", extra={"certificate_no": "3601002026000123"}))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    text = flat(text_of(pdf))
    assert "劳动就业创业证" in text and "张三" in text and "3601002026000123" in text


def test_certificate_fields_must_be_pairs():
    template = CertificateTemplate("营业执照", lambda c: ["名称"])
    with pytest.raises(InvalidInput) as err:
        template(certificate_context())
    assert err.value.code == "certificate_fields_invalid"


def test_font_override_and_clear_error_when_missing(monkeypatch):
    wqy = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    if shutil.os.path.isfile(wqy):
        monkeypatch.setenv(documents.FONT_ENV, wqy)
        assert cjk_font().path == wqy
        assert render_refusal_notice(header(), **PARTY, reasons=["理由"]).startswith(b"%PDF-")
        monkeypatch.delenv(documents.FONT_ENV)
    with pytest.raises(FontMissing) as err:
        cjk_font("/nonexistent/font.ttc")
    assert err.value.code == "font_missing"
    # cjk_font looks the candidates up where it lives, in core.papers.documents.fonts
    monkeypatch.setattr(documents.fonts, "FONT_CANDIDATES", (("/nonexistent/uming.ttc", 0),))
    with pytest.raises(FontMissing) as err:
        cjk_font()
    assert "fonts-arphic-uming" in err.value.message
