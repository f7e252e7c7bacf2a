"""The public plugin API of Quanke: every name a plugin may use, and nothing else.

A plugin imports from here only (checked by the ``public-api`` import-linter contract in
``setup.cfg``), as a pytest plugin imports from ``pytest``::

    from core.api import ServiceDef, MaterialSpec, hookimpl, record_audit, now

Everything under ``core.<wing>`` is internal and may move between minor versions; the names
below follow the compatibility policy in docs/plugins.md (§ 兼容性政策), which lists them
with one line each. The testing kit (``check_plugin``, ``seed_world``, ``drive_to``, …) is
loaded on first use, so importing this module does not import pytest.
"""
from __future__ import annotations

from core import __version__, hookimpl
# -- declarations (声明) --------------------------------------------------------------------
from core.contract.services import (CertificateContext, Check, CheckContext, CheckResult,
                                    MaterialSpec, Outcome, ServiceDef)
from core.contract.legal_clock import Citation, LegalClock, licensing_clock
from core.contract.plugin_settings import package_dir, require_settings, require_templates, setting
from core.contract.host import PluginHost
from core.contract.api_doc import api_doc
from core.runtime import Quanke
# -- platform: errors, time, tables, identifiers, audit ----------------------------------------
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound, QuankeError
from core.platform.clock import LOCAL_TZ, local, local_date, now, today
from core.platform.db import Base, UTCDateTime
from core.platform.crypto import (BlindIndex, CiphertextError, EncryptedBytes, EncryptedJSON, EncryptedString,
                                  blind_index)
from core.platform.crypto.migration import decrypt_rows, encrypt_rows
from core.platform.models import (Applicant, Application, Centre, CheckEvidence, Citizen, Decision,
                                  Department, Document, Material, MaterialStatus, Role, State, User)
from core.platform.audit import AuditEvent
from core.platform.audit import record as record_audit
from core.platform.audit import record_view
from core.platform.inputs import check_text, parse_date, parse_id, parse_int
from core.platform.identifiers import (age_on, mask_id, mask_name, validate_credit_code,
                                       validate_resident_id)
from core.platform.actors import SYSTEM, actor_key
# -- the workflow: acceptance (受理) and approval (审批) ------------------------------------------
from core.acceptance import (accept, attach_material, deliver, file_application, material_statuses,
                             missing_materials, preview_checks, record_identity_step, refuse,
                             resubmit, return_for_correction, submit_application, to_formdata,
                             update_draft, validate_form, withdraw)
from core.acceptance.catalog import search as search_services
from core.acceptance.uploads import Upload
from core.approval import (approve, assign, claim, evidence_changes, extend, issue, pause, recheck,
                           reject, release, resume)
from core.approval.queues import departments_for
from core.approval.queues import queue as department_queue
from core.approval.rules import decide_by_rule
from core.deadlines import WorkCalendar, add_working_days, due_date_explanation
# -- credit (信用) ----------------------------------------------------------------------------
from core.credit import (DISHONEST_APPLICANT, Commitment, CreditRecord, broken_commitments_since,
                         sign_commitment, verify_commitment)
from core.credit import LEVELS as CREDIT_LEVELS
from core.credit import active_records as active_credit_records
from core.credit import list_version as credit_list_version
# -- people, notifications, jobs ---------------------------------------------------------------
from core.people.applicants import register as register_applicant
from core.people.tokens import user_for_token
from core.jobs.outbox import add as add_notification
from core.jobs.runner import resolve as resolve_job
# -- papers (文书、证照、印章) -------------------------------------------------------------------
from core.papers.documents import CertificateTemplate, RenderedPDF, cjk_font, draw_seal, format_date
from core.papers.issuance import (documents_dir, documents_for, new_verification_code,
                                  seal_passphrase, verification_url)
from core.papers.issuance import pdf_bytes as document_pdf
from core.papers.issuance import revoke as revoke_document
from core.papers.issuance import supersede as supersede_document
from core.papers.seal import DEFAULT_PASSPHRASE as DEFAULT_SEAL_PASSPHRASE
from core.papers.seal import department_signer, sign_pdf
# -- commands, demo data, health ---------------------------------------------------------------
from core.ops.context import command_runtime
from core.ops.demo import CITIZENS as DEMO_CITIZENS
from core.ops.demo import valid_resident_id
from core.ops.plugin_check import check as check_plugin_health

#: The testing kit (:mod:`core.testing`), loaded on first use (it needs pytest).
TESTING_KIT = ("check_plugin", "drive_to", "file_at_counter", "seed_world", "snapshot", "World",
               "runtime", "migrated", "PASSWORD", "TINY_PNG", "REDIS_TEST_URL", "PAUSED",
               "new_applicant", "Browser", "csrf_token", "sign_in", "login", "citizen_login",
               "sms_code")

__all__ = [
    "__version__", "hookimpl", "api_doc",
    # declarations and the plugin host
    "CertificateContext", "Check", "CheckContext", "CheckResult", "MaterialSpec", "Outcome",
    "ServiceDef", "LegalClock", "Citation", "licensing_clock", "PluginHost", "Quanke", "setting", "require_settings", "require_templates",
    "package_dir",
    # platform
    "Conflict", "Forbidden", "InvalidInput", "InvalidState", "NotFound", "QuankeError",
    "LOCAL_TZ", "local", "local_date", "now", "today", "Base", "UTCDateTime",
    "EncryptedString", "EncryptedBytes", "EncryptedJSON", "BlindIndex", "blind_index", "CiphertextError",
    "encrypt_rows", "decrypt_rows",
    "Applicant", "Application", "Centre", "CheckEvidence", "Citizen", "Decision", "Department",
    "Document", "Material", "MaterialStatus", "Role", "State", "User", "AuditEvent",
    "record_audit", "record_view", "age_on", "mask_id", "mask_name", "validate_credit_code",
    "validate_resident_id", "SYSTEM", "actor_key", "parse_int", "parse_id", "parse_date", "check_text",
    # workflow
    "accept", "attach_material", "deliver", "file_application", "material_statuses",
    "missing_materials", "preview_checks", "record_identity_step", "refuse", "resubmit",
    "return_for_correction", "submit_application", "to_formdata", "update_draft",
    "validate_form", "withdraw", "search_services", "Upload", "approve", "assign", "claim",
    "evidence_changes", "extend", "issue", "pause", "recheck", "reject", "release", "resume",
    "departments_for", "department_queue", "decide_by_rule", "WorkCalendar", "add_working_days",
    "due_date_explanation",
    # credit
    "DISHONEST_APPLICANT", "Commitment", "CreditRecord", "broken_commitments_since",
    "sign_commitment", "verify_commitment", "CREDIT_LEVELS", "active_credit_records",
    "credit_list_version",
    # people, notifications, jobs
    "register_applicant", "user_for_token", "add_notification", "resolve_job",
    # papers
    "CertificateTemplate", "RenderedPDF", "cjk_font", "draw_seal", "format_date", "documents_dir",
    "documents_for", "new_verification_code", "seal_passphrase", "verification_url",
    "document_pdf", "revoke_document", "supersede_document", "DEFAULT_SEAL_PASSPHRASE",
    "department_signer", "sign_pdf",
    # commands, demo data, health
    "command_runtime", "DEMO_CITIZENS", "valid_resident_id", "check_plugin_health",
    # testing kit
    *TESTING_KIT,
]


def __getattr__(name: str):
    if name in TESTING_KIT:
        from core import testing
        return getattr(testing, name)
    raise AttributeError(f"module 'core.api' has no attribute {name!r}")
