"""commitment cases: finding → order to correct → re-inspection → consequence

Revision ID: business_license_0008
Revises: business_license_0007
Create Date: 2026-12-04 13:00:00

A commitment found not met on site is no longer revoked at once: the State Council guidance
on 告知承诺 (LAW.md) orders correction within a period first, and revokes only when not
corrected or when the commitment was false. Each case keeps its finding, deadline,
re-inspection and the letters of every step. Tasks gain the statuses ``rectifying`` and
``corrected`` (the column is a plain string; no change there).
"""
import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = 'business_license_0008'
down_revision = 'business_license_0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bl_commitment_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('finding', sa.String(length=16), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('found_by_id', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reinspected_on', sa.Date(), nullable=True),
    sa.Column('reinspected_by_id', sa.Integer(), nullable=True),
    sa.Column('reinspection_note', sa.Text(), nullable=False),
    sa.Column('order_document_id', sa.Integer(), nullable=True),
    sa.Column('reinspection_document_id', sa.Integer(), nullable=True),
    sa.Column('decision_document_id', sa.Integer(), nullable=True),
    sa.Column('credit_record_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['bl_registered_businesses.id'], name=op.f('fk_bl_commitment_cases_business_id_bl_registered_businesses')),
    sa.ForeignKeyConstraint(['credit_record_id'], ['credit_records.id'], name=op.f('fk_bl_commitment_cases_credit_record_id_credit_records')),
    sa.ForeignKeyConstraint(['decision_document_id'], ['documents.id'], name=op.f('fk_bl_commitment_cases_decision_document_id_documents')),
    sa.ForeignKeyConstraint(['found_by_id'], ['users.id'], name=op.f('fk_bl_commitment_cases_found_by_id_users')),
    sa.ForeignKeyConstraint(['order_document_id'], ['documents.id'], name=op.f('fk_bl_commitment_cases_order_document_id_documents')),
    sa.ForeignKeyConstraint(['reinspected_by_id'], ['users.id'], name=op.f('fk_bl_commitment_cases_reinspected_by_id_users')),
    sa.ForeignKeyConstraint(['reinspection_document_id'], ['documents.id'], name=op.f('fk_bl_commitment_cases_reinspection_document_id_documents')),
    sa.ForeignKeyConstraint(['task_id'], ['bl_inspection_tasks.id'], name=op.f('fk_bl_commitment_cases_task_id_bl_inspection_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bl_commitment_cases')),
    sa.UniqueConstraint('task_id', name=op.f('uq_bl_commitment_cases_task_id'))
    )
    with op.batch_alter_table('bl_commitment_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bl_commitment_cases_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bl_commitment_cases_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bl_commitment_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bl_commitment_cases_status'))
        batch_op.drop_index(batch_op.f('ix_bl_commitment_cases_business_id'))
    op.drop_table('bl_commitment_cases')
