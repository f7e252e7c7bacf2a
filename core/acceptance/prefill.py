"""Pre-filling a service's form from the applicant the system already knows (issue 20 §6), so
the counter worker and the citizen do not type a name, an ID number or a phone twice.

Two ways, both applied to the *empty* form only (a page shown again after an error keeps
what was typed):

* the convention: form fields named ``applicant_name``, ``applicant_id_number`` and
  ``applicant_phone`` get the applicant's name, ID number (or credit code) and phone;
* the ``prefill_form`` hook, for anything else a plugin knows (``{field: value}``); its
  answers win over the convention and name only fields of the service's own form.
"""
from __future__ import annotations

import logging

from core.acceptance.validation import _form_fields

log = logging.getLogger(__name__)


def conventional(applicant) -> dict:
    """The convention's values: field name → the applicant's own data."""
    return {"applicant_name": applicant.name or "", "applicant_id_number": applicant.id_number or "",
            "applicant_phone": applicant.phone or ""}


def form_defaults(quanke, session, service, applicant) -> dict:
    """Values for the fields of ``service``'s form that the applicant's known data fills in.

    A plugin whose ``prefill_form`` raises or answers something that is not a dict is left
    out (logged): pre-filling saves typing, it must never stop anyone from filing.
    """
    if applicant is None:
        return {}
    fields = _form_fields(service.form)
    values = {name: value for name, value in conventional(applicant).items() if name in fields}
    caller = quanke.hook.prefill_form
    for impl in caller.get_hookimpls():   # two plugins filling one field: the later registered wins
        kwargs = {"service": service, "applicant": applicant, "session": session}
        try:
            answer = impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        except Exception:  # noqa: BLE001 - see above
            log.exception("prefill_form of plugin %s failed for %s", impl.plugin_name, service.code)
            continue
        if answer is None:
            continue
        if not isinstance(answer, dict):
            log.warning("prefill_form of plugin %s returned %s, not a dict", impl.plugin_name,
                        type(answer).__name__)
            continue
        values.update({str(k): v for k, v in answer.items() if str(k) in fields and v is not None})
    return values
