"""ratings of tickets and enquiries, the rater told of a follow-up, appeals of ratings

Revision ID: core_0009
Revises: core_0008
Create Date: 2026-12-10 10:00:00

* ``ratings``: the subject is an application, a queue ticket or an enquiry — exactly one
  (check ``one_subject``); ``enquiry_id`` has no foreign key yet (the enquiries table comes
  with its own migration, which adds it); ``status`` marks a rating taken out of the
  statistics by an upheld appeal; the worker's own ratings are looked up by ``staff_id``.
* ``follow_ups``: a ticket's follow-up has no application; ``told`` records how the rater
  was told the resolution.
* ``rating_appeals``: one appeal per rating (申诉复核).
"""
import sqlalchemy as sa
from alembic import op

from core.platform.db import UTCDateTime

revision = 'core_0009'
down_revision = 'core_0008'
branch_labels = None
depends_on = None

ONE_SUBJECT = ("(CASE WHEN application_id IS NULL THEN 0 ELSE 1 END) + "
               "(CASE WHEN ticket_id IS NULL THEN 0 ELSE 1 END) + "
               "(CASE WHEN enquiry_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('enquiry_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='counted',
                                      nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_ratings_ticket_id_queue_tickets'),
                                    'queue_tickets', ['ticket_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_ratings_ticket_id'), ['ticket_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_ratings_enquiry_id'), ['enquiry_id'])
        batch_op.create_check_constraint(batch_op.f('ck_ratings_one_subject'), ONE_SUBJECT)
        batch_op.create_index(batch_op.f('ix_ratings_staff_id'), ['staff_id'], unique=False)
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('told', sa.String(length=16), server_default='', nullable=False))
    op.create_table(
        'rating_appeals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rating_id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=True),
        sa.Column('filed_by_id', sa.Integer(), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('filed_at', UTCDateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_reasons', sa.Text(), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_rating_appeals_centre_id_centres')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rating_appeals_decided_by_id_users')),
        sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_rating_appeals_filed_by_id_users')),
        sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rating_appeals_rating_id_ratings')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_appeals')),
        sa.UniqueConstraint('rating_id', name=op.f('uq_rating_appeals_rating_id')),
    )
    op.create_index('ix_rating_appeals_queue', 'rating_appeals', ['centre_id', 'status', 'filed_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_rating_appeals_queue', table_name='rating_appeals')
    op.drop_table('rating_appeals')
    # Ratings of tickets and enquiries, and follow-ups without an application, cannot live in
    # the old tables: they go (the audit trail keeps what they said).
    op.execute("DELETE FROM follow_ups WHERE application_id IS NULL")
    op.execute("DELETE FROM ratings WHERE application_id IS NULL")
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_column('told')
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_staff_id'))
        batch_op.drop_constraint(batch_op.f('ck_ratings_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_ratings_enquiry_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_ratings_ticket_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ratings_ticket_id_queue_tickets'), type_='foreignkey')
        batch_op.drop_column('status')
        batch_op.drop_column('enquiry_id')
        batch_op.drop_column('ticket_id')
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
