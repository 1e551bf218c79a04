"""The frozen roll (表决名册): copied from the registry when a vote opens, and looked up by
unit, label, serial or holder afterwards. Later registry edits never change it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, bindparam, exists, insert, or_, select, text

from compounds.models import Building, Entrance, Holding, Person, Unit
from core.extensions import db
from core.loader import MAX_ID
from votes import rules
from votes.models import Ballot, RollGroup, RollHolder, RollUnit, Vote
from votes.services.common import make_serial, normalize_serial


@dataclass(frozen=True)
class _Holder:
    person_id: int
    name: str
    phone: str


@dataclass(frozen=True)
class _ScopeUnit:
    id: int
    label: str
    area: Decimal
    floor: int
    number: str
    developer_held: bool
    building_id: int
    entrance_id: int
    building_number: str
    entrance_number: str
    sort_key: str
    holders: tuple[_Holder, ...]


def scope_condition(vote: Vote):
    """The registry's units in the vote's scope, as a WHERE clause on Unit."""
    scope = Unit.compound_id == vote.compound_id
    if vote.scopes:
        whole = [x.building_id for x in vote.scopes if x.entrance_id is None]
        parts = [x.entrance_id for x in vote.scopes if x.entrance_id is not None]
        scope = and_(scope, or_(Unit.building_id.in_(whole), Unit.entrance_id.in_(parts)))
    return scope


def _scope_units(vote: Vote) -> list[_ScopeUnit]:
    """The registry's units in the vote's scope with their holders, in the registry's order.

    Two column queries (no ORM objects), so a 20,000-unit roll freezes in seconds.
    (A read-only view of the registry; compounds.services.unit_facts has the same shape
    without labels and names.)
    """
    scope = scope_condition(vote)
    holders: dict[int, list[_Holder]] = defaultdict(list)
    for unit_id, pid, name, phone in db.session.execute(
            select(Holding.unit_id, Person.id, Person.name, Person.phone)
            .join(Person, Person.id == Holding.person_id)
            .join(Unit, Unit.id == Holding.unit_id).where(scope)
            .order_by(Holding.unit_id, Holding.position, Holding.id)):
        holders[unit_id].append(_Holder(pid, name, phone or ""))
    rows = db.session.execute(
        select(Unit.id, Unit.label, Unit.area, Unit.floor, Unit.number, Unit.developer_held,
               Unit.building_id, Unit.entrance_id, Building.number, Entrance.number,
               Building.sort_key, Entrance.sort_key, Unit.sort_key)
        .join(Building, Building.id == Unit.building_id)
        .join(Entrance, Entrance.id == Unit.entrance_id).where(scope)
        .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key, Unit.id))
    return [_ScopeUnit(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8], r[9],
                       f"{r[10]}|{r[11]}|{r[12]}", tuple(holders.get(r[0], ())))
            for r in rows]


def _bulk_insert(model, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Insert many rows in the current transaction; their new ids (in order) if asked.

    PostgreSQL gets COPY (ids drawn from the table's sequence first): freezing a
    20,000-unit roll is then a second, not ten. SQLite takes the ordinary bulk insert.
    """
    if not rows:
        return []
    if db.session.get_bind().dialect.name != "postgresql":
        if ids:
            return list(db.session.execute(
                insert(model).returning(model.id, sort_by_parameter_order=True), rows).scalars())
        db.session.execute(insert(model), rows)
        return []
    table = model.__table__
    new_ids: list[int] = []
    if ids:
        new_ids = list(db.session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                 "FROM generate_series(1, :n)"), {"t": table.name, "n": len(rows)}).scalars())
        rows = [{**r, "id": i} for r, i in zip(rows, new_ids, strict=True)]
    columns = list(rows[0])
    raw = db.session.connection().connection.dbapi_connection
    quoted = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row([r[c] for c in columns])
    return new_ids


def _grouped(vote: Vote) -> tuple[list[_ScopeUnit], list[rules.VoterGroup]]:
    """The scope's units and their voter groups, in the registry's order of each group's
    first unit (the order the roll numbers them in)."""
    units = _scope_units(vote)
    order = {u.id: n for n, u in enumerate(units)}
    records = [rules.UnitRecord(unit_id=u.id, area=u.area, developer_held=u.developer_held,
                                holder_ids=frozenset(h.person_id for h in u.holders))
               for u in units]
    return units, sorted(rules.group_voters(records),
                         key=lambda g: min(order[i] for i in g.unit_ids))


