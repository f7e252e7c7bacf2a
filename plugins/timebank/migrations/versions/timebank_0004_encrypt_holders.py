"""holders' ID numbers (audit subjects) and home addresses encrypted at rest (issue 18)

Revision ID: timebank_0004
Revises: timebank_0003
Create Date: 2026-12-11 10:00:00

A time-bank member's ID number and phone live in ``applicants`` (encrypted by core_0012);
``tb_holders`` kept a copy of the ID number as the audit subject and the home address of
people who often live alone. Both are encrypted in place (SM4-GCM, batches of 1,000, the
migration's one transaction); nothing looks holders up by them (look-ups by ID or phone go
through the applicants' blind indexes). Downgrade decrypts them back (the key is needed).
"""
import sqlalchemy as sa
from alembic import op

from core.api import decrypt_rows, encrypt_rows

revision = 'timebank_0004'
down_revision = 'timebank_0003'
branch_labels = None
depends_on = 'core_0014'

COLUMNS = {'subject': sa.String(64), 'address': sa.String(256)}
LABELS = {name: f"tb_holders.{name}" for name in COLUMNS}


def upgrade() -> None:
    with op.batch_alter_table('tb_holders', schema=None) as batch_op:
        for name, old in COLUMNS.items():
            batch_op.alter_column(name, existing_type=old, type_=sa.Text(), existing_nullable=False)
    encrypt_rows(op.get_bind(), 'tb_holders', columns=LABELS)


def downgrade() -> None:
    decrypt_rows(op.get_bind(), 'tb_holders', columns=LABELS)
    with op.batch_alter_table('tb_holders', schema=None) as batch_op:
        for name, old in COLUMNS.items():
            batch_op.alter_column(name, existing_type=sa.Text(), type_=old, existing_nullable=False)
