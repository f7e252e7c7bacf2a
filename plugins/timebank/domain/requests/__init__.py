"""Service requests (服务需求申请单): filing, offers, acceptance, confirmation, follow-up.

Lifecycle (own to the time bank, every step audited)::

    open ─propose/accept─► assigned ─confirm─► confirmed ─follow_up─► rated
      └──────cancel──────────┴─not_served─► cancelled / not_served

The payer's minutes are held in the community's escrow account when the request is filed
(recipient's service bucket, or the donation pool for a needy recipient), so a confirmed
service can always be paid; cancelling releases them. Confirmation is by the recipient, a
registered relative or a social worker — never by the volunteer — only after the time
window has begun, only once, and for at most the planned minutes.

By step: :mod:`.filing` (labels, window rules, filing, the escrow hold), :mod:`.offers`
(propose, accept, a team, decline) and :mod:`.outcomes` (confirm, correct, cancel or not
served, follow-up).
"""
from __future__ import annotations

from plugins.timebank.domain.requests.filing import (  # noqa: F401
    MAX_DAYS_AHEAD,
    MAX_DAYS_BACK,
    OPEN_STATES,
    PAYERS,
    STATUS_LABELS,
    create,
    validate_window,
)
from plugins.timebank.domain.requests.offers import (  # noqa: F401
    accept,
    assign_team,
    decline,
    propose,
)
from plugins.timebank.domain.requests.outcomes import (  # noqa: F401
    close_unserved,
    confirm,
    confirmer_role,
    correct_confirmation,
    follow_up,
)
