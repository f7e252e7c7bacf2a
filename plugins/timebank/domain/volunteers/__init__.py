"""Holders, volunteers and teams: certification, profile, training, recipients, leaving.

Certification itself is a core application (``timebank.volunteer``) decided in the
``timebank`` approver queue; :func:`certify_from_application` turns an approved one into a
profile with accounts (run as a must-not-lose job from the ``application_event`` hook, and
idempotent). Leaving (退出) settles or donates every balance and closes the accounts.

By subject: :mod:`.holders` (holders, recipients, the loan exception, relatives),
:mod:`.profiles` (certification, profile, training), :mod:`.teams` and :mod:`.leaving`.
"""
from __future__ import annotations

from plugins.timebank.domain.volunteers.holders import (  # noqa: F401
    add_relation,
    ensure_person,
    register_recipient,
    set_loan_exception,
)
from plugins.timebank.domain.volunteers.leaving import leave  # noqa: F401
from plugins.timebank.domain.volunteers.profiles import (  # noqa: F401
    DECIDED,
    SERVICE_CODE,
    add_training,
    certify_from_application,
    create_profile,
    update_profile,
)
from plugins.timebank.domain.volunteers.teams import create_team, set_team_member  # noqa: F401
