"""A bundle after filing: one acceptance for both (:func:`accept_bundle` accepts both through
the core or neither), and for a remote bundle the identity steps and the submission, once
for both applications."""
from __future__ import annotations

from core.api import (
    Application,
    Forbidden,
    InvalidInput,
    InvalidState,
    State,
    User,
    accept,
    actor_key,
    material_statuses,
    missing_materials,
    now,
    preview_checks,
    record_audit,
    submit_application,
)
from core.api import record_identity_step as record_application_step
from plugins.business_license.domain import lookups
from plugins.business_license.domain.filing.joint import Joint, _joint, bundle


def _preflight(quanke, app: Application) -> tuple[list[str], list[str]]:
    """(blocking problems, warnings) acceptance would meet — read only."""
    service = quanke.service(app.service_code)
    problems, warnings = [], []
    with quanke.db.session() as session:
        statuses = material_statuses(session.get(Application, app.id))
    missing = missing_materials(service, statuses)
    if missing:
        problems.append("缺少" + "、".join(service.material(c).name for c in missing))
    for _code, name, result in preview_checks(quanke, app.id):
        if result.outcome.value == "block":
            problems.append(f"{name}：" + "；".join(result.reasons))
        elif result.outcome.value == "warn":
            warnings.append(f"{name}：" + "；".join(result.reasons))
    return problems, warnings


def accept_bundle(quanke, actor, reference: str, *, warn_reason: str = "") -> Joint:
    """One acceptance for both: both pass (materials, checks) or neither is accepted."""
    joint = bundle(quanke, reference)
    apps = joint.applications  # a filing is not an application: nothing of it to accept
    for app in apps:
        if app.state != State.SUBMITTED.value:
            raise InvalidState(f"{quanke.service(app.service_code).name}（{app.number}）当前为"
                               f"“{State(app.state).label}”，不能一并受理", code="invalid_state")
    found = {app.id: _preflight(quanke, app) for app in apps}
    problems = [f"{quanke.service(a.service_code).name}：{p}" for a in apps for p in found[a.id][0]]
    if problems:
        raise Forbidden("联办申请不能受理：" + "；".join(problems) + "。请出具一次性补正告知书",
                        code="bundle_not_acceptable", details={"problems": problems})
    if any(found[a.id][1] for a in apps) and not warn_reason.strip():
        warnings = [w for a in apps for w in found[a.id][1]]
        raise InvalidInput("核查有提示事项，受理须记录理由：" + "；".join(warnings),
                           code="warn_reason_required", field="warn_reason")
    accepted = []
    for app in apps:
        try:
            accepted.append(accept(quanke, actor, app.id, warn_reason=warn_reason))
        except Exception as exc:
            if accepted:  # the first is accepted for real; say so rather than pretend
                raise InvalidState(f"营业执照申请已受理（{accepted[0].receipt_no}），但许可申请受理失败："
                                   f"{getattr(exc, 'message', exc)}", code="bundle_half_accepted") from exc
            raise
    with quanke.db.session() as session:
        row = lookups.bundle_by_reference(session, reference)
        row.accepted_at = now()
        row.accepted_by_id = actor.id if isinstance(actor, User) else None
        record_audit(session, actor=actor_key(actor), action="bl_bundle_accepted",
                     object_type="bl_bundle", object_id=row.id, application_id=accepted[0].id,
                     data={"reference": reference, "receipts": [a.receipt_no for a in accepted]})
        return _joint(session, row)


def record_identity_step(quanke, citizen, reference: str, step: str, *, evidence: dict | None = None) -> Joint:
    """A remote identity step passed once counts for both applications of the bundle."""
    joint = bundle(quanke, reference)
    for app in joint.applications:
        record_application_step(quanke, citizen, app.id, step, evidence=evidence)
    return bundle(quanke, reference)


def submit_bundle(quanke, citizen, reference: str) -> Joint:
    joint = bundle(quanke, reference)
    for app in joint.applications:
        if app.state == State.DRAFT.value:
            submit_application(quanke, citizen, app.id)
    return bundle(quanke, reference)
