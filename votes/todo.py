"""What the votes put on the residents' committee secretary's to-do list (hook "home.todo",
core.todo): votes whose notice period is over and may open, votes that may be closed (the
period has run out — normally closed by itself when next read — or every voter has voted),
and results to publish. An owner's votes to cast stay in their own box ("home.panels").

Three queries per call, whatever the number of votes or voters.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from core.extensions import db
from core.hooks import TodoItem
from core.models import Role
from core.todo import PER_QUERY, scopes
from core.types import utcnow
from votes.models import RollGroup, Vote, VoteStatus, standing_ballot


def _item(vote: Vote, title, started, *, due=None, overdue=False) -> TodoItem:
    return TodoItem(title=title, link=url_for("votes.show", vid=vote.id), kind=_l("Vote"),
                    created_at=started, role=Role.rc_secretary.value, due=due,
                    overdue=overdue, compound=vote.compound.name)


def todo(user) -> list[TodoItem]:
    """"home.todo": the secretary's votes to open, to close and to publish."""
    ids = scopes(user, Role.rc_secretary)
    if not ids:
        return []
    now = utcnow()
    items = []
    to_open = db.session.scalars(
        select(Vote).where(Vote.compound_id.in_(ids), Vote.status == VoteStatus.announced.value,
                           Vote.may_open_at <= now)
        .order_by(Vote.may_open_at.desc()).limit(PER_QUERY))
    items += [_item(v, _l("Open the vote: %(t)s", t=v.title), v.may_open_at) for v in to_open]

    # a voter group still waiting: no standing ballot
    waiting = select(RollGroup.vote_id).where(~standing_ballot())
    to_close = db.session.scalars(
        select(Vote).where(Vote.compound_id.in_(ids), Vote.status == VoteStatus.open.value,
                           or_(Vote.closes_at <= now, Vote.id.not_in(waiting)))
        .order_by(func.coalesce(Vote.closes_at, Vote.opened_at).desc()).limit(PER_QUERY))
    for v in to_close:
        if v.closes_at is not None and v.closes_at <= now:
            items.append(_item(v, _l("The voting period is over: close and count %(t)s",
                                     t=v.title), v.closes_at, due=v.closes_at))
        else:
            items.append(_item(v, _l("Every voter has voted: you may close %(t)s", t=v.title),
                               v.opened_at or v.created_at, due=v.closes_at))

    to_publish = db.session.scalars(
        select(Vote).where(Vote.compound_id.in_(ids), Vote.status == VoteStatus.closed.value)
        .order_by(Vote.closed_at.desc()).limit(PER_QUERY))
    items += [_item(v, _l("Publish the result of %(t)s", t=v.title), v.closed_at or v.created_at)
              for v in to_publish]
    return items
