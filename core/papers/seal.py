"""Electronic seal (电子印章): PAdES signatures on issued PDFs, via pyHanko.

Each approving department signs with its own certificate kept as a PKCS#12 file
``<seal_dir>/<department code>.p12``. In development :func:`init_dev_ca` creates a throw-away
root CA ("Quanke 开发用根证书") and the department certificates; in production the files are
provisioned by the operator and a missing one is an error (``seal_missing``), never silently
replaced.

:func:`verify_pdf` never raises for bad input: it returns a :class:`VerifyReport` whose
``errors`` say in Chinese what is wrong.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Union

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from core.platform.errors import QuankeError

__all__ = [
    "DEFAULT_PASSPHRASE",
    "SealError",
    "SealMissing",
    "VerifyReport",
    "SealConfig",
    "init_dev_ca",
    "load_signer",
    "department_signer",
    "sign_pdf",
    "verify_pdf",
]

DEFAULT_PASSPHRASE = b"quanke-dev"
CA_COMMON_NAME = "Quanke 开发用根证书"
DEV_ORGANISATION = "Quanke 全科（开发环境，非正式印章）"
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"

_HARMLESS_UPDATES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)

TrustRoot = Union[str, os.PathLike, x509.Certificate, asn1_x509.Certificate]


class SealError(QuankeError):
    """The seal cannot be used (bad PKCS#12, wrong passphrase, …): a deployment problem."""

    code = "seal_error"
    http_status = 500


class SealMissing(SealError):
    code = "seal_missing"


def _passphrase(value: bytes | str | None) -> bytes:
    if value is None:
        return DEFAULT_PASSPHRASE
    return value.encode() if isinstance(value, str) else value


# --------------------------------------------------------------------------- development CA


def _name(common_name: str, unit: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANISATION)]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _certificate(subject: x509.Name, public_key, issuer: x509.Name, issuer_key, *, ca: bool,
                 years: int) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=not ca, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _load_or_create_ca(directory: Path, passphrase: bytes):
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        try:
            key = serialization.load_pem_private_key(key_path.read_bytes(), passphrase)
        except (ValueError, TypeError) as exc:
            raise SealError(f"无法读取开发用根证书私钥 {key_path}（口令错误？）", code="seal_error") from exc
        return cert, key
    if cert_path.exists() or key_path.exists():
        raise SealError(f"开发用根证书不完整：{cert_path} 与 {key_path} 必须同时存在", code="seal_error")
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(CA_COMMON_NAME)
    cert = _certificate(name, key.public_key(), name, key, ca=True, years=20)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(passphrase)))
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def init_dev_ca(directory: str | os.PathLike, departments: Mapping[str, str],
                passphrase: bytes | str = DEFAULT_PASSPHRASE) -> dict[str, Path]:
    """Create (once) a development root CA and a seal certificate per department.

    Writes ``ca.pem`` (+ ``ca-key.pem``, encrypted with ``passphrase``) and ``<code>.p12`` for every
    department (CN = the department name, OU = its code), EC P-256. Existing files are kept, so it
    is safe to run again with more departments. Returns ``{code: path of the .p12}``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    passphrase = _passphrase(passphrase)
    result: dict[str, Path] = {}
    ca_cert = ca_key = None
    for code, name in departments.items():
        if not code or "/" in code or code.startswith("."):
            raise SealError(f"部门编码 {code!r} 不合法", code="seal_error")
        path = directory / f"{code}.p12"
        result[code] = path
        if path.exists():
            continue
        if ca_cert is None:
            ca_cert, ca_key = _load_or_create_ca(directory, passphrase)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(_name(name or code, code), key.public_key(), ca_cert.subject, ca_key,
                            ca=False, years=5)
        data = pkcs12.serialize_key_and_certificates(
            code.encode(), key, cert, [ca_cert], serialization.BestAvailableEncryption(passphrase))
        tmp = path.with_suffix(".p12.tmp")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    if ca_cert is None and not (directory / CA_CERT_FILE).exists():
        _load_or_create_ca(directory, passphrase)
    return result


# --------------------------------------------------------------------------- signing


def load_signer(p12_path: str | os.PathLike, passphrase: bytes | str | None = DEFAULT_PASSPHRASE
                ) -> signers.SimpleSigner:
    """A pyHanko signer from a PKCS#12 file; :class:`SealMissing`/:class:`SealError` if unusable."""
    path = Path(p12_path)
    if not path.is_file():
        raise SealMissing(f"找不到电子印章证书文件 {path}", code="seal_missing")
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=_passphrase(passphrase))
    if signer is None:
        raise SealError(f"无法读取电子印章证书 {path}（口令错误或文件损坏）", code="seal_error")
    return signer


@functools.lru_cache(maxsize=64)
def _cached_signer(path: str, mtime_ns: int, passphrase: bytes) -> signers.SimpleSigner:
    return load_signer(path, passphrase)


def department_signer(seal_dir: str | os.PathLike, department_code: str,
                      passphrase: bytes | str | None = DEFAULT_PASSPHRASE, *, production: bool,
                      department_name: str = "") -> signers.SimpleSigner:
    """The signer of a department's seal (``<seal_dir>/<code>.p12``), cached while the file is unchanged.

    Missing file: in development a dev certificate is created (:func:`init_dev_ca`); in
    production :class:`SealMissing` (code ``seal_missing``) names the department and the path.
    """
    path = Path(seal_dir) / f"{department_code}.p12"
    passphrase = _passphrase(passphrase)
    if not path.is_file():
        if production:
            label = f"{department_name}（{department_code}）" if department_name else department_code
            raise SealMissing(f"部门 {label} 的电子印章证书不存在，应放在 {path}。请联系管理员配置印章证书后再出具文书。",
                              code="seal_missing", details={"department": department_code, "path": str(path)})
        init_dev_ca(seal_dir, {department_code: department_name or department_code}, passphrase)
    return _cached_signer(str(path), path.stat().st_mtime_ns, passphrase)


