"""login sessions: a signed-in browser is a row, so signing out ends exactly it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 12:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled by the production-edges work (login_session table)


def downgrade():
    pass
