"""An owner's own votes, as their home page and ballot page show them: the open votes still
waiting for one of their ballots (closing soonest first), and why an owner may cast more
than one ballot in the same vote.

Who is one voter is the registry's law (compounds.rules.group_voters; SPC interpretation on
building co-ownership, art. 9): every distinct set of title holders is one voter. A person who
owns one home alone and another with a spouse is two voters, and casts two ballots.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.extensions import db
from votes.models import RollHolder, Vote
from votes.services.access import owner_votes
from votes.services.roll import OwnerGroup

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class MyVote:
    vote: Vote
    groups: list[OwnerGroup]
    #: the voter groups still to vote (empty: nothing is awaited)
    pending: list[OwnerGroup]
    #: why there are several ballots (None for one voter)
    note: str | None

    @property
    def waiting(self) -> bool:
        return bool(self.pending) and self.vote.accepting_ballots()


def my_votes(person_id: int | None) -> list[MyVote]:
    """The person's votes (as on the votes page): those waiting for their ballot first,
    closing soonest first, then the others, newest first."""
    owned = owner_votes(person_id)
    holders = _holder_counts([g for _, groups in owned if len(groups) > 1 for g in groups])
    rows = []
    for vote, groups in owned:
        pending = [g for g in groups if g.ballot is None]
        rows.append(MyVote(vote, groups, pending, voters_note(groups, holders)))
    waiting = sorted((r for r in rows if r.waiting),
                     key=lambda r: (r.vote.closes_at or _FAR, r.vote.id))
    return waiting + [r for r in rows if not r.waiting]


def _holder_counts(groups: list[OwnerGroup]) -> dict[int, int]:
    """Group id → how many distinct title holders it has, for all the groups in one query."""
    if not groups:
        return {}
    return dict(db.session.execute(
        select(RollHolder.group_id, func.count(func.distinct(RollHolder.person_id)))
        .where(RollHolder.group_id.in_([g.group.id for g in groups]))
        .group_by(RollHolder.group_id)).all())


def voters_note(groups: list[OwnerGroup], holders: dict[int, int] | None = None) -> str | None:
    """"您名下有2个表决权：与他人共有的 7-1-201；您单独所有的 7-1-101。…" — for an owner who
    is more than one voter in this vote; None for one. `holders` may bring the groups'
    holder counts (`_holder_counts`), read once for many votes."""
    if len(groups) < 2:
        return None
    if holders is None:
        holders = _holder_counts(groups)
    parts = []
    for g in groups:
        units = "、".join(g.labels)
        if g.group.developer:
            parts.append(_("held by the developer: %(units)s", units=units))
        elif holders.get(g.group.id, 1) > 1:
            parts.append(_("co-owned with others: %(units)s", units=units))
        else:
            parts.append(_("held by you alone: %(units)s", units=units))
    return _("You hold %(n)s votes in this vote: %(parts)s. Under article 9 of the Supreme "
             "People's Court's interpretation on building co-ownership disputes they count "
             "separately: homes held by the same owner, or the same co-owners, are one "
             "voter; homes held by a different set of owners are another. Each casts its "
             "own ballot.", n=len(groups), parts="；".join(parts))
