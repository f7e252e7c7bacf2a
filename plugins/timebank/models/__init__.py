"""Time-bank tables (all prefixed ``tb_``).

People and teams are *holders*; each holder has four accounts (service 70%, goods 20%,
cash 10%, loan) and each community has its own system accounts (hours issued, redeemed,
supermarket, cash paid, donation pool, escrow for reserved hours, interbank clearing).
The ledger is double-entry in whole minutes: a *journal* is one business operation, its
*movements* sum to zero, and neither is ever updated or deleted (database triggers refuse
it); a correction is a reversing journal. ``tb_accounts.balance`` is a cache of the sum of
the account's movements, kept under the account's row lock and checked by
:func:`plugins.timebank.domain.ledger.verify`.

The tables live by subject: :mod:`.people` (holders, volunteers, teams, relations),
:mod:`.ledger` (accounts, journals, movements), :mod:`.requests` (requests, offers, kinds of
service), :mod:`.withdrawals` (goods, exchanges, cash payouts, loans) and :mod:`.issued`
(star awards, statements, monthly reports); importing this package registers them all.
"""
from __future__ import annotations

from plugins.timebank.models.issued import MonthlyReport, StarAward, Statement  # noqa: F401
from plugins.timebank.models.ledger import Account, Journal, Movement  # noqa: F401
from plugins.timebank.models.people import (  # noqa: F401
    Holder,
    Relation,
    Team,
    TeamMember,
    Training,
    Volunteer,
)
from plugins.timebank.models.requests import Offer, ServiceKind, ServiceRequest  # noqa: F401
from plugins.timebank.models.withdrawals import CashPayout, Exchange, Goods, Loan  # noqa: F401
