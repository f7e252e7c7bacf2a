"""Audit events: the person concerned encrypted, and SM3 links (issue 18)

Revision ID: core_0013
Revises: core_0012
Create Date: 2026-12-10 11:00:00

``audit_events.subject`` held every applicant's ID number in plaintext; it is encrypted in
place (SM4-GCM) with a blind index (HMAC-SM3) for the auditor's "events about this person"
and the lock-out counter. The chain's hashes were computed over the plaintext and are still
checked against it, so no sealed hash changes. New seals use SM3 (GB/T 32905) and record it
in ``algorithm``; events sealed before this revision keep NULL there and verify as SHA-256.
Downgrade decrypts the subjects; events sealed with SM3 then no longer verify (the 0.2 code
knew only SHA-256), so downgrading is for a database restored elsewhere, not for use.
"""
import sqlalchemy as sa
from alembic import op

from core.platform.crypto.migration import decrypt_rows, encrypt_rows

revision = 'core_0013'
down_revision = 'core_0012'
branch_labels = None
depends_on = None

LABELS = {"subject": "audit_events.subject"}


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')
        batch_op.alter_column('subject', existing_type=sa.String(length=64), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('subject_index', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('algorithm', sa.String(length=8), nullable=True))
    encrypt_rows(conn, 'audit_events', columns=LABELS, indexes={'subject_index': ('subject', 'id_number')},
                 batch=5000)
    op.create_index('ix_audit_events_subject_index', 'audit_events', ['subject_index'], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_index('ix_audit_events_subject_index', table_name='audit_events')
    decrypt_rows(conn, 'audit_events', columns=LABELS, batch=5000)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('algorithm')
        batch_op.drop_column('subject_index')
        batch_op.alter_column('subject', existing_type=sa.Text(), type_=sa.String(length=64),
                              existing_nullable=False)
        batch_op.create_index('ix_audit_events_subject', ['subject'], unique=False)
