"""Sensitive fields of applications' form data and courier addresses encrypted (issue 18)

Revision ID: core_0015
Revises: core_0014
Create Date: 2026-12-11 11:00:00

The application page masked the applicant's ID in its header but printed the form in full,
and the form data sat in the database in plaintext: operators' and record subjects' ID
numbers, phones, legal-aid household incomes and case facts. Form data stays a JSON object
(plugins query ``form_data["category"]``), but the values of sensitive fields — those named
``*id_number`` / ``*phone`` and those services list in ``ServiceDef.sensitive_fields`` —
are stored as SM4-GCM ciphertext, listed under ``"_sealed"`` (:mod:`core.platform.crypto.
sealed`). A courier address's recipient, phone and address likewise. In batches of 1,000
by id, in the migration's one transaction; rows already sealed are left alone.

Downgrade opens every sealed value back into plaintext (the key is needed).
"""
import sqlalchemy as sa
from alembic import op

from core.platform.crypto.columns import ring_of
from core.platform.crypto.sealed import MARK, open_values, seal

revision = 'core_0015'
down_revision = 'core_0014'
branch_labels = None
depends_on = None

BATCH = 1000
COURIER_EXTRA = frozenset({"recipient", "address"})
APPS = sa.table('applications', sa.column('id', sa.Integer), sa.column('form_data', sa.JSON),
                sa.column('courier_address', sa.JSON))
SET = (APPS.update().where(APPS.c.id == sa.bindparam('where_id'))
       .values(form_data=sa.bindparam('p_form'), courier_address=sa.bindparam('p_courier')))


def _batches(conn):
    last = 0
    while True:
        rows = conn.execute(sa.select(APPS.c.id, APPS.c.form_data, APPS.c.courier_address)
                            .where(APPS.c.id > last).order_by(APPS.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rewrite(change) -> None:
    conn = op.get_bind()
    ring = ring_of(conn)
    for rows in _batches(conn):
        updates = []
        for row_id, form, courier in rows:
            new_form, new_courier = change(ring, form, 'applications.form_data'), \
                change(ring, courier, 'applications.courier_address', COURIER_EXTRA)
            if new_form != form or new_courier != courier:
                updates.append({'where_id': row_id, 'p_form': new_form, 'p_courier': new_courier})
        if updates:
            conn.execute(SET, updates)


def _seal(ring, document, label, extra=frozenset()):
    return seal(ring, document, label, extra) if isinstance(document, dict) and document else document


def _open(ring, document, label, _extra=frozenset()):
    if not isinstance(document, dict) or MARK not in document:
        return document
    opened = open_values(ring, document, label)
    for value in opened.values():
        if hasattr(value, 'error'):   # Unreadable: refuse rather than write garbage back
            raise value.error
    return opened


def upgrade() -> None:
    _rewrite(_seal)


def downgrade() -> None:
    _rewrite(_open)
