"""Checking a sealed PDF (:func:`verify_pdf`): never raises for bad input, the returned
:class:`VerifyReport`'s ``errors`` say in Chinese what is wrong.
"""
from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Union

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

_HARMLESS_UPDATES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)

TrustRoot = Union[str, os.PathLike, x509.Certificate, asn1_x509.Certificate]


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
