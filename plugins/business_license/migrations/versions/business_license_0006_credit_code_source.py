"""where each credit code came from (credit_code_provider)

Revision ID: business_license_0006
Revises: business_license_0005
Create Date: 2026-12-04 11:00:00

Unified social credit codes are assigned by the national code system (GB 32100-2015); the
``credit_code_provider`` hook names who gave each code and whether it was the demo/offline
generator. Every code in the register before this revision was made by the plugin's local
generator, so those rows are marked as demo codes. The unique constraint on ``credit_code``
exists since business_license_0001 (uq_bl_registered_businesses_credit_code).
"""
import sqlalchemy as sa
from alembic import op

revision = 'business_license_0006'
down_revision = 'business_license_0005'
branch_labels = None
depends_on = None

LOCAL = "本地演示赋码（离线）"


def upgrade() -> None:
    with op.batch_alter_table('bl_registered_businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_code_source', sa.String(length=32), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('credit_code_demo', sa.Boolean(), nullable=False,
                                      server_default=sa.text('false')))
    op.execute(sa.text("UPDATE bl_registered_businesses SET credit_code_source = :local, "
                       "credit_code_demo = true WHERE credit_code IS NOT NULL").bindparams(local=LOCAL))


def downgrade() -> None:
    with op.batch_alter_table('bl_registered_businesses', schema=None) as batch_op:
        batch_op.drop_column('credit_code_demo')
        batch_op.drop_column('credit_code_source')
