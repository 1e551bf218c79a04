"""attachments: the files the records depend on, content-addressed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:15:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import core.types  # noqa: F401  (UTCDateTime)


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
