"""owners' activation codes (activation letters)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.types  # noqa: F401  (UTCDateTime)


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activation_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('issued_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('voided_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_at > issued_at', name=op.f('ck_activation_code_expires_after_issue')),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_activation_code_compound_id_compound')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_activation_code_person_id_person')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_activation_code_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_activation_code_code_hash'))
    )
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_code_compound_id'), ['compound_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activation_code_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activation_code_person_id'))
        batch_op.drop_index(batch_op.f('ix_activation_code_compound_id'))
    op.drop_table('activation_code')
