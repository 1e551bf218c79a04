"""property-fee arrears lists (物业费欠费清单) for vetting

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import core.types  # noqa: F401  (UTCDateTime)

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('property_fee_arrears_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('issuer', sa.String(length=24), nullable=False),
    sa.Column('company_name', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('units_listed', sa.Integer(), nullable=False),
    sa.Column('units_owing', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('imported_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("issuer IN ('company', 'owners_committee')", name=op.f('ck_property_fee_arrears_list_issuer_known')),
    sa.CheckConstraint('units_owing >= 0 AND total_fen >= 0', name=op.f('ck_property_fee_arrears_list_totals_not_negative')),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_property_fee_arrears_list_compound_id_compound')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_property_fee_arrears_list'))
    )
    with op.batch_alter_table('property_fee_arrears_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_fee_arrears_list_compound_id'), ['compound_id'], unique=False)

    op.create_table('property_fee_arrears_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_property_fee_arrears_line_amount_not_negative')),
    sa.ForeignKeyConstraint(['list_id'], ['property_fee_arrears_list.id'], name=op.f('fk_property_fee_arrears_line_list_id_property_fee_arrears_list')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_property_fee_arrears_line_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_property_fee_arrears_line')),
    sa.UniqueConstraint('list_id', 'unit_id', name=op.f('uq_property_fee_arrears_line_list_id_unit_id'))
    )
    with op.batch_alter_table('property_fee_arrears_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_fee_arrears_line_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_property_fee_arrears_line_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('property_fee_arrears_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_fee_arrears_line_unit_id'))
        batch_op.drop_index(batch_op.f('ix_property_fee_arrears_line_list_id'))
    op.drop_table('property_fee_arrears_line')
    with op.batch_alter_table('property_fee_arrears_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_fee_arrears_list_compound_id'))
    op.drop_table('property_fee_arrears_list')
