"""Which votes a user sees: one vote by id (the loader's way to read a vote), the lists, the
owner's own votes, and who may see a result."""

from __future__ import annotations

from flask import abort
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import selectinload

from compounds import services as registry
from compounds.models import Holding, Unit
from core.errors import DomainError, not_found
from core.extensions import db
from core.inputs import acting_user
from core.permissions import authorize, is_staff, may, scope_ids
from votes.models import RollHolder, Vote, VoteStatus
from votes.services.lifecycle import close_due_vote
from votes.services.roll import OwnerGroup, owner_groups_by_vote

S = VoteStatus

# Statements of the ballot path, built once: every online ballot runs them, and building
# a statement (and its cache key) costs about as much Python time as running it.
_ON_ROLL = exists().where(RollHolder.vote_id == Vote.id,
                          RollHolder.person_id == bindparam("pid"))
_VOTE_AND_ON_ROLL = select(Vote, _ON_ROLL).where(Vote.id == bindparam("vid"))
_IS_ON_ROLL = select(_ON_ROLL).where(Vote.id == bindparam("vid"))


def voting_person_id() -> int | None:
    """The signed-in user's person, if they may cast ballots at all (an owner)."""
    user = acting_user()
    pid = user.person_id if user is not None else None
    return pid if pid is not None and may("vote.cast") else None


def get_vote(vote_id: int, action: str = "vote.view", *, lock_due: bool = True) -> Vote:
    """The vote, if the user may do `action` on it (404/403 otherwise).

    An owner on the vote's frozen roll may view it even if the registry has changed since
    it opened; a draft is hidden (404) from all but staff. A vote still open after its
    closes_at is closed here, so that reading it after the deadline shows the final state.
    """
    pid = voting_person_id()
    if action == "vote.view" and pid is not None:
        # an owner: the vote and on_roll(vote) in one query (every online ballot passes here)
        row = db.session.execute(_VOTE_AND_ON_ROLL, {"vid": vote_id, "pid": pid}).first()
        vote, holder = row if row is not None else (None, False)
    else:
        vote, holder = db.session.get(Vote, vote_id), False
    if vote is None:
        raise not_found("vote")
    if not (action == "vote.view" and holder):
        authorize(action, vote)
    if vote.announced_at is None and not may("vote.view_drafts", vote):
        raise not_found("vote")  # a draft is not public until its notice is
    if lock_due and vote.is_due():
        close_due_vote(vote)
    return vote


def fetch_vote(vote_id: int, action: str) -> Vote:
    """core.loader's way to load a vote named in a URL: `get_vote`, 404 when it is hidden."""
    try:
        return get_vote(vote_id, action)
    except DomainError as err:
        if err.status == 404:
            abort(404)
        raise


def on_roll(vote: Vote) -> bool:
    """Whether the signed-in owner is a title holder in the vote's frozen roll: they may see
    the vote and cast its ballot even if the registry has changed since it opened."""
    pid = voting_person_id()
    if pid is None or vote.roll_units is None:
        return False
    return bool(db.session.scalar(_IS_ON_ROLL, {"vid": vote.id, "pid": pid}))


def may_see_result(vote: Vote) -> bool:
    """Staff see a result once the vote closes; owners once it is published. A revoked
    result stays readable, marked revoked, to whoever could read it before."""
    published = vote.status == S.published.value or (
        vote.status == S.revoked.value and vote.published_at is not None)
    if published:
        return may("vote.view", vote) or on_roll(vote)
    return vote.status in (S.closed.value, S.revoked.value) and is_staff(vote)


def visible_votes_query(action: str = "vote.view"):
    """Votes of the compounds in which the user may do `action` (compound staff and
    oversight by their scope; an owner, the compounds where they hold units)."""
    q = select(Vote)
    if scope_ids(action, "compound") is None:  # the system administrator
        return q
    return q.where(Vote.compound_id.in_(registry.visible_compound_ids(action)))


def votes_query(compound_id: int | None = None, status: str | None = None):
    """The votes the user may see, newest first, as one Select (paged in SQL): drafts only
    in the compounds where the user is staff, the others from their notice on."""
    authorize("vote.view")
    q = visible_votes_query()
    if scope_ids("vote.view_drafts", "compound") is not None:  # all of them for the admin
        q = q.where(or_(Vote.announced_at.is_not(None),
                        Vote.compound_id.in_(registry.visible_compound_ids("vote.view_drafts"))))
    if compound_id:
        q = q.where(Vote.compound_id == compound_id)
    if status:
        q = q.where(Vote.status == status)
    return q.order_by(Vote.id.desc())


def list_votes(compound_id: int | None = None, status: str | None = None,
               limit: int = 200) -> list[Vote]:
    """The first `limit` of `votes_query`."""
    return list(db.session.scalars(votes_query(compound_id, status).limit(limit)).unique())


def votes_page(compound_id: int | None = None, page: int = 1, size: int = 50):
    """One page of `votes_query` (clamped to the pages there are), with the total: the
    votes page's table."""
    return registry.page_of(votes_query(compound_id), page, size)


def compounds_for_new_votes() -> list:
    """The compounds in which the user may propose votes, by name (the votes page's buttons)."""
    if not may("vote.create"):
        return []
    return sorted(db.session.scalars(registry.visible_compounds_query("vote.create")).unique(),
                  key=lambda c: c.name)


def owner_votes(person_id: int | None) -> list[tuple[Vote, list[OwnerGroup]]]:
    """Open and recent votes whose roll (or, before opening, scope) covers the person's
    units, newest first, with the person's voter groups — in a fixed number of queries
    whatever the number of votes."""
    if person_id is None:
        return []
    units = db.session.execute(
        select(Unit.id, Unit.compound_id, Unit.building_id, Unit.entrance_id)
        .join(Holding, Holding.unit_id == Unit.id).where(Holding.person_id == person_id)).all()
    if not units:
        return []
    votes = db.session.scalars(select(Vote).where(
        Vote.compound_id.in_({u.compound_id for u in units}),
        Vote.status.in_([S.announced.value, S.open.value, S.closed.value, S.published.value]))
        .options(selectinload(Vote.scopes))
        .order_by(Vote.id.desc()).limit(50)).unique().all()
    for vote in votes:
        if vote.is_due():
            close_due_vote(vote)
    groups = owner_groups_by_vote(votes, person_id)
    result = []
    for vote in votes:
        if vote.roll_units is not None:
            if vote.id in groups:
                result.append((vote, groups[vote.id]))
        elif _scope_covers(vote, units):
            result.append((vote, []))
    return result


def _scope_covers(vote: Vote, units) -> bool:
    """Whether one of the units (rows of compound, building and entrance ids) lies in the
    vote's scope: its compound, and one of its buildings or entrances if it names any."""
    return any(u.compound_id == vote.compound_id and (not vote.scopes or any(
        u.building_id == s.building_id if s.entrance_id is None else
        u.entrance_id == s.entrance_id for s in vote.scopes)) for u in units)
