"""attachments: the files the records depend on, content-addressed

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 08:15:00

"""
import sqlalchemy as sa
from alembic import op

import core.types

revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('thumb_sha256', sa.String(length=64), nullable=True),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_name', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.Integer(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('size > 0', name=op.f('ck_attachment_size_positive')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_attachment_sha256_hex')),
    sa.CheckConstraint('(withdrawn_at IS NULL) = (withdrawn_reason IS NULL)', name=op.f('ck_attachment_withdrawn_with_reason')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['user_account.id'], name=op.f('fk_attachment_withdrawn_by_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_compound_id'), ['compound_id'], unique=False)
        batch_op.create_index('ix_attachment_record', ['kind', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index('ix_attachment_record')
        batch_op.drop_index(batch_op.f('ix_attachment_compound_id'))
    op.drop_table('attachment')
