"""a vote's notice stands at least the law's 15 days (物业管理条例 art. 14)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 09:00:00

A compound's notice_days could be set from 0 to 90, so a vote could open before the law
allows. Compounds below 15 are raised to 15; a vote announced under the old setting and not
yet opened waits the legal period from its announcement (its may_open_at moves to
announced_at + 15 days; votes already opened are left as they are); the database then
holds 15–90. The way back restores the 0–90 constraint and leaves the values as they are.

The numbers are written here, not imported: a migration keeps meaning what it meant when it
was written (compounds.rules holds the rule the application uses).
"""
import datetime as dt
import logging

import sqlalchemy as sa
from alembic import op

import core.types

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

LEGAL_MIN = 15
_NEW = f'notice_days >= {LEGAL_MIN} AND notice_days <= 90'
_OLD = 'notice_days >= 0 AND notice_days <= 90'

log = logging.getLogger('alembic.runtime.migration')

_compound = sa.table('compound', sa.column('id', sa.Integer()),
                     sa.column('notice_days', sa.Integer()))
_vote = sa.table('vote', sa.column('id', sa.Integer()), sa.column('status', sa.String()),
                 sa.column('announced_at', core.types.UTCDateTime(timezone=True)),
                 sa.column('may_open_at', core.types.UTCDateTime(timezone=True)),
                 sa.column('opened_at', core.types.UTCDateTime(timezone=True)),
                 sa.column('cancelled_at', core.types.UTCDateTime(timezone=True)),
                 sa.column('closes_at', core.types.UTCDateTime(timezone=True)))


def _replace_constraint(condition: str) -> None:
    with op.batch_alter_table('compound', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_compound_notice_days_range'), type_='check')
        batch_op.create_check_constraint(op.f('ck_compound_notice_days_range'), condition)


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.update(_compound).where(_compound.c.notice_days < LEGAL_MIN)
                 .values(notice_days=LEGAL_MIN))
    # announced, not yet opened, not cancelled: the notice must stand the legal period from
    # the moment it was published (computed here, in Python: the same on both engines)
    waiting = conn.execute(sa.select(_vote.c.id, _vote.c.announced_at, _vote.c.may_open_at,
                                     _vote.c.closes_at)
                           .where(_vote.c.status == 'announced',
                                  _vote.c.announced_at.is_not(None),
                                  _vote.c.opened_at.is_(None),
                                  _vote.c.cancelled_at.is_(None))
                           .order_by(_vote.c.id)).all()
    for vid, announced_at, may_open_at, closes_at in waiting:
        legal = announced_at + dt.timedelta(days=LEGAL_MIN)
        if may_open_at is not None and may_open_at >= legal:
            continue
        conn.execute(sa.update(_vote).where(_vote.c.id == vid).values(may_open_at=legal))
        if closes_at is not None and closes_at <= legal:
            log.warning('vote %s now closes before its notice period ends (%s): extend its '
                        'voting period or cancel it', vid, legal.isoformat())
    _replace_constraint(_NEW)


def downgrade():
    _replace_constraint(_OLD)
