"""The double-entry ledger: every balance change of the time bank goes through :func:`post`.

Rules kept here, for every caller:

* amounts are whole minutes (``int``, never ``bool``/``float``); a journal's lines sum to 0;
* the accounts a journal touches are locked ``SELECT … FOR UPDATE`` in ascending id order
  (one global order, so two journals never wait on each other in a cycle), their new
  balances checked against the floors, then journal, movements and cached balances are
  written and the operation is audited — all in the caller's transaction;
* a holder's service/goods/cash accounts, a community's donation pool and escrow never go
  below zero; a loan account only goes down in a ``loan`` journal (or the reversal of a
  repayment) and never below the configured loan limit;
* journals and movements are immutable; :func:`reverse` posts the exact opposite once.

By part: :mod:`.kinds` (kinds, labels, bucket rules, keys), :mod:`.minutes` (formatting,
parsing, the 721 split), :mod:`.accounts` (opening, balances, locking), :mod:`.posting`
(post, transfer, reverse) and :mod:`.invariants` (verify).
"""
from __future__ import annotations

from plugins.timebank.domain.ledger.accounts import (  # noqa: F401
    balances,
    community_accounts,
    holder_accounts,
    lock_balances,
    open_holder_accounts,
)
from plugins.timebank.domain.ledger.invariants import verify  # noqa: F401
from plugins.timebank.domain.ledger.kinds import (  # noqa: F401
    ACCOUNT_LABELS,
    BUCKETS,
    COMMUNITY_KINDS,
    HOLDER_DEBITS,
    HOLDER_KINDS,
    JOURNAL_LABELS,
    NON_NEGATIVE,
    community_key,
    holder_key,
)
from plugins.timebank.domain.ledger.minutes import (  # noqa: F401
    fmt_minutes,
    parse_minutes,
    require_minutes,
    split_721,
)
from plugins.timebank.domain.ledger.posting import (  # noqa: F401
    Posted,
    journal_lines,
    post,
    reverse,
    transfer,
)
