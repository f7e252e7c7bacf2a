"""Issuing documents for applications: records, rendering, sealing, storage, revocation.

:mod:`core.papers.documents` turns plain data into PDF bytes and :mod:`core.papers.seal` signs them; this
package connects both to the database:

* :func:`record_document` creates the :class:`~core.platform.models.Document` row inside a workflow
  transaction (number, unguessable verification code, masked public summary). A new document
  of a kind the application already holds supersedes the old one.
* :func:`render` builds the PDF from the database state, seals certificates and decision
  letters with the issuing department's seal and stores the bytes content-addressed under
  ``<INSTANCE_PATH>/documents``. It is idempotent (the stored bytes come back when present),
  so the job :func:`render_document` may be retried freely.
* :func:`revoke`, :func:`regenerate` and :func:`supersede` change a document's standing; the public page
  ``/verify/<code>`` (:mod:`web.verify`) reads it through :func:`lookup`.

The summary stored on a document is what the public verification page shows, so it holds
only masked data (``张**``, ``3201**********1234``) and never the application's form data.

Everything is reached from here (``core.papers.issuance.render_document`` is also a job name);
the modules are ``kinds``, ``verification`` (codes, lookup), ``summary``, ``recording``,
``superseding``, ``storage``, ``seals``, ``rendering``, ``revocation`` and ``regeneration``.
"""
from __future__ import annotations

from core.papers.issuance.kinds import (
    CORRECTION_CONSEQUENCE,  # noqa: F401 - public, outside __all__
    DECISION_LETTERS,  # noqa: F401 - public, outside __all__ (core.contract.services validates against it)
    KINDS,
    SEALED_KINDS,
    decision_letter_kind,
)
from core.papers.issuance.recording import (
    PRIORITY_KINDS,  # noqa: F401 - public, outside __all__
    documents_for,
    record_document,
    render_queue,  # noqa: F401 - job route (core.jobs.runner)
    valid_exists,  # noqa: F401 - core.acceptance
)
from core.papers.issuance.regeneration import (
    documents_in_range,
    regenerate,
    regenerate_range,  # noqa: F401 - quanke documents
)
from core.papers.issuance.rendering import (
    DocumentRenderFailed,  # noqa: F401 - public, outside __all__
    _plan,  # noqa: F401 - bench/documents_bench.py
    _produce,  # noqa: F401 - bench/documents_bench.py
    pdf_bytes,
    render,
    render_document,
    render_failure,  # noqa: F401 - web pages, /metrics
)
from core.papers.issuance.revocation import revoke
from core.papers.issuance.seals import (
    check_seals,
    seal_passphrase,  # noqa: F401 - core.api
)
from core.papers.issuance.storage import documents_dir  # noqa: F401 - core.api
from core.papers.issuance.summary import (
    DELIVERY_LABELS,  # noqa: F401 - public, outside __all__
    note_delivery,
)
from core.papers.issuance.superseding import supersede
from core.papers.issuance.verification import (
    CODE_LENGTH,  # noqa: F401 - public, outside __all__
    Verification,
    lookup,
    new_verification_code,  # noqa: F401 - core.api
    normalise_code,
    verification_url,
)

__all__ = [
    "KINDS",
    "SEALED_KINDS",
    "decision_letter_kind",
    "record_document",
    "documents_for",
    "note_delivery",
    "supersede",
    "render",
    "pdf_bytes",
    "render_document",
    "revoke",
    "regenerate",
    "documents_in_range",
    "check_seals",
    "lookup",
    "Verification",
    "normalise_code",
    "verification_url",
]
