"""residence: certificate register

Revision ID: residence_0001
Revises:
Create Date: 2026-11-23 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'residence_0001'
down_revision = None
branch_labels = ('residence',)
depends_on = 'core_0001'


def upgrade() -> None:
    op.create_table('residence_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_no', sa.String(length=32), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('community', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residence_records')),
    sa.UniqueConstraint('application_no', name=op.f('uq_residence_records_application_no'))
    )
    with op.batch_alter_table('residence_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residence_records_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_residence_records_community'), ['community'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('residence_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residence_records_community'))
        batch_op.drop_index(batch_op.f('ix_residence_records_applicant_id'))
    op.drop_table('residence_records')
