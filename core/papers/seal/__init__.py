"""Electronic seal (电子印章): PAdES signatures on issued PDFs, via pyHanko.

Each approving department signs with its own certificate kept as a PKCS#12 file
``<seal_dir>/<department code>.p12``. In development :func:`init_dev_ca` creates a throw-away
root CA ("Quanke 开发用根证书") and the department certificates; in production the files are
provisioned by the operator and a missing one is an error (``seal_missing``), never silently
replaced.

:func:`verify_pdf` never raises for bad input: it returns a :class:`VerifyReport` whose
``errors`` say in Chinese what is wrong.

The modules: ``certificates`` (the development CA, department certificates, the errors),
``signing`` and ``verification``.
"""
from __future__ import annotations

from core.papers.seal.certificates import (
    CA_CERT_FILE,  # noqa: F401 - quanke seal init
    CA_COMMON_NAME,  # noqa: F401 - public, outside __all__
    CA_KEY_FILE,  # noqa: F401 - quanke seal init
    DEFAULT_PASSPHRASE,
    DEV_ORGANISATION,  # noqa: F401 - public, outside __all__
    SealError,
    SealMissing,
    init_dev_ca,
)
from core.papers.seal.signing import (
    SIGNATURE_BYTES_RESERVED,  # noqa: F401 - public, outside __all__
    SealConfig,
    department_signer,
    load_signer,
    sign_pdf,
)
from core.papers.seal.verification import (
    TrustRoot,  # noqa: F401 - public, outside __all__
    VerifyReport,
    verify_pdf,
)

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
