"""The delivery register (送达): how the notice and the ballot reached each voter — posted,
signed for in person, by mail, by SMS, or electronically when the owner opened the vote
online. A court asks this first, so every delivery is audited.

Who is one voter is the roll's law: once the vote is open, the frozen roll's groups; before,
the registry's scope grouped exactly as opening would (`roll.preview_roll`). A voter counts
as reached when any of its units has a delivery.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import Holding, Unit
from core import audit
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import acting_user, choice, local_datetime
from core.inputs import text as clean_text
from core.permissions import authorize
from core.types import utcnow
from reports.vote_notice import DeliveryFigures
from votes.models import Delivery, DeliveryMethod, RollGroup, RollHolder, RollUnit, Vote, VoteStatus
from votes.services.access import voting_person_id
from votes.services.common import floor_grid, iso
from votes.services.roll import preview_roll, scope_condition

S = VoteStatus
M = DeliveryMethod

#: the register takes deliveries while the notice stands and the vote runs
DELIVERABLE = (S.announced.value, S.open.value)

#: a delivery's method as the notices print it
METHOD_ZH = {"posted": "张贴", "in_person": "当面签收", "mail": "邮寄", "sms": "短信",
             "electronic": "电子送达"}


@dataclass(frozen=True)
class ScopeUnit:
    unit_id: int
    label: str
    building_id: int
    building_number: str
    entrance_number: str
    floor: int
    number: str
    sort_key: str


@dataclass(frozen=True)
class Voter:
    key: str
    units: tuple[ScopeUnit, ...]


def voters_of(vote: Vote) -> list[Voter]:
    """The vote's voters and their units in the registry's order: the frozen roll once the
    vote has opened, else the scope as opening it now would group it (nothing written)."""
    if vote.roll_units is not None:
        by_group: dict[int, list[ScopeUnit]] = defaultdict(list)
        keys: dict[int, str] = {}
        for r in db.session.execute(
                select(RollUnit.group_id, RollGroup.key, RollUnit.unit_id, RollUnit.label,
                       RollUnit.building_id, RollUnit.building_number,
                       RollUnit.entrance_number, RollUnit.floor, RollUnit.number,
                       RollUnit.sort_key)
                .join(RollGroup, RollGroup.id == RollUnit.group_id)
                .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)):
            keys[r.group_id] = r.key
            by_group[r.group_id].append(ScopeUnit(r.unit_id, r.label, r.building_id,
                                                  r.building_number, r.entrance_number,
                                                  r.floor, r.number, r.sort_key))
        return [Voter(keys[g], tuple(units)) for g, units in by_group.items()]
    preview = preview_roll(vote)
    by_id = {u.id: u for u in preview.units}
    order = {u.id: n for n, u in enumerate(preview.units)}
    return [Voter(g.key, tuple(
        ScopeUnit(u.id, u.label, u.building_id, u.building_number, u.entrance_number,
                  u.floor, u.number, u.sort_key)
        for u in sorted((by_id[i] for i in g.unit_ids), key=lambda u: order[u.id])))
        for g in preview.groups]


def _announced(vote: Vote) -> None:
    """409 before the notice is published: there is nothing to deliver yet."""
    if vote.announced_at is None:
        raise conflict("not_announced", _l("The notice is delivered once it is published"))


def _check_deliverable(vote: Vote) -> None:
    _announced(vote)
    if vote.status not in DELIVERABLE or vote.is_due():
        raise conflict("vote_closed", _l("Deliveries are recorded while the notice stands "
                                         "and the vote runs"))


def _unit_in_scope(vote: Vote, ref) -> ScopeUnit:
    """A unit of the vote's voters by id or label ("7-2-301"); 422 otherwise."""
    if isinstance(ref, bool) or not isinstance(ref, str | int) or str(ref).strip() == "":
        raise invalid(_l("Name the unit (its number or label)"), "unit")
    text_ = str(ref).strip()
    for voter in voters_of(vote):
        for u in voter.units:
            if u.label == text_ or (text_.isascii() and text_.isdigit()
                                      and u.unit_id == int(text_)):
                return u
    raise DomainError("unit_not_in_scope", _l("Unit %(u)s is not in this vote's scope",
                                              u=text_), field="unit", status=422)


