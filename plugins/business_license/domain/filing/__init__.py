"""Filing with the register in view, and 证照联办 (licence + permit from one form).

:func:`core.acceptance.filing.file_application` validates a form with the data alone, then asks the
plugins' ``validate_application`` hook; this plugin answers with :func:`register_errors` —
what the register knows and the form cannot: a name already taken (the clashing name shown),
a business the applicant does not operate, a commitment path closed by a broken
commitment — on the right field, on every filing path (counter, agent, portal, API), so
nothing is saved for input that could never be accepted. The same rules run again as checks at acceptance
and decision (a name can be taken in between).

A joint application is two applications filed together, linked by a bundle reference kept
in ``bl_bundles``: one form, one acceptance (:func:`accept_bundle` accepts both through the
core or neither), two results, each decided in its own department's queue.

By part: :mod:`.register_rules` (the register's answer, filing one application),
:mod:`.joint` (filing a joint application, finding a bundle) and :mod:`.bundle_steps`
(accepting, identity steps and submitting a bundle).
"""
from __future__ import annotations

from plugins.business_license.domain.filing.bundle_steps import (  # noqa: F401
    accept_bundle,
    record_identity_step,
    submit_bundle,
)
from plugins.business_license.domain.filing.joint import (  # noqa: F401
    Joint,
    bundle,
    file_joint,
    new_reference,
    validate_joint,
)
from plugins.business_license.domain.filing.register_rules import (  # noqa: F401
    FORM_ERROR,
    file,
    register_errors,
)
