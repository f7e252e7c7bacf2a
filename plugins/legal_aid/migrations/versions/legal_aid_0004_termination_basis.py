"""termination basis: Art. 48(1)(8) "法律法规规定的其他情形" names the law or regulation relied on

Revision ID: legal_aid_0004
Revises: legal_aid_0003
Create Date: 2026-12-10 10:00:00

Existing terminations used items 1–7, which name their situation themselves: they get "".
"""
import sqlalchemy as sa
from alembic import op

revision = 'legal_aid_0004'
down_revision = 'legal_aid_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('la_terminations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=200), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('la_terminations', schema=None) as batch_op:
        batch_op.drop_column('basis')
