"""Plugin validation of an application's data wherever it is filed (``validate_application``).

The service's form (:func:`core.acceptance.forms.validate_form`) decides what the data alone can
decide. What needs the database — a name already registered, an operator who is not the
applicant, a commitment path closed by a broken commitment — is answered by the plugins'
``validate_application`` hook, called by the workflow on every filing path (counter, agent
and assisted filing, portal, API) so that no channel accepts what another refuses.
"""
from __future__ import annotations

import functools
from typing import Iterable

from core.acceptance.delivery_choice import delivery_view
from core.platform.errors import InvalidInput

FORM_ERROR = "申请表填写有误，请按提示修改"


def field_errors(answers: Iterable[dict | None]) -> dict[str, list[str]]:
    """Merge the plugins' answers (``{field: message or [messages]}``) into field → messages."""
    merged: dict[str, list[str]] = {}
    for answer in answers:
        for field, messages in (answer or {}).items():
            if isinstance(messages, str):
                messages = [messages]
            bucket = merged.setdefault(str(field), [])
            bucket += [str(m) for m in messages if str(m) not in bucket]
    return {field: messages for field, messages in merged.items() if messages}


def validate_application(quanke, session, *, service, applicant, form_data: dict,
                         materials: Iterable[str], phase: str, delivery: dict | None = None) -> None:
    """Ask every plugin about this application's data; raise :class:`InvalidInput`
    (``invalid_form``, the same shape as a form error: ``details["fields"]``) when any refuses.

    ``phase`` is ``"file"`` (filed and submitted at once: counter, agent, API), ``"draft"`` (a
    citizen's draft being saved: materials may still follow), ``"submit"`` (a draft being
    submitted) or ``"accept"`` (the counter about to accept: only missing materials count).
    Answers keyed by one of the service's material codes are missing materials, not errors:
    they never refuse the filing, they block acceptance and fill the one-time notice. ``materials`` are the codes of the materials provided. ``delivery`` is the
    applicant's choice of how to get the result (:func:`core.acceptance.delivery_choice.delivery_view`).
    Nothing is saved when this raises.
    """
    errors, _gaps = _answers(quanke, session, service=service, applicant=applicant,
                             form_data=form_data, materials=materials, phase=phase,
                             delivery=delivery)
    if errors:
        raise InvalidInput(FORM_ERROR, code="invalid_form", field=next(iter(errors)),
                           details={"fields": errors, "labels": field_labels(service, errors)})


def _answers(quanke, session, *, service, applicant, form_data, materials, phase, delivery=None):
    """The plugins' answers split into wrong data (field errors) and materials not there yet
    (keyed by a material code of the service): the latter never refuse a filing — the citizen
    at the counter without a material gets the one-time notice listing it (一次性告知)."""
    answers = quanke.hook.validate_application(
        service=service, applicant=applicant, form_data=dict(form_data or {}),
        materials=frozenset(materials), phase=phase, session=session,
        delivery=dict(delivery or delivery_view("pickup", None, None)))
    errors = field_errors(answers)
    # a name that is a form field is about the data, even if a material shares it
    codes = {spec.code for spec in service.materials} - _form_fields(service.form)
    gaps = {code: messages for code, messages in errors.items() if code in codes}
    return {k: v for k, v in errors.items() if k not in codes}, gaps


@functools.lru_cache(maxsize=256)
def _form_fields(form_class) -> frozenset[str]:
    try:
        return frozenset(name for name, _ in form_class(meta={"csrf": False})._fields.items())
    except Exception:  # noqa: BLE001 - a form that needs arguments
        return frozenset()


def field_labels(service, errors: dict) -> dict[str, str]:
    """Field code → the form's label, so a message names what the user sees, not the code."""
    try:
        form = service.form(meta={"csrf": False})
    except Exception:  # noqa: BLE001 - a form that needs arguments: codes stay as they are
        return {}
    return {name: str(form[name].label.text) for name in errors if name in form}


def material_gaps(quanke, session, app) -> dict[str, list[str]]:
    """Materials a plugin says this application still lacks (e.g. a new premises proof for a
    change of premises), material code → reasons; the data itself is not judged here."""
    from core.platform.models import MaterialStatus
    provided = {m.code for m in app.materials
                if m.status in (MaterialStatus.PAPER.value, MaterialStatus.SCAN.value)}
    _errors, gaps = _answers(quanke, session, service=quanke.service(app.service_code),
                             applicant=app.applicant, form_data=app.form_data,
                             materials=provided, phase="accept", delivery=app_delivery(app))
    return gaps


def check_new(quanke, session, service, applicant, form_data: dict, paper: Iterable[str],
              uploads: Iterable, *, draft: bool, delivery: dict | None = None) -> None:
    """:func:`validate_application` for an application being filed (before it is saved)."""
    materials = set(paper) | {upload.material_code for upload in uploads}
    validate_application(quanke, session, service=service, applicant=applicant,
                         form_data=form_data, materials=materials,
                         phase="draft" if draft else "file", delivery=delivery)


def app_delivery(app) -> dict:
    """The delivery choice stored on an application, as the hook gets it."""
    return delivery_view(app.delivery_method, app.pickup_centre_id, app.courier_address)


def check_draft(quanke, session, app) -> None:
    """:func:`validate_application` for a remote draft being submitted."""
    from core.platform.models import MaterialStatus
    provided = {m.code for m in app.materials
                if m.status in (MaterialStatus.PAPER.value, MaterialStatus.SCAN.value)}
    validate_application(quanke, session, service=quanke.service(app.service_code),
                         applicant=app.applicant, form_data=app.form_data, materials=provided,
                         phase="submit", delivery=app_delivery(app))
