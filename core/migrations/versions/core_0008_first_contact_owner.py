"""首问负责制: an owner on every application, and counter enquiries

Revision ID: core_0008
Revises: core_0007
Create Date: 2026-12-03 14:05:00

Existing applications get their owner from who first received them: the worker who filed
them at a counter, else the worker who accepted them; online applications nobody has handled
yet stay without an owner until a counter takes them up.
"""
import sqlalchemy as sa
from alembic import op

from core.platform.db import UTCDateTime

revision = 'core_0008'
down_revision = 'core_0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('owner_department', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_applications_owner_id', ['owner_id'], unique=False)
        batch_op.create_foreign_key('fk_applications_owner_id_users', 'users', ['owner_id'], ['id'])
    op.execute("UPDATE applications SET owner_id = COALESCE(filed_by_id, accepted_by_id) "
               "WHERE owner_id IS NULL")
    op.create_table(
        'enquiries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=True),
        sa.Column('received_by_id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('owner_department', sa.String(length=64), nullable=True),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('service_code', sa.String(length=96), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('handover_note', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('answered_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['centre_id'], ['centres.id']),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id']),
        sa.ForeignKeyConstraint(['received_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_enquiries_received_by', 'enquiries', ['received_by_id', 'created_at'])
    op.create_index('ix_enquiries_owner', 'enquiries', ['owner_id', 'state'])


def downgrade() -> None:
    op.drop_index('ix_enquiries_owner', table_name='enquiries')
    op.drop_index('ix_enquiries_received_by', table_name='enquiries')
    op.drop_table('enquiries')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_applications_owner_id_users', type_='foreignkey')
        batch_op.drop_index('ix_applications_owner_id')
        batch_op.drop_column('owner_department')
        batch_op.drop_column('owner_id')
