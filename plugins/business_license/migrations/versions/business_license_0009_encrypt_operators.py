"""operators' ID numbers, phones and family members encrypted at rest (issue 18)

Revision ID: business_license_0009
Revises: business_license_0008
Create Date: 2026-12-11 10:00:00

PIPL Art. 28/51: the register of individual businesses holds every operator's resident ID
number and phone and the names and ID numbers of family members (家庭经营). They are
encrypted in place (SM4-GCM, the deployment's active key, batches of 1,000, in the
migration's one transaction); the look-up by operator ID goes through the blind index
``operator_id_number_index`` (HMAC-SM3), which replaces the index on the plain column.

Downgrade decrypts everything back (the key is needed).
"""
import sqlalchemy as sa
from alembic import op

from core.api import decrypt_rows, encrypt_rows

revision = 'business_license_0009'
down_revision = 'business_license_0008'
branch_labels = None
depends_on = 'core_0014'

TABLE = 'bl_registered_businesses'
LABELS = {name: f"{TABLE}.{name}" for name in ('operator_id_number', 'phone', 'family_members')}


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index('ix_bl_registered_businesses_operator_id_number')
        batch_op.add_column(sa.Column('operator_id_number_index', sa.String(length=32), nullable=True))
        batch_op.alter_column('operator_id_number', existing_type=sa.String(length=18), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('family_members', existing_type=sa.JSON(), type_=sa.Text(),
                              existing_nullable=False, postgresql_using='family_members::text')
    encrypt_rows(conn, TABLE, columns=LABELS,
                 indexes={'operator_id_number_index': ('operator_id_number', 'id_number')})
    op.create_index('ix_bl_registered_businesses_operator_id_number_index', TABLE,
                    ['operator_id_number_index'], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_index('ix_bl_registered_businesses_operator_id_number_index', table_name=TABLE)
    decrypt_rows(conn, TABLE, columns=LABELS)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column('family_members', existing_type=sa.Text(), type_=sa.JSON(),
                              existing_nullable=False, postgresql_using='family_members::json')
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.alter_column('operator_id_number', existing_type=sa.Text(), type_=sa.String(length=18),
                              existing_nullable=False)
        batch_op.drop_column('operator_id_number_index')
        batch_op.create_index('ix_bl_registered_businesses_operator_id_number', ['operator_id_number'],
                              unique=False)
