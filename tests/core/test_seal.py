"""core.papers.seal and the seal/verify-pdf commands: PAdES signing of issued PDFs with a dev CA."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from core.ops.document_commands import seal as seal_group
from core.ops.document_commands import verify_pdf as verify_pdf_command
from core.papers.documents import CertificateTemplate
from core.platform.errors import QuankeError
from core.papers.seal import (SealConfig, SealError, SealMissing, department_signer, init_dev_ca, load_signer, sign_pdf, verify_pdf)
from core.contract.services import CertificateContext

UTC = dt.timezone.utc
DEPARTMENTS = {"amr": "南昌市东湖区市场监督管理局", "hrss": "南昌市东湖区人力资源和社会保障局"}


@pytest.fixture(scope="module")
def seals(tmp_path_factory):
    directory = tmp_path_factory.mktemp("seals")
    return directory, init_dev_ca(directory, DEPARTMENTS)


@pytest.fixture(scope="module")
def certificate_pdf() -> bytes:
    template = CertificateTemplate("营业执照", lambda c: [("名称", c.applicant_name), ("经营者", "王建国")])
    ctx = CertificateContext(
        application_no="A20261123000045", service_code="market.individual", service_name="个体工商户设立登记",
        applicant_name="东湖区老王家常菜馆", applicant_id_masked="3601**********1234", form_data={},
        department_code="amr", department_name=DEPARTMENTS["amr"], centre_name="南昌市东湖区政务服务中心",
        decided_at=dt.datetime(2026, 11, 23, 2, 30, tzinfo=UTC), verification_code="K7Q2-9XMD",
        verification_url="https://zwfw.example.gov.cn/verify/K7Q2-9XMD")
    return bytes(template(ctx))


@pytest.fixture(scope="module")
def signed_pdf(seals, certificate_pdf) -> bytes:
    _, paths = seals
    return sign_pdf(certificate_pdf, load_signer(paths["amr"]), reason="电子印章", location="南昌市东湖区")


def test_init_dev_ca_creates_ca_and_one_p12_per_department(seals):
    directory, paths = seals
    assert set(paths) == set(DEPARTMENTS)
    assert (directory / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    for code, path in paths.items():
        assert path == directory / f"{code}.p12" and path.stat().st_size > 0


def test_init_dev_ca_is_idempotent_and_extends(seals, tmp_path):
    directory, paths = seals
    before = {p: p.read_bytes() for p in paths.values()}
    ca_before = (directory / "ca.pem").read_bytes()
    again = init_dev_ca(directory, {**DEPARTMENTS, "health": "卫生健康委员会"})
    assert all(again[code].read_bytes() == before[path] for code, path in paths.items())
    assert (directory / "ca.pem").read_bytes() == ca_before
    assert again["health"].exists()
    # the new seal chains to the same CA
    signer = load_signer(again["health"])
    report = verify_pdf(sign_pdf(minimal_pdf(), signer), [directory / "ca.pem"])
    assert report.trusted and "卫生健康委员会" in report.signer_common_name


def test_signed_certificate_verifies_intact_and_trusted(seals, signed_pdf):
    directory, _ = seals
    report = verify_pdf(signed_pdf, [directory / "ca.pem"])
    assert report.signed and report.intact and report.valid and report.trusted and report.ok
    assert DEPARTMENTS["amr"] in report.signer_common_name
    assert report.signing_time is not None and report.signing_time.tzinfo is not None
    assert abs(report.signing_time - dt.datetime.now(UTC)) < dt.timedelta(minutes=10)
    assert report.covers_whole_file and report.errors == []
    # the signature is PAdES, and the content is still the certificate
    sig = PdfReader(io.BytesIO(signed_pdf)).trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()["/V"]
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"


def test_without_trust_roots_signature_is_valid_but_not_trusted(signed_pdf):
    report = verify_pdf(signed_pdf)
    assert report.signed and report.intact and report.ok and not report.trusted
    assert any("不受信任" in e for e in report.errors)


def test_foreign_ca_is_not_trusted(signed_pdf, tmp_path):
    init_dev_ca(tmp_path, {"x": "其他部门"})
    report = verify_pdf(signed_pdf, [tmp_path / "ca.pem"])
    assert report.intact and not report.trusted


def tamper(signed: bytes, original_length: int) -> bytes:
    data = bytearray(signed)
    data[original_length // 2] ^= 0x01  # inside the first signed byte range
    return bytes(data)


def test_flipped_byte_is_detected(seals, signed_pdf, certificate_pdf):
    directory, _ = seals
    report = verify_pdf(tamper(signed_pdf, len(certificate_pdf)), [directory / "ca.pem"])
    assert report.signed and not report.intact and not report.ok and not report.trusted
    assert any("修改" in e or "篡改" in e for e in report.errors)


def test_content_appended_after_signing_is_detected(seals, signed_pdf):
    directory, _ = seals
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    extra = writer.add_object(generic.StreamObject(stream_data=b"BT 100 100 Td (FAKE) Tj ET"))
    page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), extra])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), [directory / "ca.pem"])
    assert report.signed and not report.intact and not report.ok and not report.covers_whole_file


def test_unsigned_pdf(certificate_pdf):
    report = verify_pdf(certificate_pdf)
    assert not report.signed and not report.ok
    assert report.errors == ["文件未加盖电子印章（没有数字签名）"]


@pytest.mark.parametrize("data", [b"", b"garbage \x00\xff" * 50, b"%PDF-1.7\n1 0 obj\n<<broken", None])
def test_garbage_gives_a_clean_report(data, certificate_pdf):
    if data is None:  # truncated real PDF
        data = certificate_pdf[: len(certificate_pdf) // 2]
    report = verify_pdf(data)
    assert not report.signed and not report.intact and not report.ok
    assert report.errors and all(isinstance(e, str) for e in report.errors)


def test_unreadable_trust_root_is_reported(signed_pdf, tmp_path):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    report = verify_pdf(signed_pdf, [bogus])
    assert report.ok and not report.trusted
    assert any("无法读取根证书" in e for e in report.errors)


def test_production_missing_seal_is_an_error(tmp_path):
    with pytest.raises(SealMissing) as err:
        department_signer(tmp_path, "amr", production=True, department_name="市场监督管理局")
    assert isinstance(err.value, QuankeError) and err.value.code == "seal_missing"
    assert "市场监督管理局" in err.value.message and str(tmp_path / "amr.p12") in err.value.message
    assert not (tmp_path / "amr.p12").exists()


def test_development_creates_missing_seal(tmp_path):
    signer = department_signer(tmp_path, "amr", production=False, department_name="市场监督管理局")
    assert (tmp_path / "amr.p12").exists() and (tmp_path / "ca.pem").exists()
    assert department_signer(tmp_path, "amr", production=True) is signer  # cached while unchanged
    config = SealConfig(tmp_path, production=True)
    report = verify_pdf(config.sign(minimal_pdf(), "amr"), [tmp_path / "ca.pem"])
    assert report.trusted and report.signer_common_name == "市场监督管理局"


def test_wrong_passphrase_is_a_seal_error(seals):
    _, paths = seals
    with pytest.raises(SealError) as err:
        load_signer(paths["amr"], b"wrong")
    assert err.value.code == "seal_error"


def test_cli_seal_init(tmp_path):
    runner = CliRunner()
    args = ["init", "--dir", str(tmp_path), "--department", "amr=市场监督管理局"]
    result = runner.invoke(seal_group, args)
    assert result.exit_code == 0, result.output
    assert "已创建" in result.output and "amr.p12" in result.output
    result = runner.invoke(seal_group, args + ["--department", "hrss=人社局"])
    assert result.exit_code == 0 and "已存在" in result.output and "hrss.p12" in result.output
    result = runner.invoke(seal_group, ["init", "--dir", str(tmp_path), "--department", "amr"])
    assert result.exit_code == 2


def test_cli_verify_pdf(seals, signed_pdf, certificate_pdf, tmp_path):
    directory, _ = seals
    runner = CliRunner()
    good, bad, unsigned, junk = (tmp_path / n for n in ("good.pdf", "bad.pdf", "unsigned.pdf", "junk.pdf"))
    good.write_bytes(signed_pdf)
    bad.write_bytes(tamper(signed_pdf, len(certificate_pdf)))
    unsigned.write_bytes(certificate_pdf)
    junk.write_bytes(b"\x00garbage")
    ca = ["--ca", str(directory / "ca.pem")]

    result = runner.invoke(verify_pdf_command, [str(good)] + ca)
    assert result.exit_code == 0, result.output
    assert DEPARTMENTS["amr"] in result.output and "完好" in result.output and "通过" in result.output
    assert runner.invoke(verify_pdf_command, [str(good)]).exit_code == 0  # trust not asked for

    for path in (bad, unsigned, junk):
        result = runner.invoke(verify_pdf_command, [str(path)] + ca)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output and "未通过" in result.output

    other = tmp_path / "other"
    init_dev_ca(other, {"x": "其他部门"})
    assert runner.invoke(verify_pdf_command, [str(good), "--ca", str(other / "ca.pem")]).exit_code == 1


def minimal_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "seal test")
    canvas.save()
    return buffer.getvalue()
