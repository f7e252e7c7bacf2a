"""Acceptance (受理), the front desk's power: filing an application, checking identity,
materials and credit, and then accepting it with a receipt, returning it with a one-time
correction notice (一次性告知) or refusing it; at the end, handing the result over.

Who may accept: :mod:`~core.acceptance.powers`. The state table they all follow:
:mod:`core.statemachine`.
"""
from core.acceptance.accept import accept, preview_checks, refuse, resubmit, return_for_correction
from core.acceptance.delivery import deliver, withdraw
from core.acceptance.drafts import update_draft
from core.acceptance.filing import attach_material, file_application, record_identity_step, submit_application
from core.acceptance.forms import to_formdata, validate_form
from core.acceptance.powers import authorised_centre
from core.acceptance.receipts import next_receipt_no
from core.contract.materials import material_statuses, missing_materials

__all__ = ["accept", "attach_material", "authorised_centre", "deliver", "file_application",
           "material_statuses", "missing_materials", "next_receipt_no", "preview_checks",
           "record_identity_step", "refuse", "resubmit", "return_for_correction",
           "submit_application", "to_formdata", "update_draft", "validate_form", "withdraw"]
