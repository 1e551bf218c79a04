"""the delivery register (送达) of a vote's notice and ballot; the notice's public key and
where paper ballots are collected

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 08:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa

import core.types  # noqa: F401  (UTCDateTime)


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_collection', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('public_key', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_vote_public_key'), ['public_key'])
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.alter_column('paper_collection', server_default=None)
    # votes announced before this revision get their public page too
    conn = op.get_bind()
    vote = sa.table('vote', sa.column('id', sa.Integer), sa.column('public_key', sa.String),
                    sa.column('announced_at', sa.DateTime))
    for (vid,) in conn.execute(sa.select(vote.c.id).where(vote.c.announced_at.is_not(None))):
        conn.execute(vote.update().where(vote.c.id == vid)
                     .values(public_key=secrets.token_urlsafe(18)))
    op.create_table('vote_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=52), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('delivered_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('posted', 'in_person', 'mail', 'sms', 'electronic')", name=op.f('ck_vote_delivery_method_known')),
    sa.CheckConstraint("method <> 'in_person' OR signed_by <> ''", name=op.f('ck_vote_delivery_in_person_signed')),
    sa.CheckConstraint("method <> 'mail' OR ref <> ''", name=op.f('ck_vote_delivery_mail_has_ref')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_vote_delivery_vote_id_vote'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_delivery'))
    )
    with op.batch_alter_table('vote_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_vote_delivery_vote_unit', ['vote_id', 'unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('vote_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_vote_delivery_vote_unit')
    op.drop_table('vote_delivery')
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_vote_public_key'), type_='unique')
        batch_op.drop_column('public_key')
        batch_op.drop_column('paper_collection')
