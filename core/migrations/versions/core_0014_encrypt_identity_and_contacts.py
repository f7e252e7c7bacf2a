"""Face data, delivery recipients' IDs, notification recipients and staff phones encrypted (issue 18)

Revision ID: core_0014
Revises: core_0013
Create Date: 2026-12-10 12:00:00

PIPL Art. 28 names biometrics and ID numbers as sensitive personal information; Art. 51 asks
for encryption. Encrypted in place (SM4-GCM, in batches, in the migration's one transaction):

* ``identity_references``: the ID number (with a blind index for the look-up at verification),
  the 128-d face encoding and the reference photo;
* ``identity_face_checks.id_number``, ``identity_face_frames.data`` (selfies while a check runs),
  ``identity_signatures.pdf`` (the signed commitment, with name and ID number);
* ``deliveries.recipient_id_number``, ``outbox.recipient`` (phone numbers), ``users.phone``.

Downgrade decrypts everything back (the key is needed).
"""
import sqlalchemy as sa
from alembic import op

from core.platform.crypto.migration import decrypt_rows, encrypt_rows

revision = 'core_0014'
down_revision = 'core_0013'
branch_labels = None
depends_on = None

#: table → (text columns and their former type, binary columns, rows per batch)
TABLES = {
    'identity_references': ({'id_number': sa.String(32)}, ('encoding', 'photo'), 100),
    'identity_face_checks': ({'id_number': sa.String(32)}, (), 1000),
    'identity_face_frames': ({}, ('data',), 100),
    'identity_signatures': ({}, ('pdf',), 100),
    'deliveries': ({'recipient_id_number': sa.String(32)}, (), 1000),
    'outbox': ({'recipient': sa.String(96)}, (), 1000),
    'users': ({'phone': sa.String(20)}, (), 1000),
}


def _labels(table: str, text_columns, binary) -> dict[str, str]:
    return {name: f"{table}.{name}" for name in [*text_columns, *binary]}


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('identity_references', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_references_id_number')
        batch_op.add_column(sa.Column('id_number_index', sa.String(length=32), nullable=True))
    for table, (text_columns, binary, batch) in TABLES.items():
        if text_columns:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, old in text_columns.items():
                    batch_op.alter_column(name, existing_type=old, type_=sa.Text(), existing_nullable=False)
        indexes = {'id_number_index': ('id_number', 'id_number')} if table == 'identity_references' else None
        encrypt_rows(conn, table, columns=_labels(table, text_columns, binary), indexes=indexes,
                     binary=frozenset(binary), batch=batch)
    op.create_index('ix_identity_references_id_number_index', 'identity_references', ['id_number_index'],
                    unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_index('ix_identity_references_id_number_index', table_name='identity_references')
    for table, (text_columns, binary, batch) in TABLES.items():
        decrypt_rows(conn, table, columns=_labels(table, text_columns, binary), binary=frozenset(binary),
                     batch=batch)
        if text_columns:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, old in text_columns.items():
                    batch_op.alter_column(name, existing_type=sa.Text(), type_=old, existing_nullable=False)
    with op.batch_alter_table('identity_references', schema=None) as batch_op:
        batch_op.drop_column('id_number_index')
        batch_op.create_index('ix_identity_references_id_number', ['id_number'], unique=False)
