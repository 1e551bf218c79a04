"""the walk's fixes (top-up scope and basis, opening balances as of, withdrawn credit records, meeting guests)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:20:00

"""
from alembic import op
import sqlalchemy as sa

import core.types  # noqa: F401  (UTCDateTime)


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # a top-up plan's scope and basis (the vote, or the local rule where no assembly exists);
    # plans made before were for the whole compound
    with op.batch_alter_table('top_up_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_text', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('whole_compound', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('local_rule', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('top_up_plan', schema=None) as batch_op:
        for name in ('scope_text', 'whole_compound', 'local_rule'):
            batch_op.alter_column(name, server_default=None)
    # a credit record withdrawn: who, when, why, and how (an upheld objection, the district)
    with op.batch_alter_table('property_credit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdrawn_via', sa.String(length=12), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('property_credit_record', schema=None) as batch_op:
        for name in ('withdrawn_by', 'withdrawn_via', 'withdraw_reason'):
            batch_op.alter_column(name, server_default=None)
    op.execute("UPDATE property_credit_record SET withdrawn_via = 'objection' "
               "WHERE status = 'withdrawn'")
    # the sign-in sheet counts people (a member's person copied), and takes guests (列席) and
    # people attending for an organisation without members
    with op.batch_alter_table('org_meeting_attendee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('guest', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_org_meeting_attendee_person_id_person'), 'person', ['person_id'], ['id'])
    with op.batch_alter_table('org_meeting_attendee', schema=None) as batch_op:
        batch_op.alter_column('guest', server_default=None)
    op.execute("UPDATE org_meeting_attendee SET person_id = (SELECT org_member.person_id "
               "FROM org_member WHERE org_member.id = org_meeting_attendee.member_id)")


def downgrade():
    op.execute("DELETE FROM org_meeting_attendee WHERE member_id IS NULL")
    with op.batch_alter_table('org_meeting_attendee', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_org_meeting_attendee_person_id_person'), type_='foreignkey')
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('guest')
        batch_op.drop_column('person_id')
    with op.batch_alter_table('property_credit_record', schema=None) as batch_op:
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_via')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
    with op.batch_alter_table('top_up_plan', schema=None) as batch_op:
        batch_op.drop_column('local_rule')
        batch_op.drop_column('whole_compound')
        batch_op.drop_column('scope_text')