@dataclass(frozen=True)
class RollPreview:
    """The roll as opening the vote now would freeze it, read from the registry and written
    nowhere: the notice's provisional totals and the delivery register before the vote
    opens."""

    units: list[_ScopeUnit]
    groups: list[rules.VoterGroup]

    @property
    def totals(self) -> tuple[int, Decimal, int]:
        """(units, area, heads), as `freeze_roll` returns them."""
        area_c, heads, n_units = rules.roll_totals(self.groups)
        return n_units, rules.centi_to_area(area_c), heads


def preview_roll(vote: Vote) -> RollPreview:
    return RollPreview(*_grouped(vote))


def freeze_roll(vote: Vote) -> tuple[int, Decimal, int]:
    """Copy the scope's units, voter groups and holders into the vote's roll (no commit).

    Grouping is `votes.rules.group_voters`: one head per title-holder group, all developer
    units together one head. Groups are numbered in the registry's order of their first
    unit; that number, with a check digit, is the paper ballot's serial.
    """
    units, groups = _grouped(vote)
    order = {u.id: n for n, u in enumerate(units)}
    by_id = {u.id: u for u in units}
    group_rows, members = [], []
    for n, g in enumerate(groups, start=1):
        gunits = sorted((by_id[i] for i in g.unit_ids), key=lambda u: order[u.id])
        holders: list[_Holder] = []
        seen: set[int] = set()
        for u in gunits:
            for h in u.holders:
                if h.person_id not in seen:
                    seen.add(h.person_id)
                    holders.append(h)
        members.append((gunits, holders))
        group_rows.append({
            "vote_id": vote.id, "key": g.key, "serial": make_serial(vote.id, n), "heads": 1,
            "area": g.area, "units": len(g.unit_ids), "developer": g.key == rules.DEVELOPER_KEY,
            "first_label": gunits[0].label, "labels": "、".join(u.label for u in gunits),
            "names": "、".join(h.name for h in holders)})
    if not group_rows:
        return 0, Decimal("0.00"), 0
    ids = _bulk_insert(RollGroup, group_rows, ids=True)
    unit_rows, holder_rows = [], []
    for gid, (gunits, holders) in zip(ids, members, strict=True):
        for u in gunits:
            unit_rows.append({
                "vote_id": vote.id, "group_id": gid, "unit_id": u.id, "label": u.label,
                "area": u.area, "floor": u.floor, "building_id": u.building_id,
                "entrance_id": u.entrance_id, "building_number": u.building_number,
                "entrance_number": u.entrance_number, "number": u.number,
                "sort_key": u.sort_key})
        for h in holders:
            holder_rows.append({"vote_id": vote.id, "group_id": gid, "person_id": h.person_id,
                                "name": h.name, "phone": h.phone})
    _bulk_insert(RollUnit, unit_rows)
    _bulk_insert(RollHolder, holder_rows)
    area_c, heads, n_units = rules.roll_totals(groups)
    return n_units, rules.centi_to_area(area_c), heads


# -- looking the roll up -------------------------------------------------------------------

def _roll_lookup(by_label: bool, with_state: bool):
    holder = exists().where(RollHolder.group_id == RollGroup.id,
                            RollHolder.person_id == bindparam("pid"))
    q = select(RollUnit, RollGroup, holder).join(
        RollGroup, RollGroup.id == RollUnit.group_id).where(
        RollUnit.vote_id == bindparam("vid"),
        (RollUnit.label if by_label else RollUnit.unit_id) == bindparam("ref"))
    if with_state:
        q = q.join(Vote, Vote.id == RollUnit.vote_id).add_columns(Vote.status, Vote.closes_at)
    return q


# Built once: every online ballot runs one of them, and building a statement (and its cache
# key) costs about as much Python time as running it.
_ROLL_LOOKUP = {(by_label, with_state): _roll_lookup(by_label, with_state)
                for by_label in (False, True) for with_state in (False, True)}


