"""operator's residence (经营者住所) in the register

Revision ID: business_license_0005
Revises: business_license_0004
Create Date: 2026-12-04 10:00:00

The residence of the operator is a registration item of a 个体工商户 (市场主体登记管理条例第八条).
Businesses registered before the form asked for it keep an empty value; their licence and
register page say "未登记" rather than invent one.
"""
import sqlalchemy as sa
from alembic import op

revision = 'business_license_0005'
down_revision = 'business_license_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bl_registered_businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operator_residence', sa.String(length=200), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('bl_registered_businesses', schema=None) as batch_op:
        batch_op.drop_column('operator_residence')
