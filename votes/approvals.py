"""Read-only answers about votes for other packages: does a vote approve this use of the fund?

The repair fund (owners_committee) may spend money only on a passed owners' decision of
art. 278 item 5 (使用维修资金) taken by the owners of the beneficiary scope (DOMAIN.md §3),
and a top-up plan (续筹) rests on an item 6 decision. This module reads the votes package's
models and never writes; it is the one place outside votes/ that knows how a result is kept.

A vote's scope is its frozen roll: the units copied when it opened. A project's scope is
covered when every unit of the project is in the roll.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import select

from core.extensions import db
from votes.models import DECIDED, RollUnit, Vote, VoteStatus

#: reasons a vote does not approve (the API's details.reason)
NOT_FOUND = "vote_not_found"
WRONG_MATTER = "wrong_matter"
NOT_DECIDED = "vote_not_closed"
CANCELLED = "vote_cancelled"
#: revoked by the street office or district after its count: it approves nothing
REVOKED = "vote_revoked"
FAILED = "vote_failed"
NOT_COVERED = "scope_not_covered"


@dataclass(frozen=True)
class VoteSummary:
    """What a project page says about the vote that approved it (plain, JSON-able data)."""

    id: int
    title: str
    matter: str
    status: str
    passed: bool
    closed_at: str | None
    roll_units: int | None
    roll_area: str | None
    roll_heads: int | None
    #: the four ratios as the result gives them ("66.66%"), when it gives them
    ratios: dict
    #: units of the project that are not in the vote's roll (at most 20, for the message)
    uncovered: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["uncovered"] = list(self.uncovered)
        return data


def _summary(vote: Vote, uncovered: Iterable[int] = ()) -> VoteSummary:
    result = vote.result or {}
    return VoteSummary(
        id=vote.id, title=vote.title, matter=vote.matter, status=vote.status,
        passed=bool(result.get("passed")) and vote.decided,
        closed_at=vote.closed_at.isoformat() if vote.closed_at else None,
        roll_units=vote.roll_units,
        roll_area=None if vote.roll_area is None else str(vote.roll_area),
        roll_heads=vote.roll_heads,
        ratios=dict(result.get("ratios") or {}),
        uncovered=tuple(sorted(uncovered))[:20],
    )


def approval_for(vote_id: int | None, compound_id: int, unit_ids: Iterable[int], *,
                 matter: str = "use_fund") -> tuple[bool, str | None, VoteSummary | None]:
    """Whether vote `vote_id` approves spending on `unit_ids` of compound `compound_id`.

    Returns `(ok, reason_code, summary)`: ok only for a vote of this compound, of `matter`,
    closed (or its result published) with a stored result that passed, whose frozen roll
    holds every one of `unit_ids`. Otherwise `reason_code` says why (NOT_FOUND, WRONG_MATTER,
    NOT_DECIDED, CANCELLED, REVOKED, FAILED, NOT_COVERED); `summary` is None only when there is no
    such vote in the compound (a vote of another compound is "not found", never described).
    """
    vote = db.session.get(Vote, vote_id) if isinstance(vote_id, int) else None
    if vote is None or vote.compound_id != compound_id:
        return False, NOT_FOUND, None
    if vote.matter != matter:
        return False, WRONG_MATTER, _summary(vote)
    if vote.status == VoteStatus.cancelled.value:
        return False, CANCELLED, _summary(vote)
    if vote.status == VoteStatus.revoked.value:
        return False, REVOKED, _summary(vote)
    if not vote.decided or vote.result is None:
        return False, NOT_DECIDED, _summary(vote)
    if not vote.result.get("passed"):
        return False, FAILED, _summary(vote)
    wanted = set(unit_ids)
    roll = set(db.session.scalars(
        select(RollUnit.unit_id).where(RollUnit.vote_id == vote.id)))
    missing = wanted - roll
    if missing or not wanted:
        return False, NOT_COVERED, _summary(vote, missing)
    return True, None, _summary(vote)


def decided_votes(compound_id: int, matter: str = "use_fund") -> list[VoteSummary]:
    """The compound's votes on `matter` that passed, newest first (for a choice list)."""
    votes = db.session.scalars(
        select(Vote).where(Vote.compound_id == compound_id, Vote.matter == matter,
                           Vote.status.in_(DECIDED))
        .order_by(Vote.closed_at.desc(), Vote.id.desc())).all()
    return [s for s in (_summary(v) for v in votes) if s.passed]
