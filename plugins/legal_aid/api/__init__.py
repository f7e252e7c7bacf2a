"""JSON API of the legal-aid centre: ``/api/v1/legal_aid/…``.

Authentication: an API token (``Authorization: Bearer …``, see ``quanke user token``) or the
signed-in staff session; a session request that changes something must carry the CSRF token
(header ``X-CSRFToken``), a token request need not. Errors are ``{"error", "message"}`` with
the right 4xx, and nothing is changed.

The one blueprint, its authentication and errors are in :mod:`.blueprint`, reading the JSON
body in :mod:`.parsing`; the endpoints by subject in :mod:`.casework`, :mod:`.objections`,
:mod:`.statistics`, :mod:`.roster` and :mod:`.standards`. Importing this package registers
every endpoint on ``bp``.
"""
from __future__ import annotations

from plugins.legal_aid.api.blueprint import (  # noqa: F401
    MAX_PER_PAGE,
    _authenticate,
    _error,
    _no_global_csrf,
    _quanke_error,
    bp,
    me,
    need,
    quanke,
)
from plugins.legal_aid.api.casework import (  # noqa: F401
    _case,
    assign,
    decide,
    get_case,
    list_cases,
    reassign,
    terminate,
    urgent,
)
from plugins.legal_aid.api.objections import correct, decide_objection, lodge  # noqa: F401
from plugins.legal_aid.api.parsing import body, day, flag, integer, text  # noqa: F401
from plugins.legal_aid.api.roster import _lawyer, add_conflict, add_lawyer, lawyers  # noqa: F401
from plugins.legal_aid.api.standards import list_standards, load_standards  # noqa: F401
from plugins.legal_aid.api.statistics import stats  # noqa: F401
