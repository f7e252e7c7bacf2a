"""The core's tables: centres, departments, staff, citizens, applicants, applications,
materials, decisions, check evidence, clock pauses, documents, deliveries, outbox.

Audit events live in :mod:`core.platform.audit`, credit records in :mod:`core.credit`; plugins add
their own tables on :class:`core.platform.db.Base`.

Every model is imported from here (Alembic's env and the rest of the core rely on it: importing
this package registers every core table on ``Base.metadata``). The modules: ``enums`` (roles,
states, levels, material statuses), ``organisation`` (departments, centres, staff, calendar),
``applications`` (applicants, applications and what they gather), ``enquiries`` (counter
enquiries) and ``results`` (documents, deliveries, outbox).
"""
import core.platform.crypto.registry  # noqa: F401 - crypto_keys, with the rest of the core's tables
from core.platform.models.applications import (
    Applicant,
    Application,
    CheckEvidence,
    Citizen,
    ClockPause,
    Decision,
    Material,
    ReceiptSequence,
)
from core.platform.models.enums import (
    DEPARTMENT_ROLES,
    FINAL_STATES,
    ROLE_LABELS,
    STATE_LABELS,
    CentreLevel,
    MaterialStatus,
    Role,
    State,
)
from core.platform.models.enquiries import Enquiry
from core.platform.models.organisation import (
    CalendarDay,
    Centre,
    CentreService,
    Department,
    RoleGrant,
    User,
)
from core.platform.models.results import Delivery, Document, OutboxMessage

__all__ = ["Applicant", "Application", "CalendarDay", "Centre", "CentreLevel", "CentreService",
           "CheckEvidence", "Citizen", "ClockPause", "DEPARTMENT_ROLES", "Decision", "Delivery",
           "Department", "Document", "Enquiry", "FINAL_STATES", "Material", "MaterialStatus", "OutboxMessage",
           "ROLE_LABELS", "ReceiptSequence", "Role", "RoleGrant", "STATE_LABELS", "State", "User"]
