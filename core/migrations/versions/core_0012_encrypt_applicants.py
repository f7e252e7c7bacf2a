"""Applicants' and citizens' ID numbers and phones encrypted at rest (issue 18)

Revision ID: core_0012
Revises: core_0011
Create Date: 2026-12-10 10:00:00

PIPL Art. 28 counts resident ID numbers as sensitive personal information and Art. 51 asks
for encryption; GB/T 39786 expects national algorithms. Existing rows are encrypted in place
with SM4-GCM (the deployment's active key), in batches of 1,000, inside the migration's single
transaction; blind indexes (HMAC-SM3) take over the look-ups and the unique constraints:
``applicants (id_number_index, kind)`` and ``citizens.phone_index``. SMS codes keep only the
phone's blind index. Needs the data keys (``quanke keys check``) — on a fresh development
instance they are generated first.

Downgrade decrypts everything back (the key is needed); SMS codes cannot be turned back into
phone numbers and are deleted (they live five minutes; people ask for a new one).
"""
import sqlalchemy as sa
from alembic import op

from core.platform.crypto.migration import decrypt_rows, encrypt_rows, hash_rows

revision = 'core_0012'
down_revision = 'core_0011'
branch_labels = None
depends_on = None

APPLICANT_LABELS = {"id_number": "applicants.id_number", "phone": "applicants.phone"}
CITIZEN_LABELS = {"phone": "citizens.phone"}


def upgrade() -> None:
    conn = op.get_bind()
    # Wide enough for ciphertext first (PostgreSQL enforces varchar lengths), then the data.
    with op.batch_alter_table('applicants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_index', sa.String(length=32), nullable=True))
        batch_op.alter_column('id_number', existing_type=sa.String(length=32), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(),
                              existing_nullable=False)
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_index', sa.String(length=32), nullable=True))
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(),
                              existing_nullable=False)
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.String(length=32),
                              existing_nullable=False)
    encrypt_rows(conn, 'applicants', columns=APPLICANT_LABELS,
                 indexes={'id_number_index': ('id_number', 'id_number')})
    encrypt_rows(conn, 'citizens', columns=CITIZEN_LABELS, indexes={'phone_index': ('phone', 'phone')})
    hash_rows(conn, 'sms_codes', 'phone', 'phone')
    with op.batch_alter_table('applicants', schema=None) as batch_op:
        batch_op.drop_constraint('uq_applicants_kind_id_number', type_='unique')
        batch_op.create_unique_constraint('uq_applicants_id_number_index_kind', ['id_number_index', 'kind'])
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_constraint('uq_citizens_phone', type_='unique')
        batch_op.create_unique_constraint('uq_citizens_phone_index', ['phone_index'])


def downgrade() -> None:
    conn = op.get_bind()
    decrypt_rows(conn, 'applicants', columns=APPLICANT_LABELS)
    decrypt_rows(conn, 'citizens', columns=CITIZEN_LABELS)
    op.execute("DELETE FROM sms_codes")
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=32), type_=sa.String(length=20),
                              existing_nullable=False)
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_constraint('uq_citizens_phone_index', type_='unique')
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.create_unique_constraint('uq_citizens_phone', ['phone'])
        batch_op.drop_column('phone_index')
    with op.batch_alter_table('applicants', schema=None) as batch_op:
        batch_op.drop_constraint('uq_applicants_id_number_index_kind', type_='unique')
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.alter_column('id_number', existing_type=sa.Text(), type_=sa.String(length=32),
                              existing_nullable=False)
        batch_op.create_unique_constraint('uq_applicants_kind_id_number', ['kind', 'id_number'])
        batch_op.drop_column('id_number_index')
