"""the queue's bookkeeping of the outbox: when a consumer claimed a message and when it
handed it to the provider (a dead worker's message is then retried or left uncertain); an
account's e-mail address

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:10:00

"""
from alembic import op
import sqlalchemy as sa

import core.types  # noqa: F401  (UTCDateTime)


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handed_at', core.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('email', server_default=None)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('handed_at')
        batch_op.drop_column('claimed_at')
