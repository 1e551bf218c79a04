"""What the owners'-committee elections put on the to-do lists (hook "home.todo",
core.todo):

- owner: the elections of the compounds where they own a home while candidates are being
  nominated (推荐), and while the list stands for objections (公示: until its end). The
  election's ballot itself is in the owner's votes box ("home.panels": a matter-3 vote);
- party secretary: the candidates who passed the preparatory group's review and wait for
  the party organisation's (党组织审核).

Two queries per call at most (plus the owner's homes, cached for the request).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from core import permissions
from core.extensions import db
from core.hooks import TodoItem
from core.models import Role
from core.todo import PER_QUERY, scopes
from core.types import utcnow
from owners_committee.election.models import (
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
)


def _owner(user) -> list[TodoItem]:
    if user.person_id is None or not scopes(user, Role.owner):
        return []
    compounds = {c for _, c in permissions.resolve("owned_units", user.person_id)}
    if not compounds:
        return []
    now = utcnow()
    rows = db.session.scalars(
        select(Election).where(
            Election.compound_id.in_(compounds),
            or_(Election.status == ElectionStatus.nominating.value,
                (Election.status == ElectionStatus.notice.value)
                & (Election.notice_ends_at > now)))
        .order_by(Election.created_at.desc()).limit(PER_QUERY))
    items = []
    for e in rows:
        link = url_for("election.show", eid=e.id)
        if e.status == ElectionStatus.nominating.value:
            items.append(TodoItem(
                title=_l("%(t)s: candidates are being nominated — you may stand or "
                         "recommend an owner", t=e.title),
                link=link, kind=_l("Election"), created_at=e.created_at,
                role=Role.owner.value, compound=e.compound.name))
        else:
            items.append(TodoItem(
                title=_l("%(t)s: the candidate list is published — objections are open",
                         t=e.title),
                link=link, kind=_l("Election"), created_at=e.notice_starts_at or e.created_at,
                role=Role.owner.value, due=e.notice_ends_at, compound=e.compound.name))
    return items


def _party_secretary(user) -> list[TodoItem]:
    ids = scopes(user, Role.party_secretary)
    if not ids:
        return []
    rows = db.session.execute(
        select(Candidate, Election.title, Election.compound_id)
        .join(Election, Election.id == Candidate.election_id)
        .where(Election.compound_id.in_(ids),
               Election.status == ElectionStatus.nominating.value,
               Candidate.status == CandidateStatus.group_passed.value)
        .order_by(Candidate.created_at.desc()).limit(PER_QUERY)).all()
    return [TodoItem(title=_l("Review the candidate %(name)s (%(t)s)", name=c.person.name,
                              t=title),
                     link=url_for("election.candidate", cid=c.id), kind=_l("Candidate review"),
                     created_at=c.created_at, role=Role.party_secretary.value)
            for c, title, _compound in rows]


def todo(user) -> list[TodoItem]:
    """"home.todo": the elections' items for owners and the party secretary."""
    return [*_owner(user), *_party_secretary(user)]
