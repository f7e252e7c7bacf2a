"""What the counter worker sees about a remote applicant's identity when accepting (核验证据)."""
from __future__ import annotations

from sqlalchemy import select

from core.platform.audit import AuditEvent
from core.platform.clock import local
from core.platform.errors import Forbidden, NotFound
from core.platform.models import Application, Citizen

from core.identity.models import SignedCommitment
from core.identity.verification import EVIDENCE_ROLES, _is_staff, face_checks_for

STEP_LABELS = {"face": "人脸核验", "sms": "短信验证", "esign": "电子签名"}


def identity_evidence(quanke, actor, app_id: int) -> dict:
    """Required steps, what passed and when (with the evidence recorded by the workflow),
    every face check (scores, liveness, review) and the signed commitment's summary.

    Holds no photo and no unmasked identifier, so reading it is not a personal-data view;
    opening the reference photo or the signed PDF is (and is audited there)."""
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        if app is None:
            raise NotFound("申请不存在", code="application_not_found")
        staff = _is_staff(session, actor, EVIDENCE_ROLES)
        if staff is None and not (isinstance(actor, Citizen) and app.citizen_id == actor.id):
            raise Forbidden("无权查看身份核验记录", code="forbidden_role")
        service = quanke.service(app.service_code)
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.application_id == app_id, AuditEvent.action == "identity_step")
            .order_by(AuditEvent.id)).all()
        signature = session.scalar(select(SignedCommitment).where(SignedCommitment.application_id == app_id)
                                   .order_by(SignedCommitment.id.desc()).limit(1))
        steps = []
        passed = set(app.identity_passed or [])
        for step in sorted(service.identity):
            recorded = [e for e in events if (e.data or {}).get("step") == step]
            last = recorded[-1] if recorded else None
            steps.append({"step": step, "label": STEP_LABELS.get(step, step), "passed": step in passed,
                          "at": local(last.at).isoformat() if last else None,
                          "evidence": (last.data or {}).get("evidence", {}) if last else {}})
        sig = None
        if signature is not None:
            sig = {"id": signature.id, "method": signature.method, "signed_at": local(signature.signed_at).isoformat(),
                   "text_sha256": signature.text_sha256, "pdf_sha256": signature.pdf_sha256,
                   "commitment_id": signature.commitment_id, "sealed_by": signature.sealed_by,
                   "phone": signature.phone_masked}
    return {"application_id": app_id, "required": sorted(service.identity),
            "complete": set(service.identity) <= passed, "steps": steps,
            "face_checks": face_checks_for(quanke, actor, app_id), "signature": sig}


__all__ = ["identity_evidence", "STEP_LABELS"]
