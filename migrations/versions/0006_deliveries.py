"""the delivery register (送达) of a vote's notice and ballot

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 08:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import core.types  # noqa: F401  (UTCDateTime)


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
