"""E-signature on the commitment letter (电子签名 · 告知承诺书).

The applicant reads the service's commitment text (``ServiceDef.commitment``), signs — a
drawing from a canvas (PNG) or their typed name — and confirms with an SMS code sent for
signing. :func:`sign_commitment` then

1. checks the text the page showed is the current text (by its SHA-256),
2. consumes the code (``esign:<application>``, see :mod:`core.identity.sms`),
3. renders the signed commitment PDF: the text, the signature image, the text's SHA-256,
   the time, and the verified identity (the passed face check with its distance and
   liveness, the verified phone),
4. seals it with the platform's electronic seal (:mod:`core.papers.seal`, PAdES),
5. records a :class:`core.credit.Commitment` (告知承诺, to be verified later), keeps the PDF
   and records the ``esign`` step on the draft.

Where it lives: :mod:`.signing` (the text, signing, the download), :mod:`.signature` (the
drawn signature) and :mod:`.pdf` (the letter rendered and sealed).
"""
from __future__ import annotations

from core.identity.esign.pdf import CommitmentFacts, render_commitment_pdf, seal_commitment
from core.identity.esign.signature import normalise_signature
from core.identity.esign.signing import (DEFAULT_COMMITMENT, commitment_for, sign_commitment, signed_commitment,
                                         text_sha256)

__all__ = ["DEFAULT_COMMITMENT", "CommitmentFacts", "commitment_for", "normalise_signature",
           "render_commitment_pdf", "seal_commitment", "sign_commitment", "signed_commitment", "text_sha256"]
