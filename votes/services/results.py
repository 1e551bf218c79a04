"""What the count says: the stored result, the live progress for the secretary, the
door-knocking list of voters still to reach, and the building picture of who has voted."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select

from core.errors import DomainError, conflict
from core.extensions import db
from core.permissions import authorize
from core.types import area_to_str
from votes import rules
from votes.models import (
    Ballot,
    BallotAttempt,
    Channel,
    Delivery,
    RollGroup,
    RollHolder,
    RollUnit,
    Vote,
    standing_ballot,
)
from votes.services.access import may_see_result
from votes.services.ballots import recent_paper
from votes.services.common import floor_grid, iso, roll_required
from votes.services.tally import compute_tally, fractions, voided_count


def check_result_visible(vote: Vote) -> None:
    """409 before the vote has closed; 403 for an owner before the result is published."""
    if not vote.counted:
        raise conflict("not_closed", _l("The result exists once the vote has closed"))
    if not may_see_result(vote):
        raise DomainError("not_published", _l("The result is shown once it is published"),
                          status=403)


def result(vote: Vote) -> dict:
    """The stored result (computed once at closing), with the vote's status."""
    check_result_visible(vote)
    revoked = None if not vote.revoked else {
        "at": iso(vote.revoked_at), "by": vote.revoked_by, "reason": vote.revoke_reason,
        "basis": vote.revoke_basis}
    return {"status": vote.status, "vote": vote.id, "closed_at": iso(vote.closed_at),
            "published_at": iso(vote.published_at), "revoked": revoked, **vote.result}