def record_delivery(vote: Vote, *, unit, method, delivered_at=None, signed_by="",
                    ref="") -> Delivery:
    """Record how the notice and ballot reached a unit (audited). 409 before the notice or
    after the close; 422 for a unit outside the scope, an in-person delivery nobody signed
    for, mail without its number, or a time in the future or before the notice."""
    authorize("vote.deliver", vote)
    _check_deliverable(vote)
    found = _unit_in_scope(vote, unit)
    m = choice(M, method, "method", _l("Method")).value
    signed_by = clean_text(signed_by, "signed_by", _l("Signed by"), 64, required=False)
    ref = clean_text(ref, "ref", _l("Reference"), 64, required=False)
    if m == M.in_person.value and not signed_by:
        raise invalid(_l("An in-person delivery needs the name of who signed for it"),
                      "signed_by")
    if m == M.mail.value and not ref:
        raise invalid(_l("A delivery by mail needs the mail's number"), "ref")
    now = utcnow()
    at = local_datetime(delivered_at, "delivered_at", _l("Delivered at"), required=False) or now
    if at > now + dt.timedelta(minutes=5):
        raise invalid(_l("The delivery time cannot be in the future"), "delivered_at")
    if at < vote.announced_at - dt.timedelta(minutes=5):
        raise invalid(_l("The notice cannot be delivered before it was published"),
                      "delivered_at")
    user = acting_user()
    row = Delivery(vote_id=vote.id, unit_id=found.unit_id, label=found.label, method=m,
                   delivered_at=at, signed_by=signed_by, ref=ref,
                   recorded_by_id=user.id if user is not None else None,
                   recorded_by=user.username if user is not None else "")
    db.session.add(row)
    db.session.flush()
    audit.record("vote.deliver", "vote", vote.id,
                 {"delivery": row.id, "unit": found.label, "method": m,
                  "delivered_at": iso(at), "signed_by": signed_by, "ref": ref},
                 compound_id=vote.compound_id)
    db.session.commit()
    return row


def note_online_view(vote: Vote) -> int:
    """Electronic delivery, recorded by itself: the signed-in owner opened the vote online
    (its ballot page, or the vote through the API). Once per unit the owner holds in scope;
    how many were recorded now (0 when there was nothing new, or the vote takes none)."""
    user, pid = acting_user(), voting_person_id()
    if pid is None or vote.status not in DELIVERABLE or vote.announced_at is None:
        return 0
    if vote.roll_units is not None:
        units = db.session.execute(
            select(RollUnit.unit_id, RollUnit.label)
            .join(RollHolder, RollHolder.group_id == RollUnit.group_id)
            .where(RollUnit.vote_id == vote.id, RollHolder.person_id == pid)).all()
    else:
        units = db.session.execute(
            select(Unit.id, Unit.label).join(Holding, Holding.unit_id == Unit.id)
            .where(scope_condition(vote), Holding.person_id == pid)).all()
    if not units:
        return 0
    done = set(db.session.scalars(select(Delivery.unit_id).where(
        Delivery.vote_id == vote.id, Delivery.method == M.electronic.value,
        Delivery.unit_id.in_([u[0] for u in units]))))
    new = sorted({(uid, label) for uid, label in units if uid not in done})
    if not new:
        return 0
    now = utcnow()
    for uid, label in new:
        db.session.add(Delivery(vote_id=vote.id, unit_id=uid, label=label,
                                method=M.electronic.value, delivered_at=now,
                                recorded_by_id=user.id, recorded_by=user.username))
    audit.record("vote.deliver", "vote", vote.id,
                 {"units": [label for _u, label in new], "method": M.electronic.value,
                  "delivered_at": iso(now)}, compound_id=vote.compound_id)
    db.session.commit()
    return len(new)


