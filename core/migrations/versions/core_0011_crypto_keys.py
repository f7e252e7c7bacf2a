"""Check values of the data keys (issue 18): crypto_keys

Revision ID: core_0011
Revises: core_0010
Create Date: 2026-12-10 09:00:00

Only keyed digests of a fixed text are stored — never a key — so ``quanke keys check`` and
``/readyz`` can tell that a deployment started with another key than the one that wrote the
data. ``quanke db upgrade`` records the configured keys right after this revision.
(core_0009 and core_0010 are being written elsewhere; this chains after the highest revision
present when it was written and is re-chained when they are merged.)
"""
import sqlalchemy as sa
from alembic import op

from core.platform.db import UTCDateTime

revision = 'core_0011'
down_revision = 'core_0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'crypto_keys',
        sa.Column('purpose', sa.String(length=8), nullable=False),
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('algorithm', sa.String(length=16), nullable=False),
        sa.Column('check_value', sa.String(length=32), nullable=False),
        sa.Column('registered_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('purpose', 'version', name=op.f('pk_crypto_keys')))


def downgrade() -> None:
    op.drop_table('crypto_keys')
