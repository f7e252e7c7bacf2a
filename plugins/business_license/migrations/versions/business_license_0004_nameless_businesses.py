"""nameless businesses: name_key may be NULL

Revision ID: business_license_0004
Revises: business_license_0003
Create Date: 2026-12-04 09:00:00

A 个体工商户 need not use a name (市场主体登记管理条例第八条). Such a business is registered with
an empty name and no name key; NULL keys do not meet in the unique index on the names of
active businesses, so any number of nameless businesses may be registered.
"""
import sqlalchemy as sa
from alembic import op

revision = 'business_license_0004'
down_revision = 'business_license_0003'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")


def _rebuild(nullable: bool) -> None:
    # The partial unique index is dropped and made again around the change: SQLite's batch
    # mode copies the table, and the index's WHERE clause must survive the copy.
    with op.batch_alter_table('bl_registered_businesses', schema=None) as batch_op:
        batch_op.drop_index('ix_bl_registered_businesses_active_name', sqlite_where=ACTIVE,
                            postgresql_where=ACTIVE)
        batch_op.alter_column('name_key', existing_type=sa.String(length=100), nullable=nullable)
    with op.batch_alter_table('bl_registered_businesses', schema=None) as batch_op:
        batch_op.create_index('ix_bl_registered_businesses_active_name', ['name_key'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def upgrade() -> None:
    _rebuild(nullable=True)


def downgrade() -> None:
    # Before 0004 every business had a key: nameless ones get one of their own.
    op.execute("UPDATE bl_registered_businesses SET name_key = 'nameless-' || id WHERE name_key IS NULL")
    _rebuild(nullable=False)