# -- the live progress ---------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    tally: rules.TallyResult
    more_area_c: int
    more_heads: int
    by_channel: dict[str, int]
    voided: int
    attempts: list[BallotAttempt]
    recent: list[Ballot]

    @property
    def more_area(self) -> Decimal:
        return rules.centi_to_area(self.more_area_c)

    @property
    def turnout_area_bar(self) -> int:
        return min(100, math.floor(self.tally.turnout_area * 100))

    @property
    def turnout_heads_bar(self) -> int:
        return min(100, math.floor(self.tally.turnout_heads * 100))

    @property
    def quorum_area_needed(self) -> Decimal:
        """The area two thirds of the roll means, in m² (rounded up to 0.01)."""
        t = self.tally
        return rules.centi_to_area(-(-2 * t.roll_area_c // 3))

    @property
    def quorum_heads_needed(self) -> int:
        return -(-2 * self.tally.roll_heads // 3)

    def as_api(self) -> dict:
        body = self.tally.as_api()
        body["fractions"] = fractions(self.tally)
        body["needed"] = {"area": area_to_str(self.more_area), "heads": self.more_heads}
        body["by_channel"] = self.by_channel
        body["voided_ballots"] = self.voided
        body["refused_attempts"] = len(self.attempts)
        return body


def still_needed(t: rules.TallyResult) -> tuple[int, int]:
    """Area (centi-m²) and heads still needed to reach the 2/3 turnout."""
    return rules.needed_for_quorum(t.roll_area_c, t.roll_heads, t.participated_area_c,
                                   t.participated_heads)


def progress(vote: Vote) -> Progress:
    """Live progress for the secretary: turnout against the 2/3 bars, what is still
    needed, consent so far, ballots by channel, voided ballots and refused attempts."""
    authorize("vote.manage", vote)
    roll_required(vote)
    t = compute_tally(vote)
    more_area_c, more_heads = still_needed(t)
    by_channel = dict.fromkeys((c.value for c in Channel), 0)
    for channel, n in db.session.execute(
            select(Ballot.channel, func.count()).where(
                Ballot.vote_id == vote.id, Ballot.voided_at.is_(None))
            .group_by(Ballot.channel)):
        by_channel[channel] = n
    attempts = list(db.session.scalars(
        select(BallotAttempt).where(BallotAttempt.vote_id == vote.id)
        .order_by(BallotAttempt.id.desc()).limit(100)))
    return Progress(t, more_area_c, more_heads, by_channel, voided_count(vote), attempts,
                    recent_paper(vote))


# -- the door-knocking list and the building picture ---------------------------------------

@dataclass(frozen=True)
class DoorRow:
    serial: str
    labels: str
    names: str
    phones: str
    area: Decimal
    units: int
    developer: bool
    voided: bool
    #: the notice reached one of the voter's units (送达)
    delivered: bool = False


@dataclass(frozen=True)
class DoorList:
    rows: list[DoorRow]
    total: int
    area: Decimal
    page: int
    pages: int


DOOR_SORTS = ("area_desc", "area_asc", "unit")


def _reached(vote: Vote):
    """A delivery to one of the (correlated) RollGroup's units: the voter was reached."""
    return select(Delivery.id).join(RollUnit, and_(
        RollUnit.vote_id == Delivery.vote_id, RollUnit.unit_id == Delivery.unit_id)).where(
        Delivery.vote_id == vote.id, RollUnit.group_id == RollGroup.id)


def door_list(vote: Vote, *, sort: str = "area_desc", building_id: int | None = None,
              page: int = 1, size: int | None = 100, undelivered: bool = False) -> DoorList:
    """扫楼名单: voter groups that have not (or no longer, after a void) voted, with units,
    owners, phones and area; largest area first by default, since area moves turnout most."""
    authorize("vote.manage", vote)
    roll_required(vote)
    q = select(RollGroup).where(RollGroup.vote_id == vote.id, ~standing_ballot())
    if building_id:
        q = q.where(RollGroup.id.in_(select(RollUnit.group_id).where(
            RollUnit.vote_id == vote.id, RollUnit.building_id == building_id)))
    if undelivered:  # 未送达: the notice has reached none of the voter's units
        q = q.where(~exists(_reached(vote)))
    sub = q.subquery()
    totals = db.session.execute(select(func.count(), func.sum(sub.c.area))).one()
    total = totals[0] or 0
    order = {"area_desc": (RollGroup.area.desc(), RollGroup.serial),
             "area_asc": (RollGroup.area.asc(), RollGroup.serial),
             "unit": (RollGroup.serial,)}[sort if sort in DOOR_SORTS else "area_desc"]
    pages = 1 if not size else max(1, math.ceil(total / size))
    page = min(max(page, 1), pages)
    q = q.order_by(*order)
    if size:
        q = q.offset((page - 1) * size).limit(size)
    groups = db.session.scalars(q).all()
    ids = [g.id for g in groups]
    phones: dict[int, list[str]] = defaultdict(list)
    voided: set[int] = set()
    delivered: set[int] = set()
    if ids:
        for gid, phone in db.session.execute(
                select(RollHolder.group_id, RollHolder.phone)
                .where(RollHolder.group_id.in_(ids)).order_by(RollHolder.id)):
            if phone and phone not in phones[gid]:
                phones[gid].append(phone)
        voided = set(db.session.scalars(select(Ballot.group_id).where(
            Ballot.group_id.in_(ids), Ballot.voided_at.is_not(None))))
        delivered = set(db.session.scalars(select(RollGroup.id).where(
            RollGroup.id.in_(ids), exists(_reached(vote)))))
    rows = [DoorRow(g.serial, g.labels, g.names, "、".join(phones[g.id]), g.area, g.units,
                    g.developer, g.id in voided, g.id in delivered) for g in groups]
    # the area is summed in SQL on Area (exact on both engines)
    area = totals[1] if totals[1] is not None else Decimal("0.00")
    return DoorList(rows, total, Decimal(area).quantize(Decimal("0.01")), page, pages)


@dataclass(frozen=True)
class Room:
    label: str
    number: str
    state: str  # "voted" | "voided" | "none"


@dataclass(frozen=True)
class EntranceView:
    number: str
    floors: list[tuple[int, list[Room]]]  # top floor first
    voted: int
    units: int


@dataclass(frozen=True)
class BuildingView:
    building_id: int
    number: str
    entrances: list[EntranceView]
    voted: int
    units: int


def building_picture(vote: Vote) -> list[BuildingView]:
    """Each building of the roll as floors × rooms, each room with its voter's ballot state
    (never the choice): voted, voided (and not re-entered), or not yet."""
    authorize("vote.manage", vote)
    roll_required(vote)
    live = set(db.session.scalars(select(Ballot.group_id).where(
        Ballot.vote_id == vote.id, Ballot.voided_at.is_(None))))
    voided = set(db.session.scalars(select(Ballot.group_id).where(
        Ballot.vote_id == vote.id, Ballot.voided_at.is_not(None)))) - live
    rows = db.session.execute(
        select(RollUnit.building_id, RollUnit.building_number, RollUnit.entrance_number,
               RollUnit.floor, RollUnit.number, RollUnit.label, RollUnit.group_id)
        .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
    views = []
    for bid, number, entrances in floor_grid(
            (r.building_id, r.building_number, r.entrance_number, r.floor,
             Room(r.label, r.number, "voted" if r.group_id in live
                  else "voided" if r.group_id in voided else "none")) for r in rows):
        shown = [EntranceView(e, floors,
                              sum(room.state == "voted" for _f, rs in floors for room in rs),
                              sum(len(rs) for _f, rs in floors)) for e, floors in entrances]
        views.append(BuildingView(bid, number, shown, sum(e.voted for e in shown),
                                  sum(e.units for e in shown)))
    return views

