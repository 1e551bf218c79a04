"""the walk's additions (fee arrears lists, local working days, request follow-up setting)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 08:20:00

"""
import sqlalchemy as sa
from alembic import op

import core.types  # noqa: F401  (UTCDateTime)

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # a request closed with satisfaction ≤ 2: the district's choice, and the request's trace
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_followup', sa.String(length=16), nullable=False,
                                      server_default='reopen'))
        batch_op.create_check_constraint(op.f('ck_district_request_followup_known'),
                                         "request_followup IN ('reopen', 'escalate')")
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.alter_column('request_followup', server_default=None)
    with op.batch_alter_table('org_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followups', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('followup', sa.String(length=16), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('org_request', schema=None) as batch_op:
        for name in ('followups', 'followup'):
            batch_op.alter_column(name, server_default=None)


    # the working calendar: the district's own days; a deadline counted without a year's
    # official holidays is provisional
    op.create_table('property_local_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('official', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_property_local_day_district_id_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_property_local_day')),
    sa.UniqueConstraint('district_id', 'day', name=op.f('uq_property_local_day_district_id_day'))
    )
    with op.batch_alter_table('property_local_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_local_day_district_id'), ['district_id'], unique=False)
    with op.batch_alter_table('property_objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_provisional', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('property_objection', schema=None) as batch_op:
        batch_op.alter_column('deadline_provisional', server_default=None)


def downgrade():
    with op.batch_alter_table('property_objection', schema=None) as batch_op:
        batch_op.drop_column('deadline_provisional')
    with op.batch_alter_table('property_local_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_local_day_district_id'))
    op.drop_table('property_local_day')
    with op.batch_alter_table('org_request', schema=None) as batch_op:
        batch_op.drop_column('followup')
        batch_op.drop_column('followups')
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_district_request_followup_known'), type_='check')
        batch_op.drop_column('request_followup')
