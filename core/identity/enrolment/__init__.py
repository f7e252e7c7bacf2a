"""Reference faces: the built-in local registry (人像登记) and the identity provider.

Where reference faces come from is the ``identity_provider`` hook (firstresult). When no
plugin answers, :class:`LocalRegistry` serves the faces enrolled here:

* a counter worker enrols a person's ID photo or a live photo at an in-person visit
  (:func:`enrol`);
* an administrator imports a CSV plus a folder of photos (:func:`import_references`, with a
  progress bar; ``quanke identity import`` once the CLI group is registered).

Only the 128-d encoding is needed to verify. The raw photo is kept for
``FACE_PHOTO_RETENTION_DAYS`` (0: never stored), then :func:`purge_expired_photos` deletes
it. Seeing a photo needs a staff role and a reason, and every access is audited
(:func:`view_reference_photo`).

A provider is any object with ``reference(id_number) -> dict | None``; the dict has
``name`` and either ``encodings`` (lists of 128 floats) or ``photo`` (image bytes, encoded
here on the fly), optionally ``source`` and ``reference_ids``.

Where it lives: :mod:`.counter` (enrolment at the counter), :mod:`.csv_import` (the batch
import), :mod:`.photos` (audited access, retention), :mod:`.providers` (the identity provider)
and :mod:`.records` (storing and describing a reference, the roles).
"""
from __future__ import annotations

from core.identity.enrolment.counter import enrol, references_for, retire_reference
from core.identity.enrolment.csv_import import HEADERS, ImportReport, import_references
from core.identity.enrolment.photos import purge_expired_photos, view_reference_photo
from core.identity.enrolment.providers import LocalRegistry, identity_provider, reference_encodings
from core.identity.enrolment.records import (ENROL_ROLES, IMPORT_ROLES, MAX_REFERENCES, SOURCES, VIEW_ROLES,
                                             describe)

__all__ = ["SOURCES", "LocalRegistry", "ImportReport", "enrol", "references_for", "retire_reference",
           "view_reference_photo", "purge_expired_photos", "import_references", "identity_provider",
           "reference_encodings", "describe"]
