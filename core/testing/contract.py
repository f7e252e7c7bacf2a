"""The contract checks every plugin passes (:func:`check_plugin`)."""
from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path

from core import acceptance
from core.contract.certificate_fields import certificate_field_problems
from core.contract.services import ServiceDef
from core.ops import migrate
from core.ops.demo import valid_resident_id
from core.runtime import Quanke


def check_plugin(name: str, quanke: Quanke) -> None:
    """Contract checks every plugin passes (DESIGN §3); raises AssertionError listing problems.

    Declarations valid and loaded; each form validates its own example; every material has
    a name; the certificate renders to a readable PDF; every column of the plugin's tables
    named like an identifier (``*id_number``, ``*phone``) is declared sensitive (encrypted or a
    blind index, issue 18); the plugin's migrations apply, downgrade and apply again on a
    scratch database.
    """
    problems: list[str] = []
    info = quanke.plugins.infos.get(name)
    if info is None or not info.enabled:
        raise AssertionError(f"plugin {name} not loaded: {info.error if info else 'unknown'}")
    if not info.services:
        problems.append("declares no service")
    for code in info.services:
        service = quanke.service(code)
        if not service.example:
            problems.append(f"{code}: no example form data")
        else:
            try:
                acceptance.validate_form(service, service.example_for("张三", valid_resident_id("11010519491231002")))
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{code}: example does not validate: {getattr(exc, 'details', exc)}")
        for spec in service.materials:
            if not spec.name.strip():
                problems.append(f"{code}: material {spec.code} has no name")
        if service.certificate is not None:
            problems += _check_certificate(service)
            problems += certificate_field_problems(service)
    problems += sensitive_column_problems(name, quanke)
    problems += _check_migrations(name, quanke)
    if problems:
        raise AssertionError(f"plugin {name} breaks the contract:\n- " + "\n- ".join(problems))


def _check_certificate(service: ServiceDef) -> list[str]:
    from pypdf import PdfReader

    from core.contract.services import CertificateContext
    ctx = CertificateContext(
        application_no="QK20261123TEST", service_code=service.code, service_name=service.name,
        applicant_name="张三", applicant_id_masked="1101**********0021",
        form_data=service.example_for("张三", valid_resident_id("11010519491231002")),
        department_code=service.department, department_name="测试部门", centre_name="测试中心",
        decided_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc),
        verification_code="TESTCODE", verification_url="http://127.0.0.1/verify/TESTCODE")
    try:
        pdf = service.certificate(ctx)
        reader = PdfReader(io.BytesIO(bytes(pdf)))
        text_ = "".join(page.extract_text() or "" for page in reader.pages)
    except Exception as exc:  # noqa: BLE001
        return [f"{service.code}: certificate does not render: {exc!r}"]
    if not bytes(pdf).startswith(b"%PDF") or "张三" not in text_:
        return [f"{service.code}: certificate is not a PDF naming the applicant"]
    return []


def _check_migrations(name: str, quanke: Quanke) -> list[str]:
    location = quanke.plugins.migration_locations().get(name)
    if location is None:
        return []
    scratch = Path(quanke.config["INSTANCE_PATH"]) / f"contract-{name}-{uuid.uuid4().hex[:6]}.db"
    probe = Quanke({**quanke.config, "DATABASE_URL": f"sqlite:///{scratch}"},
                   plugins=quanke.plugins)
    try:
        migrate.upgrade(probe)
        migrate.downgrade(probe, f"{name}@base")
        migrate.upgrade(probe)
        if not migrate.is_current(probe):
            return [f"migrations of {name} do not reach their head"]
        diff = [d for d in migrate.schema_diff(probe)]
        if diff:
            return [f"migrated schema differs from the models: {diff[:3]}"]
    except Exception as exc:  # noqa: BLE001
        return [f"migrations of {name} fail: {exc!r}"]
    finally:
        probe.close()
        scratch.unlink(missing_ok=True)
    return []


#: Column names that hold identifiers; a plugin must store them encrypted (PIPL Art. 51).
IDENTIFIER_SUFFIXES = ("id_number", "phone")


def sensitive_column_problems(name: str, quanke: Quanke) -> list[str]:
    """Columns of the plugin's tables named like identifiers but stored in plaintext."""
    from core.platform.crypto import BlindIndex, EncryptedBytes, EncryptedString
    from core.platform.db import Base
    info = quanke.plugins.infos[name]
    package = info.module.rsplit(".", 1)[0] if info.module.endswith(".plugin") else info.module
    tables = migrate.tables_of(package)
    return [f"{table.name}.{column.name} holds identifiers but is stored in plaintext: declare it "
            f"EncryptedString(\"{table.name}.{column.name}\") (and a blind_index to look it up)"
            for table in Base.metadata.sorted_tables if table.name in tables
            for column in table.columns
            if column.name.endswith(IDENTIFIER_SUFFIXES)
            and not isinstance(column.type, (EncryptedString, EncryptedBytes, BlindIndex))]
