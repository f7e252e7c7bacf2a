"""Behaviour: hooks called while the system runs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.contract.hookspecs.marker import hookspec

if TYPE_CHECKING:  # pragma: no cover

    from core.platform.events import ApplicationEvent
    from core.contract.services import Check, ServiceDef


# ---------------------------------------------------------------------------------------------
# Behaviour (called while the system runs)
# ---------------------------------------------------------------------------------------------

@hookspec
def extra_checks(service: "ServiceDef", applicant: Any) -> "list[Check] | None":
    """Add checks to a service that the service itself did not list.

    Called every time checks run for an application (at acceptance and again at decision),
    with the service declaration and the :class:`core.platform.models.Applicant`. Return a list of
    :class:`core.contract.services.Check` (for example a credit-bureau plugin adding its check to every
    service); ``None`` means nothing to add. Results are stored as evidence like the
    service's own checks.
    """


@hookspec
def validate_application(service: "ServiceDef", applicant: Any, form_data: dict,
                         materials: "frozenset[str]", phase: str, session: Any, delivery: dict
                         ) -> "dict[str, str | list[str]] | None":
    """Refuse bad application data with clear messages, whichever way it is filed.

    Called by :func:`core.acceptance.validation.validate_application` for every service, after the
    service's form validated the data and before anything is saved: when an application is
    filed at a counter, by an agent, in assisted filing or through the API (``phase="file"``),
    when a citizen saves a draft on the portal (``phase="draft"``: materials may still
    follow, so do not require them yet), when a draft is submitted (``phase="submit"``,
    everything handed in) and when a counter is about to accept it or issues the one-time
    correction notice (``phase="accept"``). Arguments:
    the :class:`core.contract.services.ServiceDef`, the :class:`core.platform.models.Applicant`, the cleaned
    ``form_data``, the codes of the ``materials`` provided, a read-only ``session`` for
    what only the database knows (a name already registered, a commitment path closed), and
    ``delivery``, how the applicant wants the result: ``{"method": "pickup" | "courier",
    "method_label", "pickup_centre_id", "courier_address": {"recipient", "phone", "address"}
    or None}`` — the core asks for and validates the courier address (领取方式), so a plugin
    never adds an address field of its own; it may refuse a choice its service cannot serve
    (answer ``{"delivery_method": "…"}``) or check the address (``{"courier_address": "…"}``).

    Return ``{field: message or [messages]}`` for what is wrong (Chinese, shown on the
    field); ``None`` or ``{}`` means nothing to object to. Answer only for your own services.
    An answer keyed by a form field stops the filing with ``invalid_form`` (nothing saved;
    the message is shown with the field's label). An answer keyed by one of the service's
    **material codes** says that material is still missing (e.g. a change of premises needs
    the new premises proof): the filing goes ahead, acceptance is refused until it is handed
    in, and the one-time correction notice lists it with your message (一次性告知). Rules
    that may change while an application is handled belong in checks
    (:class:`core.contract.services.Check`) too.
    """


@hookspec
def prefill_form(service: "ServiceDef", applicant: Any, session: Any) -> "dict | None":
    """Values to pre-fill a new application form with, from what is already known.

    Called when the counter's filing page or the portal's application page shows the empty
    form of ``service`` for ``applicant`` (a :class:`core.platform.models.Applicant`), with a
    read-only ``session``. Return ``{field: value}`` for fields of the service's own form (the
    applicant's address from the plugin's register, a licence number to renew …); other keys
    are ignored, and so is an answer for a service of another plugin — answer only for your
    own. Fields named ``applicant_name``, ``applicant_id_number`` and ``applicant_phone`` are
    filled by the core without this hook. ``None`` means nothing to add. A failing
    implementation is logged and left out: the form is then shown without its values.
    """


@hookspec
def application_event(event: "ApplicationEvent", quanke: Any) -> None:
    """Observe a state change after it has been committed.

    Called once per transition (submit, accept, approve, ...) with a
    :class:`core.platform.events.ApplicationEvent` and the runtime ``quanke`` (its database and jobs). Use it to push to supervision, update statistics or
    enqueue work. The return value is ignored. An exception here is logged and never undoes
    the transition; work that must not be lost belongs in a job (:func:`core.jobs.enqueue`).
    """


@hookspec
def before_decision_commit(application: Any, action: str, session: Any, quanke: Any) -> "dict | None":
    """Do this plugin's part of a decision inside the decision's own transaction.

    Called when ``application`` (a :class:`core.platform.models.Application`) is approved,
    rejected (``action`` ``"approve"`` / ``"reject"``, by a person or by a rule) or its result
    issued (``"issue"``), after the state changed and the decision and document rows were
    added, before the commit — with the transaction's ``session`` and the runtime. Allocate a
    licence or card number, write the plugin's register row (audit it with
    ``core.api.record_audit`` in this ``session``): it is saved together with the decision or
    not at all, so no job has to catch up after the commit. Raising a
    :class:`core.platform.errors.QuankeError` (``InvalidState("号段已用完")`` …) refuses the
    action with that message and nothing is saved; any other exception refuses it as
    ``plugin_failed``. Return a small JSON-able dict to record in the decision's audit event
    (under ``plugins.<plugin name>``), or ``None``. Answer only for your own services, and
    keep it short: the application row is locked meanwhile.
    """


@hookspec
def certificate_data(application: Any, session: Any, document_kind: str) -> "dict | None":
    """Add service-specific values to a certificate or decision letter before it is rendered.

    Called each time a certificate (``document_kind="certificate"``) of ``application`` (a
    :class:`core.platform.models.Application`) is rendered, inside a read-only ``session``;
    return a dict merged into :attr:`core.contract.services.CertificateContext.extra` (e.g. the
    unified social credit code assigned on approval, or the archive records found).

    Decision letters (``"decision_approve"`` / ``"decision_reject"``, the core's 准予/不予许可
    决定书) ask the implementations that name ``document_kind`` in their signature — an
    older implementation written for certificates only is not called for them. For a letter,
    ``{"letter_fields": [(label, value), ...]}`` adds the service's own lines (a licence number
    allocated on approval …) under the parties. For a certificate, ``"public_fields":
    [(label, value), ...]`` (at most 8) is what the public verification page shows besides the
    masked summary — public register data such as a licence's name, credit code and validity,
    never personal data. ``None`` = nothing. Only the plugin that owns the service should
    answer for it.
    """


@hookspec(firstresult=True)
def identity_provider() -> Any:
    """Return the identity provider: where reference photos and names of persons come from.

    firstresult: the first plugin returning a non-``None`` object wins, so a population-
    registry adapter can replace the built-in local registry. The object has
    ``reference(id_number) -> dict | None``. ``None`` means "not this plugin".
    """


@hookspec(firstresult=True)
def credit_code_provider(quanke: Any) -> Any:
    """Return the unified social credit code provider (统一社会信用代码赋码).

    Codes are *assigned* by the national code system (GB 32100-2015), not made up: an adapter
    plugin for that system answers here with its client. firstresult: the first plugin
    returning a non-``None`` object wins; a built-in local generator for demonstrations and
    offline use is registered ``trylast`` so that an adapter always wins over it. Called with
    the runtime ``quanke`` each time a code is needed (on approval of a registration). The
    object has:

    * ``name`` — what staff see (e.g. ``"全国统一社会信用代码赋码系统"``);
    * ``demo`` — ``True`` when its codes are not assigned by the national code system (the
      plugin says so on its pages and ``quanke plugins --check`` reports it in production);
    * ``assign(*, session, authority, entity_type, division, subject) -> str`` — one new code:
      ``authority`` (登记管理部门代码, ``"9"`` market regulation), ``entity_type`` (机构类别,
      ``"2"`` 个体工商户), ``division`` (6-digit 行政区划代码), ``subject`` (a dict: name,
      operator, application number). The caller validates the code and retries with a new
      one should it collide with a code already registered.

    ``None`` means "not this plugin".
    """


@hookspec
def display_names() -> "dict[str, dict[str, str]] | None":
    """Label this plugin's codes for the people who read them: ``{kind: {code: Chinese label}}``.

    Called once at start-up (with the other declarations; a wrongly shaped answer disables the
    plugin, naming it). ``kind`` is one of :data:`core.contract.labels.LABEL_KINDS`:
    ``"audit_operation"`` (the ``action`` of every ``record_audit`` call, e.g.
    ``"timebank.request_filed": "提交服务需求"``), ``"event"`` (an application timeline entry, when
    it should read differently from the audit operation), ``"document_kind"`` (the ``kind`` of
    the plugin's documents), ``"check_result"`` (result codes of its checks), ``"object_type"``,
    ``"data_key"`` (keys of its audit details, shown in the audit log's summary), ``"status"``
    (its own statuses) and ``"field"``. Pages show the label (``{{ code|label("status") }}``),
    translated through the message catalogues; a code nobody labelled is shown as it is, and a
    test walking the pages fails on it. Label only your own codes: of two plugins labelling the
    same code, the one loaded first keeps it. ``None`` means nothing to label.
    """


@hookspec
def demo_data(quanke: Any, scale: str) -> "int | None":
    """Load this plugin's demonstration data (``quanke demo-data``).

    Called after the core's own demo data (centres, departments, staff, citizens) exists,
    with the runtime and ``scale`` (``"demo"`` or ``"district"``). Must be idempotent: a second
    run adds nothing. Return the number of records created, or ``None``.
    """


@hookspec
def menu_links(user: Any) -> "list[dict] | None":
    """Return menu entries ``{"href", "label", "badge"?}`` for the signed-in ``user``.

    Called on every page render for staff and citizens; show only what the user may open.
    ``None`` means nothing for this user.
    """


@hookspec
def dashboard_panels(quanke: Any, user: Any) -> "list[dict] | None":
    """Return dashboard panels ``{"title", "html" or "value", "href"?, "department"?}`` for ``user``.

    Called with the runtime (:class:`core.runtime.Quanke`) when the user's home page or an
    approver's queue page renders, so keep it to a query or two (it runs on every such page).
    An implementation written for the older contract, ``dashboard_panels(user)``, still works:
    pluggy passes an implementation only the arguments it names. A department's queue page
    (``/approvals/<department>``) shows only the panels naming that ``department`` (a code);
    a panel without one shows on home pages only. ``None`` means no panel.
    """