@dataclass(frozen=True)
class SealConfig:
    """Where seals live and whether missing ones may be created (development only)."""

    seal_dir: Path
    passphrase: bytes = DEFAULT_PASSPHRASE
    production: bool = True

    def signer(self, department_code: str, department_name: str = "") -> signers.SimpleSigner:
        return department_signer(self.seal_dir, department_code, self.passphrase,
                                 production=self.production, department_name=department_name)

    def sign(self, pdf_bytes: bytes, department_code: str, department_name: str = "", **kw) -> bytes:
        return sign_pdf(pdf_bytes, self.signer(department_code, department_name), **kw)


#: Room for the CMS signature container. Reserving it up front spares pyHanko a dummy signing
#: pass (about half the signing time); if a long certificate chain does not fit, we retry with
#: pyHanko's own estimate.
SIGNATURE_BYTES_RESERVED = 12288  # hex digits, i.e. 6 KiB of DER


def sign_pdf(pdf_bytes: bytes, signer: signers.Signer, *, reason: str = "电子印章", location: str = "",
             field_name: str = "Seal") -> bytes:
    """Apply an invisible PAdES (ETSI.CAdES.detached) signature as an incremental update."""
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason or None, location=location or None,
    )
    try:
        return _sign(pdf_bytes, meta, signer, SIGNATURE_BYTES_RESERVED)
    except SigningError:
        return _sign(pdf_bytes, meta, signer, None)


def _sign(pdf_bytes: bytes, meta: signers.PdfSignatureMetadata, signer: signers.Signer,
          bytes_reserved: int | None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    return signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=bytes_reserved).getvalue()


# --------------------------------------------------------------------------- verification


@dataclass
class VerifyReport:
    """The outcome of :func:`verify_pdf`. ``ok`` = signed, intact and cryptographically valid.

    ``intact`` means unchanged since sealing: the signed bytes hash correctly and nothing but
    validation data was appended afterwards.
    """

    signed: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer_common_name: str = ""
    signing_time: dt.datetime | None = None
    covers_whole_file: bool = False
    signature_count: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid


def _to_asn1(root: TrustRoot) -> asn1_x509.Certificate:
    if isinstance(root, asn1_x509.Certificate):
        return root
    if not isinstance(root, x509.Certificate):
        data = Path(root).read_bytes()
        root = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                else x509.load_der_x509_certificate(data))
    return asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))


def _trust_roots(trust_roots: Iterable[TrustRoot] | None, errors: list[str]) -> list[asn1_x509.Certificate]:
    roots = []
    for root in trust_roots or ():
        try:
            roots.append(_to_asn1(root))
        except (OSError, ValueError, TypeError):
            errors.append(f"无法读取根证书 {root}（不是 PEM/DER 格式的 X.509 证书）")
    return roots


def verify_pdf(pdf_bytes: bytes, trust_roots: Iterable[TrustRoot] | None = None) -> VerifyReport:
    """Check the (last) signature of a PDF. ``trusted`` is only True against the given roots
    (e.g. the dev CA's ``ca.pem``); the system trust store is never consulted."""
    report = VerifyReport()
    roots = _trust_roots(trust_roots, report.errors)
    if not pdf_bytes or not bytes(pdf_bytes[:1024]).lstrip().startswith(b"%PDF-"):
        report.errors.append("文件不是 PDF 文件或已损坏")
        return report
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any parse failure is "damaged", never a traceback
        report.errors.append("PDF 文件已损坏，无法读取")
        return report
    report.signature_count = len(signatures)
    if not signatures:
        report.errors.append("文件未加盖电子印章（没有数字签名）")
        return report
    report.signed = True
    embedded = signatures[-1]
    try:
        cert = embedded.signer_cert
        names = cert.subject.native
        report.signer_common_name = str(names.get("common_name", ""))
        report.signing_time = embedded.self_reported_timestamp
    except Exception:  # noqa: BLE001
        report.errors.append("无法读取签章人证书")
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:  # noqa: BLE001
        report.errors.append("签名无法验证，文件可能已被篡改")
        return report
    report.valid = bool(status.valid)
    report.signing_time = status.signer_reported_dt or report.signing_time
    report.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # Bytes appended after signing (an incremental update) are only harmless when they add
    # validation data (LTV); anything else could change what the reader sees.
    appended_ok = report.covers_whole_file or status.modification_level in _HARMLESS_UPDATES
    report.intact = bool(status.intact) and appended_ok
    report.trusted = bool(status.trusted) and report.intact
    if not status.intact:
        report.errors.append("文件在盖章后被修改（完整性校验失败）")
    elif not appended_ok:
        report.errors.append("文件在盖章后被追加修改（签名之后还有改动）")
    if not report.valid:
        report.errors.append("数字签名无效")
    if not report.trusted and report.intact and report.valid:
        report.errors.append("签章证书不受信任（未提供可用的根证书）" if not roots
                             else "签章证书不受信任（不是由所给根证书签发，或已过期/吊销）")
    return report
