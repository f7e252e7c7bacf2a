"""Names with CJK Extension B characters (𠀀 U+20000, 𪚥 U+2A6A5 — common in real Chinese
names; AR PL UMing has only 1,790 of Extension B's 42,720, 𡈼 U+2123C among them) are drawn with the fallback font (HanaMin B,
Debian fonts-hanazono) on every paper: table cells, paragraphs and the text drawn straight on
the canvas (the staff member's name by the seal). Without a fallback they are refused
(``glyph_missing``), never left blank.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from core.contract.services import CertificateContext
from core.papers import documents
from core.papers.documents import (
    CertificateTemplate,
    DocumentHeader,
    render_refusal_notice,
)
from core.platform.errors import InvalidInput

NAME = "张\U00020000\U0002123C"          # 张𠀀𡈼
STAFF = "王\U0002A6A5"                   # 王𪚥, drawn on the canvas next to the seal
FALLBACK = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"

needs_fallback = pytest.mark.skipif(not shutil.os.path.isfile(FALLBACK),
                                    reason="fonts-hanazono not installed (scripts/install.sh installs it)")
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


def header(staff: str = STAFF) -> DocumentHeader:
    return DocumentHeader(number="JX-2026-000123", issued_at=dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.timezone.utc),
                          centre_name="南昌市东湖区政务服务中心", staff_name=staff, verification_code="K7Q2-9XMD",
                          verification_url="https://zwfw.example.gov.cn/verify/K7Q2-9XMD",
                          department_name="南昌市东湖区市场监督管理局")


def certificate_context(applicant_name: str) -> CertificateContext:
    return CertificateContext(
        application_no="A20261123000045", service_code="residence.certificate", service_name="居住证明",
        applicant_name=applicant_name, applicant_id_masked="3601**********1234", form_data={},
        department_code="rc", department_name="社区居民委员会", centre_name="姚坊门社区便民服务站",
        decided_at=dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.timezone.utc), verification_code="K7Q2-9XMD",
        verification_url="https://zwfw.example.gov.cn/verify/K7Q2-9XMD")


def notice(name: str = NAME, staff: str = STAFF) -> bytes:
    return render_refusal_notice(header(staff), service_name="食品经营许可证核发", applicant_name=name,
                                 applicant_id_masked="3601**********1234", reasons=[f"{name}的申请不属于本机关职权范围"])


def base_fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {re.sub(r"^/[A-Z]{6}\+", "", str(f.get_object()["/BaseFont"]))
            for page in reader.pages for f in page["/Resources"]["/Font"].values()}


@needs_fallback
def test_extension_b_names_are_printed_with_the_fallback_font():
    pdf = notice()
    assert not pdf.missing_glyphs
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert NAME in text and f"经办人：{STAFF}" in text            # copyable, not just pixels
    assert base_fonts(pdf) == {"UMingCN-0", "HanaMinB"}            # both embedded as subsets
    assert base_fonts(notice(name="张三", staff="李晓梅")) == {"UMingCN-0"}   # loaded only when needed


@needs_fallback
def test_certificates_and_the_signed_commitment_print_them_too():
    template = CertificateTemplate("居住证明", lambda c: [("姓名", c.applicant_name)])
    pdf = template(certificate_context(applicant_name=NAME))
    assert NAME in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    from core.identity.esign.pdf import CommitmentFacts, render_commitment_pdf
    letter = render_commitment_pdf(CommitmentFacts(
        title="告知承诺书", service_name="食品经营许可", application_no="A1", applicant_name=NAME,
        applicant_id_masked="3601**********1234", text="本人承诺……", text_sha256="0" * 64,
        signed_at=dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.timezone.utc), signature_png=None,
        typed_name=NAME, signature_sha256="0" * 64, identity_lines=(), platform_name="政务服务平台"))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter)).pages))
    assert NAME in text and "□" not in text


@needs_fallback
@needs_pdftoppm
def test_the_rare_characters_have_ink(tmp_path):
    """The name cell of 张𠀀𡈼 carries more ink than that of 张 alone: glyphs, not blanks."""
    def ink(pdf: bytes, name: str) -> int:
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile",
                        str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
        image = Image.open(tmp_path / f"{name}.png").convert("L")
        cell = image.crop((int(image.width * 0.27), int(image.height * 0.171),
                           int(image.width * 0.6), int(image.height * 0.189)))  # 申请人 value cell, inside its borders
        return sum(1 for value in cell.getdata() if value < 160)
    plain, rare = ink(notice(name="张", staff="李晓梅"), "plain"), ink(notice(), "rare")
    assert plain > 20                       # the crop is on the name: 张 itself is there
    assert rare > plain * 2                 # and two more full glyphs beside it


def test_without_a_fallback_font_they_are_refused_not_left_blank(monkeypatch):
    monkeypatch.delenv(documents.fonts.FALLBACK_FONT_ENV, raising=False)
    monkeypatch.setattr(documents.fonts, "FALLBACK_CANDIDATES", (("/nonexistent/HanaMinB.ttf", 0),))
    with pytest.raises(InvalidInput) as err:
        notice()
    assert err.value.code == "glyph_missing" and "U+20000" in err.value.message
    assert documents.missing_glyphs(NAME) == {"\U00020000"}       # UMing has a few of Extension B (𡈼)
