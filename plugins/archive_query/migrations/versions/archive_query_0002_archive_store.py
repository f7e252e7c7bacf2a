"""archive store: persons, access log, results, settings, imports

The first skeleton kept one person per record on the record itself; persons move to
``aq_record_persons`` (so a marriage record can name both spouses). Rows that exist are
carried over: their person becomes the record's first person, the reference is kept and
split into 全宗号/案卷号 where it has that shape.

Revision ID: archive_query_0002
Revises: archive_query_0001
Create Date: 2026-11-23 11:38:15.764914
"""
import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = 'archive_query_0002'
down_revision = 'archive_query_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('aq_bureau_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('auto_approve_self', sa.Boolean(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=True),
    sa.Column('updated_by', sa.String(length=48), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aq_bureau_settings'))
    )
    op.create_table('aq_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=48), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('bad_rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aq_imports'))
    )
    op.create_table('aq_record_persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('birth_year', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['aq_archive_records.id'], name=op.f('fk_aq_record_persons_record_id_aq_archive_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aq_record_persons')),
    sa.UniqueConstraint('record_id', 'role', name=op.f('uq_aq_record_persons_record_id_role'))
    )
    with op.batch_alter_table('aq_record_persons', schema=None) as batch_op:
        batch_op.create_index('ix_aq_record_persons_birth_name', ['birth_year', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_aq_record_persons_id_number'), ['id_number'], unique=False)

    op.create_table('aq_access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=48), nullable=False),
    sa.Column('actor_label', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=24), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('subject_id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_aq_access_log_application_id_applications')),
    sa.ForeignKeyConstraint(['record_id'], ['aq_archive_records.id'], name=op.f('fk_aq_access_log_record_id_aq_archive_records'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aq_access_log'))
    )
    with op.batch_alter_table('aq_access_log', schema=None) as batch_op:
        batch_op.create_index('ix_aq_access_log_subject_at', ['subject_id_number', 'at'], unique=False)

    op.create_table('aq_query_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('subject_id_number', sa.String(length=18), nullable=False),
    sa.Column('basis', sa.String(length=24), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.Column('taken_at', UTCDateTime(), nullable=False),
    sa.Column('taken_by', sa.String(length=48), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_aq_query_results_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aq_query_results')),
    sa.UniqueConstraint('application_id', name=op.f('uq_aq_query_results_application_id'))
    )
    # SQLite recreates aq_archive_records in batch mode, and dropping the old copy cascades
    # (foreign keys are on) into aq_record_persons: park the persons aside until it is done.
    op.execute("CREATE TABLE aq_tmp_carry AS "
               "SELECT id, person_id_number, person_name FROM aq_archive_records")
    with op.batch_alter_table('aq_archive_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fonds_no', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('file_no', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('item_no', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', UTCDateTime(), nullable=False,
                                      server_default=sa.text('CURRENT_TIMESTAMP')))
        batch_op.alter_column('reference',
               existing_type=sa.VARCHAR(length=48),
               type_=sa.String(length=100),
               existing_nullable=False)
    op.execute("UPDATE aq_archive_records SET fonds_no = reference, file_no = reference")
    with op.batch_alter_table('aq_archive_records', schema=None) as batch_op:
        for column in ('fonds_no', 'file_no', 'item_no', 'row_hash'):
            batch_op.alter_column(column, existing_type=sa.String(length=32), server_default=None)
        batch_op.alter_column('updated_at', existing_type=UTCDateTime(), server_default=None)
        batch_op.drop_index(batch_op.f('ix_aq_archive_records_category'))
        batch_op.drop_index(batch_op.f('ix_aq_archive_records_person_id_number'))
        batch_op.create_foreign_key(batch_op.f('fk_aq_archive_records_import_id_aq_imports'), 'aq_imports', ['import_id'], ['id'])
        batch_op.drop_column('person_id_number')
        batch_op.drop_column('person_name')
    # The skeleton had no importer, so normally nothing is carried over.
    op.execute("""
        INSERT INTO aq_record_persons (record_id, id_number, name, role, position, birth_year)
        SELECT id, person_id_number, person_name, 'person', 0,
               CAST(SUBSTR(person_id_number, 7, 4) AS INTEGER)
        FROM aq_tmp_carry""")
    op.execute("DROP TABLE aq_tmp_carry")


def downgrade() -> None:
    # Park each record's first person before SQLite's batch copy cascades them away.
    op.execute("CREATE TABLE aq_tmp_carry AS SELECT p.record_id, p.id_number, p.name "
               "FROM aq_record_persons p WHERE p.position = "
               "(SELECT MIN(q.position) FROM aq_record_persons q WHERE q.record_id = p.record_id)")
    with op.batch_alter_table('aq_archive_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_name', sa.VARCHAR(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('person_id_number', sa.VARCHAR(length=18), nullable=False, server_default=''))
    op.execute("""
        UPDATE aq_archive_records SET
            person_id_number = COALESCE((SELECT c.id_number FROM aq_tmp_carry c
                WHERE c.record_id = aq_archive_records.id), ''),
            person_name = COALESCE((SELECT c.name FROM aq_tmp_carry c
                WHERE c.record_id = aq_archive_records.id), '')""")
    op.execute("DROP TABLE aq_tmp_carry")
    with op.batch_alter_table('aq_archive_records', schema=None) as batch_op:
        batch_op.alter_column('person_name', existing_type=sa.VARCHAR(length=30), server_default=None)
        batch_op.alter_column('person_id_number', existing_type=sa.VARCHAR(length=18), server_default=None)
        batch_op.drop_constraint(batch_op.f('fk_aq_archive_records_import_id_aq_imports'), type_='foreignkey')
        batch_op.create_index(batch_op.f('ix_aq_archive_records_person_id_number'), ['person_id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_aq_archive_records_category'), ['category'], unique=False)
        batch_op.alter_column('reference',
               existing_type=sa.String(length=100),
               type_=sa.VARCHAR(length=48),
               existing_nullable=False)
        batch_op.drop_column('updated_at')
        batch_op.drop_column('import_id')
        batch_op.drop_column('row_hash')
        batch_op.drop_column('item_no')
        batch_op.drop_column('file_no')
        batch_op.drop_column('fonds_no')

    op.drop_table('aq_query_results')
    with op.batch_alter_table('aq_access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_aq_access_log_subject_at')

    op.drop_table('aq_access_log')
    with op.batch_alter_table('aq_record_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aq_record_persons_id_number'))
        batch_op.drop_index('ix_aq_record_persons_birth_name')

    op.drop_table('aq_record_persons')
    op.drop_table('aq_imports')
    op.drop_table('aq_bureau_settings')
