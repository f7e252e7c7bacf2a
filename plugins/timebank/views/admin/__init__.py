"""Community administrator and social-worker pages (``/timebank/admin``): requests and
matching, confirmation and follow-up, people and accounts, supermarket, cash settlement,
teams, 通存通兑, monthly reports, the kinds of service and the star rating.

Each module registers its routes on the one blueprint of :mod:`plugins.timebank.views.blueprint`;
importing this package registers them all."""
from __future__ import annotations

from plugins.timebank.views.admin.home import (  # noqa: F401 - registers the routes
    admin_home,
    admin_kinds,
    admin_ledger,
)
from plugins.timebank.views.admin.people import (  # noqa: F401 - registers the routes
    admin_deposit,
    admin_donate,
    admin_grant,
    admin_holder,
    admin_leave,
    admin_loan,
    admin_loan_exception,
    admin_people,
    admin_profile,
    admin_recipient_new,
    admin_relation,
    admin_repay,
    admin_statement,
    admin_teams,
    admin_training,
    admin_withdraw,
)
from plugins.timebank.views.admin.reports import (  # noqa: F401 - registers the routes
    admin_report_file,
    admin_reports,
    admin_star_pdf,
    admin_stars,
)
from plugins.timebank.views.admin.requests import (  # noqa: F401 - registers the routes
    admin_assign_team,
    admin_correct,
    admin_follow_up,
    admin_propose,
    admin_request,
    admin_request_new,
    admin_requests,
)
from plugins.timebank.views.admin.settlement import (  # noqa: F401 - registers the routes
    admin_cash,
    admin_interbank,
    admin_supermarket,
)
