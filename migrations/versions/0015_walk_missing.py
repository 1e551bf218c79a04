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


def downgrade():
    with op.batch_alter_table('org_request', schema=None) as batch_op:
        batch_op.drop_column('followup')
        batch_op.drop_column('followups')
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_district_request_followup_known'), type_='check')
        batch_op.drop_column('request_followup')
