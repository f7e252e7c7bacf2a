"""The legal-aid centre's pages: cases, one case with its actions, statistics, roster, standards.

Every page needs a signed-in staff member with a legal-aid role (see :mod:`.access`); every
form carries a CSRF token (Flask-WTF); actions call the plugin's service functions, which
check roles again, validate and audit. Errors come back as a flashed Chinese message and
nothing is changed.

All pages are on the one blueprint of :mod:`.blueprint`; the forms are in :mod:`.forms`; the
routes by subject in :mod:`.casework`, :mod:`.objections`, :mod:`.statistics`, :mod:`.roster` and
:mod:`.standards`. Importing this package registers every route on ``bp``.
"""
from __future__ import annotations

from plugins.legal_aid.views.blueprint import (  # noqa: F401
    _back,
    _form_errors,
    bp,
    fail,
    me,
    need,
    quanke,
)
from plugins.legal_aid.views.casework import (  # noqa: F401
    assign,
    case,
    cases,
    decide,
    terminate,
    urgent,
)
from plugins.legal_aid.views.forms import (  # noqa: F401
    ActiveForm,
    AssignForm,
    CitizenObjectionForm,
    ConflictForm,
    CorrectionForm,
    DecideForm,
    LawyerForm,
    ObjectionDecisionForm,
    ObjectionForm,
    StandardsForm,
    TerminateForm,
    UrgentForm,
)
from plugins.legal_aid.views.objections import (  # noqa: F401
    correct,
    decide_objection,
    lodge_objection,
    my_objection,
)
from plugins.legal_aid.views.roster import add_conflict, add_lawyer, lawyers, set_active  # noqa: F401
from plugins.legal_aid.views.standards import standards_page  # noqa: F401
from plugins.legal_aid.views.statistics import stats  # noqa: F401