def roll_unit_and_group(vote: Vote, ref, person_id: int | None = None, *,
                        with_state: bool = False):
    """(roll unit, its group, whether `person_id` holds title in that group) or None for a
    unit named by id or label ("7-2-301"); `with_state` adds the vote's status and closes_at
    as read by the same statement."""
    def lookup(by_label: bool, ref):
        return db.session.execute(_ROLL_LOOKUP[by_label, with_state],
                                  {"vid": vote.id, "pid": person_id or 0, "ref": ref}).first()

    if isinstance(ref, int) and not isinstance(ref, bool):
        return lookup(False, ref) if 0 < ref <= MAX_ID else None  # beyond any stored id
    if isinstance(ref, str) and ref.strip():
        text_ = ref.strip()
        if text_.isascii() and text_.isdigit() and 0 < int(text_) <= MAX_ID:
            found = lookup(False, int(text_))
            if found is not None:
                return found
        return lookup(True, text_)
    return None


def find_roll_unit(vote: Vote, ref) -> RollUnit | None:
    """A unit of the frozen roll by unit id or label ("7-2-301")."""
    found = roll_unit_and_group(vote, ref)
    return found[0] if found else None


def group_by_serial(vote: Vote, serial) -> RollGroup | None:
    return db.session.scalar(select(RollGroup).where(
        RollGroup.vote_id == vote.id, RollGroup.serial == normalize_serial(serial)))


def group_labels(group_id: int) -> list[str]:
    return list(db.session.scalars(select(RollUnit.label).where(RollUnit.group_id == group_id)
                                   .order_by(RollUnit.sort_key)))


def first_unit_id(group_id: int) -> int | None:
    """The group's first unit in the registry's order (a ballot names a unit)."""
    return db.session.scalar(select(RollUnit.unit_id).where(RollUnit.group_id == group_id)
                             .order_by(RollUnit.sort_key).limit(1))


def live_ballot(group_id: int) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.group_id == group_id,
                                                  Ballot.voided_at.is_(None)))


@dataclass(frozen=True)
class OwnerGroup:
    group: RollGroup
    labels: list[str]
    ballot: Ballot | None


def owner_groups(vote: Vote, person_id: int | None) -> list[OwnerGroup]:
    """The voter groups of this vote's roll in which the person is a title holder."""
    return owner_groups_by_vote([vote], person_id).get(vote.id, [])


def owner_groups_by_vote(votes, person_id: int | None) -> dict[int, list[OwnerGroup]]:
    """`owner_groups` for many votes in three queries whatever their number (the groups,
    their unit labels, their live ballots): vote id → the person's groups, in roll order.
    Votes without a frozen roll, and votes in which the person is no voter, are absent."""
    vote_ids = [v.id for v in votes if v.roll_units is not None]
    if person_id is None or not vote_ids:
        return {}
    groups = db.session.scalars(
        select(RollGroup).join(RollHolder, RollHolder.group_id == RollGroup.id)
        .where(RollGroup.vote_id.in_(vote_ids), RollHolder.person_id == person_id)
        .order_by(RollGroup.vote_id, RollGroup.serial)).unique().all()
    if not groups:
        return {}
    group_ids = [g.id for g in groups]
    labels: dict[int, list[str]] = defaultdict(list)
    for group_id, label in db.session.execute(
            select(RollUnit.group_id, RollUnit.label).where(RollUnit.group_id.in_(group_ids))
            .order_by(RollUnit.group_id, RollUnit.sort_key)):
        labels[group_id].append(label)
    ballots = {b.group_id: b for b in db.session.scalars(select(Ballot).where(
        Ballot.group_id.in_(group_ids), Ballot.voided_at.is_(None)))}
    out: dict[int, list[OwnerGroup]] = defaultdict(list)
    for g in groups:
        out[g.vote_id].append(OwnerGroup(g, labels[g.id], ballots.get(g.id)))
    return dict(out)


def holds_title(group: RollGroup, person_id: int | None) -> bool:
    """Whether the person is a frozen title holder of the group."""
    return person_id is not None and bool(db.session.scalar(select(exists().where(
        RollHolder.group_id == group.id, RollHolder.person_id == person_id))))
