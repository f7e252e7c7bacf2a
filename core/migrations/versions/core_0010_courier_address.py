"""courier address: where the result goes when the applicant chose 邮寄送达

Revision ID: core_0010
Revises: core_0009
Create Date: 2026-12-04 10:00:00

Applications filed before it keep NULL: they may have chosen courier without an address,
and a courier delivery of one is still recorded (with the tracking number) as before.
"""
import sqlalchemy as sa
from alembic import op

revision = 'core_0010'
down_revision = 'core_0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('courier_address', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('courier_address')
