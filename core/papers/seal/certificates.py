"""The seal certificates: one PKCS#12 file per approving department, and in development the
throw-away root CA ("Quanke 开发用根证书") that :func:`init_dev_ca` creates with them; the
errors raised when a seal cannot be used.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Mapping

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from core.platform.errors import QuankeError

DEFAULT_PASSPHRASE = b"quanke-dev"
CA_COMMON_NAME = "Quanke 开发用根证书"
DEV_ORGANISATION = "Quanke 全科（开发环境，非正式印章）"
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"


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
