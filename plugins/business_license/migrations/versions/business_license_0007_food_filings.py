"""food filings: selling only prepackaged food is filed, not licensed

Revision ID: business_license_0007
Revises: business_license_0006
Create Date: 2026-12-04 12:00:00

食品安全法第三十五条: selling only prepackaged food needs a filing (备案) with the food authority,
not a licence. The joint flow (证照联办) keeps such a filing with its bundle; it is numbered and
gets its own receipt (document kind ``bl_food_filing``) when the licence is approved.
"""
import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = 'business_license_0007'
down_revision = 'business_license_0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bl_food_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_no', sa.String(length=20), nullable=True),
    sa.Column('bundle_id', sa.Integer(), nullable=True),
    sa.Column('registration_application_id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('premises', sa.String(length=200), nullable=False),
    sa.Column('area', sa.Integer(), nullable=False),
    sa.Column('safety_manager', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bundle_id'], ['bl_bundles.id'], name=op.f('fk_bl_food_filings_bundle_id_bl_bundles')),
    sa.ForeignKeyConstraint(['business_id'], ['bl_registered_businesses.id'], name=op.f('fk_bl_food_filings_business_id_bl_registered_businesses')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_bl_food_filings_document_id_documents')),
    sa.ForeignKeyConstraint(['registration_application_id'], ['applications.id'], name=op.f('fk_bl_food_filings_registration_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bl_food_filings')),
    sa.UniqueConstraint('bundle_id', name=op.f('uq_bl_food_filings_bundle_id')),
    sa.UniqueConstraint('filing_no', name=op.f('uq_bl_food_filings_filing_no')),
    sa.UniqueConstraint('registration_application_id', name=op.f('uq_bl_food_filings_registration_application_id'))
    )
    with op.batch_alter_table('bl_food_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bl_food_filings_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bl_food_filings_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bl_food_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bl_food_filings_status'))
        batch_op.drop_index(batch_op.f('ix_bl_food_filings_business_id'))
    op.drop_table('bl_food_filings')
