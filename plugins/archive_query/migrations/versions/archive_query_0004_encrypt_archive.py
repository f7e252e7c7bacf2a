"""archive persons' ID numbers and record contents encrypted at rest (issue 18)

Revision ID: archive_query_0004
Revises: archive_query_0003
Create Date: 2026-12-11 10:00:00

Marriage, family-planning and personnel archives are sensitive personal information (PIPL
Art. 28); Art. 51 asks for encryption. Encrypted in place (SM4-GCM, batches, the migration's
one transaction):

* ``aq_record_persons.id_number`` — the look-up by ID goes through the new blind index
  ``id_number_index`` (HMAC-SM3), indexed as the plain column was (one index scan);
* ``aq_archive_records.fields`` — the record's contents, one ciphertext;
* ``aq_access_log.subject_id_number`` — the citizen's "who looked at my records" goes through
  ``subject_id_number_index`` (the ``(subject, at)`` index now on the blind index);
* ``aq_query_results.subject_id_number`` and ``records`` (what a result froze).

Downgrade decrypts everything back (the key is needed).
"""
import sqlalchemy as sa
from alembic import op

from core.api import decrypt_rows, encrypt_rows

revision = 'archive_query_0004'
down_revision = 'archive_query_0003'
branch_labels = None
depends_on = 'core_0014'

#: table → {column: its former type}
TEXT = {
    'aq_record_persons': {'id_number': sa.String(18)},
    'aq_access_log': {'subject_id_number': sa.String(18)},
    'aq_query_results': {'subject_id_number': sa.String(18), 'records': sa.JSON()},
}
INDEXES = {'aq_record_persons': {'id_number_index': ('id_number', 'id_number')},
           'aq_access_log': {'subject_id_number_index': ('subject_id_number', 'id_number')}}


def _labels(table: str, names) -> dict[str, str]:
    return {name: f"{table}.{name}" for name in names}


def _using(name: str, old) -> dict:
    return {'postgresql_using': f'{name}::text'} if isinstance(old, sa.JSON) else {}


def upgrade() -> None:
    conn = op.get_bind()
    # (A batch rebuild of this parent table on SQLite keeps its children: env.py turns foreign
    # keys off around migrations.)
    with op.batch_alter_table('aq_archive_records', schema=None) as batch_op:
        batch_op.alter_column('fields', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                              postgresql_using='fields::text')
    encrypt_rows(conn, 'aq_archive_records', columns=_labels('aq_archive_records', ['fields']), batch=500)
    with op.batch_alter_table('aq_record_persons', schema=None) as batch_op:
        batch_op.drop_index('ix_aq_record_persons_id_number')
        batch_op.add_column(sa.Column('id_number_index', sa.String(length=32), nullable=True))
    with op.batch_alter_table('aq_access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_aq_access_log_subject_at')
        batch_op.add_column(sa.Column('subject_id_number_index', sa.String(length=32), nullable=True))
    for table, columns in TEXT.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, old in columns.items():
                batch_op.alter_column(name, existing_type=old, type_=sa.Text(), existing_nullable=False,
                                      **_using(name, old))
        encrypt_rows(conn, table, columns=_labels(table, columns), indexes=INDEXES.get(table))
    op.create_index('ix_aq_record_persons_id_number_index', 'aq_record_persons', ['id_number_index'],
                    unique=False)
    op.create_index('ix_aq_access_log_subject_at', 'aq_access_log', ['subject_id_number_index', 'at'],
                    unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_index('ix_aq_access_log_subject_at', table_name='aq_access_log')
    op.drop_index('ix_aq_record_persons_id_number_index', table_name='aq_record_persons')
    for table, columns in TEXT.items():
        decrypt_rows(conn, table, columns=_labels(table, columns))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, old in columns.items():
                using = {'postgresql_using': f'{name}::json'} if isinstance(old, sa.JSON) else {}
                batch_op.alter_column(name, existing_type=sa.Text(), type_=old, existing_nullable=False,
                                      **using)
    with op.batch_alter_table('aq_access_log', schema=None) as batch_op:
        batch_op.drop_column('subject_id_number_index')
        batch_op.create_index('ix_aq_access_log_subject_at', ['subject_id_number', 'at'], unique=False)
    with op.batch_alter_table('aq_record_persons', schema=None) as batch_op:
        batch_op.drop_column('id_number_index')
        batch_op.create_index('ix_aq_record_persons_id_number', ['id_number'], unique=False)
    decrypt_rows(conn, 'aq_archive_records', columns=_labels('aq_archive_records', ['fields']), batch=500)
    with op.batch_alter_table('aq_archive_records', schema=None) as batch_op:
        batch_op.alter_column('fields', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                              postgresql_using='fields::json')
