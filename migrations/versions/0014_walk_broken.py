"""the walk's fixes (top-up scope and basis, opening balances as of, withdrawn credit records, meeting guests)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import core.types  # noqa: F401  (UTCDateTime)


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
