"""case facts, objection grounds and lawyers' phones encrypted at rest (issue 18)

Revision ID: legal_aid_0005
Revises: legal_aid_0004
Create Date: 2026-12-11 10:00:00

A legal-aid case's facts are sensitive personal information (PIPL Art. 28); the household
income and the case as told are in the application's form data (encrypted as its sensitive
fields). Here the plugin's own tables: the facts found when aid is terminated
(``la_terminations.facts``), an objection's grounds (``la_objections.grounds``) and the
roster's phone numbers (``la_lawyers.phone``) are encrypted in place (SM4-GCM, batches, the
migration's one transaction). Nothing is looked up by them. Downgrade decrypts them back.
"""
import sqlalchemy as sa
from alembic import op

from core.api import decrypt_rows, encrypt_rows

revision = 'legal_aid_0005'
down_revision = 'legal_aid_0004'
branch_labels = None
depends_on = 'core_0014'

#: table → {column: its former type}
TABLES = {'la_terminations': {'facts': sa.Text()}, 'la_objections': {'grounds': sa.Text()},
          'la_lawyers': {'phone': sa.String(20)}}


def _labels(table: str, columns) -> dict[str, str]:
    return {name: f"{table}.{name}" for name in columns}


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('la_lawyers', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(20), type_=sa.Text(), existing_nullable=False)
    for table, columns in TABLES.items():
        encrypt_rows(conn, table, columns=_labels(table, columns))


def downgrade() -> None:
    conn = op.get_bind()
    for table, columns in TABLES.items():
        decrypt_rows(conn, table, columns=_labels(table, columns))
    with op.batch_alter_table('la_lawyers', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(20), existing_nullable=False)
