"""audit events are appended unsealed and chained by the sealer (seq/hashes nullable)

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-23 14:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0004'
down_revision = 'core_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    # core.platform.audit.AuditEvent: the sealer's work list (only unsealed rows are in it)
    op.create_index('ix_audit_events_unsealed', 'audit_events', ['id'], unique=False,
                    postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'))


def downgrade() -> None:
    # Run `quanke audit verify --seal` first: unsealed events cannot be made NOT NULL.
    op.drop_index('ix_audit_events_unsealed', table_name='audit_events')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
