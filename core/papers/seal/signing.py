"""Signing (盖章): the department's signer from its PKCS#12 file, cached while the file is
unchanged, and the invisible PAdES signature applied as an incremental update.
"""
from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError

from core.papers.seal.certificates import (
    DEFAULT_PASSPHRASE,
    SealError,
    SealMissing,
    _passphrase,
    init_dev_ca,
)


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
