"""Where reference faces come from: the ``identity_provider`` hook, else the built-in
:class:`LocalRegistry`; :func:`reference_encodings` is what a face check compares against."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from core.identity import ENCODING_MODEL, FrameProblem, faces_module, settings
from core.identity.enrolment.records import MAX_REFERENCES
from core.identity.models import FaceReference
from core.platform.models import Applicant

log = logging.getLogger(__name__)


class LocalRegistry:
    """The built-in identity provider: faces enrolled in this deployment."""

    name = "local"

    def __init__(self, quanke):
        self.quanke = quanke

    def reference(self, id_number: str) -> dict | None:
        from_bytes = faces_module().from_bytes

        number = (id_number or "").strip().upper()
        with self.quanke.db.session() as session:
            rows = session.scalars(
                select(FaceReference).where(FaceReference.id_number_index == number,
                                            FaceReference.active.is_(True))
                .order_by(FaceReference.enrolled_at.desc(), FaceReference.id.desc())
                .limit(MAX_REFERENCES)).all()
            if not rows:
                return None
            person = session.get(Applicant, rows[0].applicant_id)
            return {"id_number": number, "name": person.name if person else "", "source": self.name,
                    "encodings": [from_bytes(r.encoding) for r in rows],
                    "reference_ids": [r.id for r in rows], "model": ENCODING_MODEL}


def identity_provider(quanke) -> Any:
    """The provider a plugin gives through ``identity_provider``, else the local registry."""
    try:
        answer = quanke.hook.identity_provider()
    except Exception:  # noqa: BLE001 - a broken adapter must not silently become "no face"
        log.exception("identity_provider hook failed")
        raise
    return answer if answer is not None else LocalRegistry(quanke)


def reference_encodings(quanke, id_number: str) -> tuple[list, dict]:
    """The reference encodings of a person and the provider's answer (without photo bytes).

    Empty list when the provider knows no face for this person. A provider answering with a
    ``photo`` instead of ``encodings`` has it encoded here."""
    faces = faces_module()
    import numpy as np

    encode_photo = faces.encode_photo
    provider = identity_provider(quanke)
    answer = provider.reference(id_number)
    if not answer:
        return [], {}
    encodings = [np.asarray(e, dtype=np.float64) for e in answer.get("encodings") or []]
    if not encodings and answer.get("photo"):
        try:
            encoding, _, _ = encode_photo(answer["photo"], settings(quanke))
            encodings = [encoding]
        except FrameProblem as problem:
            log.warning("reference photo from %s unusable: %s", getattr(provider, "name", provider),
                        problem.code)
    meta = {k: v for k, v in answer.items() if k not in ("encodings", "photo")}
    meta.setdefault("source", getattr(provider, "name", type(provider).__name__))
    return [e for e in encodings if e.shape == (128,)], meta
