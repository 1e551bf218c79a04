"""events and reminders of the outbox

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 08:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import core.types  # noqa: F401  (UTCDateTime)


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
