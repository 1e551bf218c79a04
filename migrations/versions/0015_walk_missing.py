"""the walk's additions (fee arrears lists, local working days, request follow-up setting)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 08:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import core.types  # noqa: F401  (UTCDateTime)


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
