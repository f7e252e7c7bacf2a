"""Which communities the signed-in staff member manages, and narrowing a query to them."""
from __future__ import annotations

from plugins.timebank.domain import access
from plugins.timebank.domain.settings import settings
from plugins.timebank.views.blueprint import me, quanke


def _scope(session):
    """Communities the signed-in staff member manages (None = all); social workers see all."""
    rules = settings(quanke())
    if access.is_admin(me()):
        return access.admin_communities(session, me(), rules)
    return None


def _in_scope(stmt, column, scope):
    return stmt if scope is None else stmt.where(column.in_(sorted(scope)))

