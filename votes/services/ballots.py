"""Ballots (表决票): cast online by the owner or entered from paper (and by proxy) by the
residents' committee, voided when typed wrong, checked by their receipt.

One ballot per voter, whatever the channel: the database's partial unique index refuses a
second live ballot of a voter group even when both arrive at once. This is the hot path
(README "Performance"): its statements are built once at import, and an online ballot runs
no query it can do without.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core import audit, hooks
from core.errors import DomainError, conflict, invalid, not_found
from core.extensions import db
from core.inputs import acting_user, actor_name
from core.inputs import text as clean_text
from core.permissions import Target, authorize
from core.types import utcnow
from votes import rules
from votes.models import Ballot, BallotAttempt, Channel, RollGroup, Vote, VoteStatus
from votes.services.common import LOCK_CLASS, format_receipt, iso, new_receipt, normalize_receipt
from votes.services.roll import (
    first_unit_id,
    group_by_serial,
    group_labels,
    holds_title,
    live_ballot,
    roll_unit_and_group,
)

S = VoteStatus
_CHOICES = frozenset(c.value for c in rules.Choice)
_CHANNELS = frozenset(c.value for c in Channel)


@dataclass(frozen=True)
class CastResult:
    """What the voter is told; read before the commit, so answering reloads nothing."""

    ballot_id: int
    receipt_code: str
    covers: list[str]

    @property
    def receipt(self) -> str:
        return format_receipt(self.receipt_code)


def own_ballot_page(vote: Vote, kind: str = "ballot") -> tuple[str, dict] | None:
    """Where this vote's ballots are cast instead (`kind` "ballot" for the owner, "paper" for
    the residents' committee), or None for an ordinary vote.

    Only a matter-3 vote may be an owners'-committee election, whose ballot marks each
    candidate; the hook "votes.own_ballot_page" answers which (owners_committee provides
    it). Without a provider, a matter-3 vote takes no ballot here at all (HookMissing):
    a single-choice ballot must never be counted for an election.
    """
    if vote.matter != rules.Matter.committee.value:
        return None
    providers = hooks.contributions("votes.own_ballot_page")
    if not providers:
        raise hooks.HookMissing("no package provides the hook 'votes.own_ballot_page'")
    for fn in providers:
        page = fn(vote, kind)
        if page is not None:
            return page
    return None


def _authorize_channel(vote: Vote, group: RollGroup, channel: str, pid: int | None,
                       holder: bool | None) -> None:
    if channel == Channel.online.value:
        # online = the owner in person: a title holder of this group in the frozen roll
        if holder is None:
            holder = holds_title(group, pid)
        c = vote.compound
        authorize("vote.cast", Target(district_id=c.street.district_id, street_id=c.street_id,
                                      compound_id=c.id, person_id=pid if holder else 0))
    else:
        authorize("vote.enter_paper", vote)


def _refuse_duplicate(vote: Vote, group: RollGroup, unit_id: int, channel: str,
                      choice: str) -> DomainError:
    """Record the refused attempt for the secretary and build the 409 (the first stands)."""
    db.session.rollback()
    standing = live_ballot(group.id)
    reason = "conflicting" if standing is not None and standing.choice != choice else "duplicate"
    user = acting_user()
    attempt = BallotAttempt(vote_id=vote.id, group_id=group.id, unit_id=unit_id,
                            user_id=user.id if user else None,
                            username=user.username if user else "", channel=channel,
                            choice=choice, reason=reason)
    db.session.add(attempt)
    db.session.flush()
    audit.record("vote.ballot_refused", "vote", vote.id,
                 {"group": group.serial, "channel": channel, "reason": reason},
                 compound_id=vote.compound_id)
    db.session.commit()
    details = {"covers": group_labels(group.id), "reason": reason}
    if standing is not None:
        details.update({"channel": standing.channel, "cast_at": iso(standing.cast_at)})
    return DomainError("duplicate_ballot",
                       _l("This voter has already voted; the first ballot stands"),
                       status=409, details=details)


def _not_open() -> DomainError:
    return conflict("vote_not_open", _l("The vote is not open for ballots"))


def cast_ballot(vote: Vote, *, choice, channel, unit=None, serial=None, proxy_name="",
                proxy_ref="") -> CastResult:
    """Cast the ballot of the voter group holding `unit` (or printed with `serial`).

    Online: the signed-in owner, a title holder of the group in the frozen roll. Paper and
    proxy: the residents' committee, from the signed ballot; proxy needs the proxy's name
    and the written authorisation's reference. One ballot per voter, whatever the channel:
    the partial unique index refuses a second one even when both arrive at once (409
    duplicate_ballot, the attempt kept for the secretary). 409 vote_not_open outside the
    voting time, election_ballot for an owners'-committee election; 422 for a unit not in
    the roll, an unknown or mismatched serial, or bad input; 403 out of scope.
    """
    if choice not in _CHOICES:
        raise invalid(_l("Choice must be agree, oppose or abstain"), "choice")
    if channel not in _CHANNELS:
        raise invalid(_l("Channel must be online, paper or proxy"), "channel")
    proxy = channel == Channel.proxy.value
    proxy_name = clean_text(proxy_name, "proxy_name", _l("Proxy's name"), 64, required=proxy)
    proxy_ref = clean_text(proxy_ref, "proxy_ref", _l("Authorisation reference"), 64,
                           required=proxy)
    if serial is not None and not isinstance(serial, str | int):
        raise invalid(_l("Serial must be text"), "serial")
    if own_ballot_page(vote) is not None:
        raise conflict("election_ballot", _l(
            "This vote elects the owners' committee: its ballot marks each candidate, on "
            "the election's own ballot page"))
    pg = db.session.get_bind().dialect.name == "postgresql"
    if pg:
        _take_ballot_lock(vote)
    group = roll_unit = holder = None
    user = acting_user()
    pid = user.person_id if user is not None else None
    named_unit = unit not in (None, "")
    # the roll entry and the vote's state in one read, after the lock (see _take_ballot_lock)
    found = roll_unit_and_group(vote, unit, pid, with_state=True) if named_unit else None
    is_open = (Vote.open_state(found.status, found.closes_at) if found is not None
               else _still_open(vote))
    if not is_open:
        raise _not_open()
    if named_unit:
        if found is None:
            raise DomainError("unit_not_in_roll", _l("This unit is not in the vote's roll"),
                              field="unit")
        roll_unit, group, holder = found[:3]
    if serial not in (None, ""):
        by_serial = group_by_serial(vote, str(serial))
        if by_serial is None:
            raise DomainError("unknown_serial", _l("No ballot of this vote has serial %(s)s",
                                                   s=serial), field="serial")
        if group is not None and by_serial.id != group.id:
            raise DomainError("serial_mismatch",
                              _l("Serial %(s)s belongs to another voter than unit %(u)s",
                                 s=serial, u=roll_unit.label), field="serial")
        if by_serial is not group:
            group, holder = by_serial, None
    if group is None:
        raise invalid(_l("Name the unit (or the ballot's serial number)"), "unit")
    unit_id = roll_unit.unit_id if roll_unit is not None else first_unit_id(group.id)
    _authorize_channel(vote, group, channel, pid, holder if pid is not None else False)
    ballot = Ballot(vote_id=vote.id, group_id=group.id, unit_id=unit_id, choice=choice,
                    channel=channel, receipt=new_receipt(),
                    serial=group.serial if channel != Channel.online.value else "",
                    proxy_name=proxy_name, proxy_ref=proxy_ref,
                    cast_by_id=user.id if user else None, cast_by=user.username if user else "",
                    cast_at=utcnow())
    db.session.add(ballot)
    try:
        # the partial unique index: a second live ballot of this voter fails here, even
        # when both arrive at the same moment (the later one waits for the first to commit)
        db.session.flush()
        # SQLite has no row locks: the insert took the database's write lock, so a close
        # that committed before it is visible now, and none can commit until we do
        if not pg and not _still_open(vote):
            db.session.rollback()
            raise _not_open()
        covers = group.labels.split("、")
        audit.record("vote.ballot", "ballot", ballot.id,
                     {"vote": vote.id, "group": group.serial, "units": covers,
                      "channel": channel, "choice": choice,
                      **({"proxy_name": proxy_name, "proxy_ref": proxy_ref} if proxy else {})},
                     compound_id=vote.compound_id)
        result = CastResult(ballot.id, ballot.receipt, covers)
        db.session.commit()
    except IntegrityError:
        raise _refuse_duplicate(vote, group, unit_id, channel, choice) from None
    return result


_SHARED_BALLOT_LOCK = select(func.pg_advisory_xact_lock_shared(
    bindparam("cls", LOCK_CLASS, type_=Integer), bindparam("vid", type_=Integer)))


def _take_ballot_lock(vote: Vote) -> None:
    """Take the vote's ballot lock in shared mode, held to the end of the transaction
    (PostgreSQL): ballots share it, closing takes it exclusively (see lifecycle._close), so
    a close waits until this ballot is committed and counts it. An advisory lock is cheaper
    than a row lock on a hot row. It must be its own statement: a statement reads the
    database as it was when it began, so the vote's status is read by the next one, after
    the grant."""
    db.session.execute(_SHARED_BALLOT_LOCK, {"vid": vote.id})


_STATE = select(Vote.status, Vote.closes_at).where(Vote.id == bindparam("vid"))


def _still_open(vote: Vote) -> bool:
    """Whether the vote accepts ballots, read afresh from the database (on PostgreSQL after
    _take_ballot_lock, so that a close that came first is seen)."""
    state = db.session.execute(_STATE, {"vid": vote.id}).one()
    return Vote.open_state(state.status, state.closes_at)


def void_ballot(vote: Vote, ballot_id: int, reason) -> Ballot:
    """Void a mistyped paper or proxy ballot (the voter may then be entered again): 422
    without a reason, 404 for a ballot of another vote, 409 unless the vote is open, for an
    owner's online ballot, or for a ballot already voided."""
    authorize("vote.enter_paper", vote)
    reason = clean_text(reason, "reason", _l("Reason"), 500)
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.vote_id != vote.id:
        raise not_found("ballot")
    if not vote.accepting_ballots():
        raise conflict("vote_not_open", _l("Ballots can be voided only while the vote is open"))
    ballot.void(actor_name(), reason, utcnow())
    audit.record("vote.ballot_void", "ballot", ballot.id,
                 {"vote": vote.id, "group": ballot.group.serial, "reason": reason},
                 compound_id=vote.compound_id)
    db.session.commit()
    return ballot


