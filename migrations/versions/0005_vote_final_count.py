"""a count is final: votes are revoked (not cancelled) after the close, and extended with a reason

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.types  # noqa: F401  (UTCDateTime)


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_OLD = "status IN ('draft', 'announced', 'open', 'closed', 'published', 'cancelled')"
_NEW = ("status IN ('draft', 'announced', 'open', 'closed', 'published', 'cancelled', "
        "'revoked')")


def upgrade():
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('revoke_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('revoke_basis', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_constraint(op.f('ck_vote_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_vote_status_known'), _NEW)
    with op.batch_alter_table('vote', schema=None) as batch_op:
        for name in ('revoked_by', 'revoke_reason', 'revoke_basis'):
            batch_op.alter_column(name, server_default=None)
    op.create_table('vote_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('old_closes_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('new_closes_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('during', sa.String(length=16), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('new_closes_at > old_closes_at', name=op.f('ck_vote_extension_later')),
    sa.CheckConstraint("reason <> ''", name=op.f('ck_vote_extension_has_reason')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_vote_extension_vote_id_vote'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_extension'))
    )
    with op.batch_alter_table('vote_extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_extension_vote_id'), ['vote_id'], unique=False)


def downgrade():
    with op.batch_alter_table('vote_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_extension_vote_id'))
    op.drop_table('vote_extension')
    op.execute("UPDATE vote SET status = 'closed' WHERE status = 'revoked'")
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_vote_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_vote_status_known'), _OLD)
        batch_op.drop_column('revoke_basis')
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('revoked_at')