# -- the figures ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DeliverySummary:
    voters: int
    delivered: int
    #: voters by the method of their first delivery (so the counts add up to `delivered`)
    by_method: dict[str, int]
    #: the unit labels of the voters not reached
    missing: list[str]
    #: unit id → the unit's first delivery method; the keys of the voters reached
    unit_methods: dict[int, str] = field(default_factory=dict)
    reached_keys: frozenset[str] = frozenset()

    def as_api(self) -> dict:
        return {"voters": self.voters, "delivered": self.delivered,
                "by_method": self.by_method, "missing": self.missing}


def summarize(vote: Vote, voters: list[Voter] | None = None) -> DeliverySummary:
    """Voters, how many were reached and how, and who was not (no permission check: the
    callers check theirs)."""
    voters = voters_of(vote) if voters is None else voters
    first: dict[int, tuple[dt.datetime, int, str]] = {}
    for uid, method, at, did in db.session.execute(
            select(Delivery.unit_id, Delivery.method, Delivery.delivered_at, Delivery.id)
            .where(Delivery.vote_id == vote.id)):
        if uid not in first or (at, did) < first[uid][:2]:
            first[uid] = (at, did, method)
    by_method = dict.fromkeys((m.value for m in M), 0)
    missing: list[str] = []
    reached: set[str] = set()
    for voter in voters:
        seen = [first[u.unit_id] for u in voter.units if u.unit_id in first]
        if seen:
            reached.add(voter.key)
            by_method[min(seen)[2]] += 1
        else:
            missing.extend(u.label for u in voter.units)
    return DeliverySummary(len(voters), len(reached), by_method, missing,
                           {uid: m for uid, (_a, _d, m) in first.items()}, frozenset(reached))


def delivery_figures(vote: Vote) -> DeliveryFigures | None:
    """The result notice's delivery line (None for a vote with no delivery recorded: its
    notice says nothing rather than "reached 0")."""
    if vote.announced_at is None or not db.session.scalar(
            select(Delivery.id).where(Delivery.vote_id == vote.id).limit(1)):
        return None
    s = summarize(vote)
    return DeliveryFigures(s.voters, s.delivered, tuple(
        (METHOD_ZH[m], n) for m, n in s.by_method.items() if n))


def delivery_summary(vote: Vote) -> DeliverySummary:
    """The register's figures for the people who deliver (API `GET …/deliveries`)."""
    authorize("vote.deliver", vote)
    _announced(vote)
    return summarize(vote)


# -- the grid the volunteers tap on a phone ------------------------------------------------

@dataclass(frozen=True)
class Cell:
    unit_id: int
    label: str
    number: str
    reached: bool
    method: str  # the unit's own first delivery method, or "" (reached through a sibling)


@dataclass(frozen=True)
class EntranceGrid:
    number: str
    floors: list[tuple[int, list[Cell]]]  # top floor first
    reached: int
    units: int


@dataclass(frozen=True)
class BuildingGrid:
    number: str
    entrances: list[EntranceGrid]


@dataclass(frozen=True)
class DeliveryGrid:
    summary: DeliverySummary
    buildings: list[BuildingGrid]
    units: dict[int, ScopeUnit]


def delivery_grid(vote: Vote) -> DeliveryGrid:
    """Each building as floors × units, each unit reached or not (its voter's state)."""
    authorize("vote.deliver", vote)
    _announced(vote)
    voters = voters_of(vote)
    summary = summarize(vote, voters)
    units: dict[int, ScopeUnit] = {}
    for voter in voters:
        for u in voter.units:
            units[u.unit_id] = u
    reached_units = {u.unit_id for v in voters if v.key in summary.reached_keys for u in v.units}
    grid = floor_grid(
        (u.building_id, u.building_number, u.entrance_number, u.floor,
         Cell(u.unit_id, u.label, u.number, u.unit_id in reached_units,
              summary.unit_methods.get(u.unit_id, "")))
        for u in sorted(units.values(), key=lambda x: x.sort_key))  # the registry's order
    out = [BuildingGrid(number, [
        EntranceGrid(e, floors, sum(c.reached for _f, cs in floors for c in cs),
                     sum(len(cs) for _f, cs in floors)) for e, floors in entrances])
        for _bid, number, entrances in grid]
    return DeliveryGrid(summary, out, units)
