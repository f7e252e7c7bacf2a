"""legal clock per application: the clock rule snapshot and the deemed outcome

Revision ID: core_0007
Revises: core_0006
Create Date: 2026-12-03 13:20:00

``clock_rule`` stays NULL for existing rows here: the core does not know the services. Each
plugin's own branch fills in its services' rules (``<plugin>_0003_legal_clock``); rows of a
service without such a migration keep running on that service's current declaration.
"""
import sqlalchemy as sa
from alembic import op


revision = 'core_0007'
down_revision = 'core_0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_rule', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('deemed', sa.String(length=16), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('deemed')
        batch_op.drop_column('clock_rule')
