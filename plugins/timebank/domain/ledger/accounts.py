"""Accounts: the community's system accounts and a holder's four (created on first use or
reopened), balances read without locking, and locking accounts in ascending id order."""
from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.api import NotFound, now
from plugins.timebank.domain.ledger.kinds import (
    COMMUNITY_KINDS,
    HOLDER_KINDS,
    community_key,
    holder_key,
)
from plugins.timebank.models import Account

_TABLE = Account.__table__


def _insert_ignore(session: Session, rows: list[dict]) -> None:
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(maker(_TABLE).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def _ids_for(session: Session, keys: dict[str, str]) -> dict[str, int]:
    found = dict(session.execute(select(Account.key, Account.id).where(Account.key.in_(keys.values()))).all())
    return {kind: found[key] for kind, key in keys.items() if key in found}


def community_accounts(session: Session, community: str) -> dict[str, int]:
    """The community's system accounts (created on first use), kind → account id."""
    keys = {k: community_key(community, k) for k in COMMUNITY_KINDS}
    ids = _ids_for(session, keys)
    if len(ids) < len(keys):
        _insert_ignore(session, [{"key": key, "holder_id": None, "community": community, "kind": kind,
                                  "balance": 0, "status": "open", "created_at": now()}
                                 for kind, key in keys.items() if kind not in ids])
        ids = _ids_for(session, keys)
    return ids


def open_holder_accounts(session: Session, holder_id: int, community: str) -> dict[str, int]:
    """Create (or reopen) the holder's four accounts; kind → account id."""
    keys = {k: holder_key(holder_id, k) for k in HOLDER_KINDS}
    ids = _ids_for(session, keys)
    missing = [{"key": key, "holder_id": holder_id, "community": community, "kind": kind,
                "balance": 0, "status": "open", "created_at": now()}
               for kind, key in keys.items() if kind not in ids]
    if missing:
        _insert_ignore(session, missing)
        ids = _ids_for(session, keys)
    session.execute(update(Account).where(Account.holder_id == holder_id)
                    .values(status="open", community=community))
    return ids


def holder_accounts(session: Session, holder_id: int) -> dict[str, int]:
    ids = _ids_for(session, {k: holder_key(holder_id, k) for k in HOLDER_KINDS})
    if len(ids) < len(HOLDER_KINDS):
        raise NotFound("该账户不存在或尚未开户", code="account_not_found")
    return ids


def balances(session: Session, holder_id: int) -> dict[str, int]:
    """Current balances of a holder's accounts (read without locking)."""
    rows = session.execute(select(Account.kind, Account.balance).where(Account.holder_id == holder_id)).all()
    out = {k: 0 for k in HOLDER_KINDS}
    out.update({kind: int(balance) for kind, balance in rows})
    return out


#: Built once (a transfer is a hot path): the accounts' rows, in id order.
_READ_ACCOUNTS = (select(_TABLE.c.id, _TABLE.c.balance, _TABLE.c.kind, _TABLE.c.status, _TABLE.c.key)
                  .where(_TABLE.c.id.in_(bindparam("ids", expanding=True))).order_by(_TABLE.c.id))
_LOCK_ACCOUNTS = _READ_ACCOUNTS.with_for_update()


def lock_balances(session: Session, account_ids) -> dict[int, dict]:
    """Lock accounts in ascending id order and return id → {balance, kind, status, key}."""
    ids = sorted(set(account_ids))
    postgres = session.get_bind().dialect.name == "postgresql"
    stmt = _LOCK_ACCOUNTS if postgres else _READ_ACCOUNTS  # SQLite: the write lock is held
    rows = {r.id: {"balance": int(r.balance), "kind": r.kind, "status": r.status, "key": r.key}
            for r in session.execute(stmt, {"ids": ids})}
    if len(rows) != len(ids):
        raise NotFound("账户不存在", code="account_not_found")
    return rows