def recent_paper_ballots(vote: Vote, limit: int = 30) -> list[Ballot]:
    """The paper and proxy ballots entered last (voided ones too), for the entry page."""
    authorize("vote.enter_paper", vote)
    return recent_paper(vote, limit)


def recent_paper(vote: Vote, limit: int = 30) -> list[Ballot]:
    return list(db.session.scalars(
        select(Ballot).where(Ballot.vote_id == vote.id, Ballot.channel != Channel.online.value)
        .options(selectinload(Ballot.group)).order_by(Ballot.id.desc()).limit(limit)))


@dataclass(frozen=True)
class ReceiptCheck:
    counted: bool
    vote_id: int
    vote_title: str
    compound: str
    cast_at: dt.datetime
    voided_at: dt.datetime | None


def check_receipt(code) -> ReceiptCheck | None:
    """What a receipt code proves, and nothing more: whether that ballot is counted, for
    which vote, since when. Not the choice, not the voter, nothing about other ballots."""
    norm = normalize_receipt(code)
    if len(norm) != 16:
        return None
    ballot = db.session.scalar(select(Ballot).where(Ballot.receipt == norm))
    if ballot is None:
        return None
    vote = db.session.get(Vote, ballot.vote_id)
    return ReceiptCheck(counted=ballot.voided_at is None and vote.status != S.cancelled.value,
                        vote_id=vote.id, vote_title=vote.title, compound=vote.compound.name,
                        cast_at=ballot.cast_at, voided_at=ballot.voided_at)
