"""Pages of the time bank, all on one blueprint (:mod:`.blueprint`, with the helpers every
page uses): the portal view for volunteers and recipients (``/timebank/me``, :mod:`.portal`),
request actions shared by the portal and the staff (:mod:`.request_actions`), the public
check of statements and star certificates (:mod:`.public`) and the administrator pages
(:mod:`.admin`). Importing this package registers every route on ``bp``.

Views only parse input and call the operations (which check roles themselves); an error
is flashed in Chinese and nothing changes. Forms carry the CSRF token (Flask-WTF's
CSRFProtect is active app-wide).
"""
from __future__ import annotations

from plugins.timebank.views import admin as admin_views  # noqa: F401 - registers the administrator pages on bp
from plugins.timebank.views.blueprint import (  # noqa: F401 - the blueprint and the helpers of every page
    _statement,
    attempt,
    back,
    bp,
    citizen_required,
    form_date,
    form_int,
    form_window,
    kinds_by_category,
    me,
    quanke,
    recent_movements,
    render,
    staff_required,
)
from plugins.timebank.views.portal import (  # noqa: F401 - registers the portal pages on bp
    my_account,
    my_availability,
    my_new_request,
    my_statement,
    my_transfer,
)
from plugins.timebank.views.public import verify  # noqa: F401 - registers the public check on bp
from plugins.timebank.views.request_actions import (  # noqa: F401 - registers the request actions on bp
    _request_page,
    accept,
    close,
    confirm,
    decline,
)
