"""elevator projects keep the history of their votes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.types  # noqa: F401  (UTCDateTime)


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('elevator_project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_check_constraint(op.f('ck_elevator_project_withdrawal_has_reason'),
                                         "withdrawn_at IS NULL OR withdraw_reason <> ''")
    with op.batch_alter_table('elevator_project', schema=None) as batch_op:
        for name in ('withdrawn_by', 'withdraw_reason'):
            batch_op.alter_column(name, server_default=None)
    op.create_table('elevator_project_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('created_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('building', 'land')", name=op.f('ck_elevator_project_vote_role_known')),
    sa.ForeignKeyConstraint(['project_id'], ['elevator_project.id'], name=op.f('fk_elevator_project_vote_project_id_elevator_project')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_elevator_project_vote_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elevator_project_vote')),
    sa.UniqueConstraint('vote_id', name=op.f('uq_elevator_project_vote_vote_id'))
    )
    with op.batch_alter_table('elevator_project_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elevator_project_vote_project_id'), ['project_id'], unique=False)
    # the votes projects already have are their history's first entries
    op.execute("INSERT INTO elevator_project_vote (project_id, vote_id, role, created_at) "
               "SELECT id, building_vote_id, 'building', created_at FROM elevator_project "
               "WHERE building_vote_id IS NOT NULL")
    op.execute("INSERT INTO elevator_project_vote (project_id, vote_id, role, created_at) "
               "SELECT id, land_vote_id, 'land', created_at FROM elevator_project "
               "WHERE land_vote_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('elevator_project_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elevator_project_vote_project_id'))
    op.drop_table('elevator_project_vote')
    with op.batch_alter_table('elevator_project', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_elevator_project_withdrawal_has_reason'), type_='check')
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
