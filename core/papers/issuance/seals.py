"""The seals issuance uses: the PKCS#12 passphrase and the start-up check that every deciding
department has a usable seal (:mod:`core.papers.seal` signs).
"""
from __future__ import annotations

import os
from pathlib import Path


def _production(quanke) -> bool:
    return str(quanke.config.get("ENV", "development")).lower() == "production"


def seal_passphrase(quanke) -> bytes:
    """The PKCS#12 passphrase: config ``SEAL_PASSPHRASE``, else ``$QUANKE_SEAL_PASSPHRASE``
    (the variable ``quanke seal init`` reads), else the development default."""
    from core.papers.seal import DEFAULT_PASSPHRASE
    value = quanke.config.get("SEAL_PASSPHRASE") or os.environ.get("QUANKE_SEAL_PASSPHRASE")
    if not value:
        return DEFAULT_PASSPHRASE
    return value.encode() if isinstance(value, str) else value


def check_seals(quanke) -> dict[str, Path]:
    """Start-up check: every department that decides a service has a usable seal.

    Production: a missing PKCS#12 raises :class:`core.papers.seal.SealMissing` naming every
    department concerned (a wrong passphrase raises :class:`core.papers.seal.SealError`).
    Development: missing seals are created with the development CA. Returns ``{code: path}``.
    """
    from core.papers.seal import SealMissing, department_signer

    seal_dir = Path(quanke.config["SEAL_DIR"])
    departments = quanke.plugins.departments
    codes = sorted({service.department for service in quanke.plugins.services.values()})
    production = _production(quanke)
    if production:
        missing = [code for code in codes if not (seal_dir / f"{code}.p12").is_file()]
        if missing:
            names = "、".join(f"{departments.get(c, c)}（{c}）" for c in missing)
            raise SealMissing(
                f"以下部门缺少电子印章证书：{names}。请将 PKCS#12 文件放在 {seal_dir}/<部门编码>.p12 后再启动。",
                code="seal_missing",
                details={"departments": missing, "paths": [str(seal_dir / f"{c}.p12") for c in missing]})
    passphrase = seal_passphrase(quanke)
    for code in codes:
        department_signer(seal_dir, code, passphrase, production=production,
                          department_name=departments.get(code, ""))
    return {code: seal_dir / f"{code}.p12" for code in codes}
