"""session versions: server-side invalidation of signed-in sessions

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-12-03 12:10:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'core_0006'
down_revision = 'core_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('users', 'citizens'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    for table in ('citizens', 'users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('session_version')
