"""the outbox: every message (in-app, e-mail, SMS) a row; the channels people turned off

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 08:10:00

"""
from alembic import op
import sqlalchemy as sa

import core.types  # noqa: F401  (UTCDateTime)


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('event', sa.String(length=48), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('recipient_name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=True),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('data_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=200), nullable=False),
    sa.Column('not_before', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('in_app', 'email', 'sms')", name=op.f('ck_message_channel_known')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain')", name=op.f('ck_message_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_message_attempts_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_message_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('key', name=op.f('uq_message_key'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_compound_id'), ['compound_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_event'), ['event'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_message_subject', ['subject_type', 'subject_id'], unique=False)
        batch_op.create_index('ix_message_user_inbox', ['user_id', 'channel', 'created_at'], unique=False)
        batch_op.create_index('ix_message_status_due', ['status', 'not_before'], unique=False)

    op.create_table('message_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('created_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_message_opt_out_external_only')),
    sa.CheckConstraint('person_id IS NOT NULL OR user_id IS NOT NULL', name=op.f('ck_message_opt_out_someone')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_message_opt_out_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_opt_out')),
    sa.UniqueConstraint('person_id', 'channel', name=op.f('uq_message_opt_out_person_id_channel')),
    sa.UniqueConstraint('user_id', 'channel', name=op.f('uq_message_opt_out_user_id_channel'))
    )


def downgrade():
    op.drop_table('message_opt_out')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_status_due')
        batch_op.drop_index('ix_message_user_inbox')
        batch_op.drop_index('ix_message_subject')
        batch_op.drop_index(batch_op.f('ix_message_person_id'))
        batch_op.drop_index(batch_op.f('ix_message_event'))
        batch_op.drop_index(batch_op.f('ix_message_compound_id'))
    op.drop_table('message')
