"""Votes use-cases: load with permission, apply votes.rules, write, audit, commit — one
transaction each. The HTML views, the JSON API, the CLI and the demo all call these.

Lifecycle (DOMAIN.md §2): draft → announced (the notice stands for the compound's
notice_days) → open (the roll is frozen) → closed (by hand, or once closes_at has passed) →
published; cancelled with a reason at any point before the result is published.

Counting happens in SQL over the frozen roll (sum of the groups' areas and heads by choice,
voided ballots left out), and the sums go through `votes.rules.tally`, which holds the law.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Integer, and_, bindparam, exists, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from compounds import services as registry
from core import audit
from core.extensions import db
from core.loader import load
from core.permissions import Target, authorize, may, scope_ids
from core.types import AmountError, area_to_str, fen_to_str, parse_money, utcnow
from votes import rules
from votes.models import (
    Ballot,
    BallotAttempt,
    Channel,
    ElevatorProject,
    RollGroup,
    RollHolder,
    RollUnit,
    RuleVariant,
    Vote,
    VoteScope,
    VoteStatus,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = VoteStatus


class VoteError(Exception):
    """A refused request: `code` for the API, `message` for people, `status` for HTTP."""

    def __init__(self, code: str, message, status: int = 409, field: str | None = None,
                 details: dict | None = None):
        super().__init__(str(message))
        self.code, self.message, self.status = code, message, status
        self.field, self.details = field, details or {}


class NotFound(VoteError):
    def __init__(self, what: str):
        super().__init__("not_found", _l("Not found: %(what)s", what=what), status=404)


def _invalid(message, field_name: str | None = None) -> VoteError:
    return VoteError("validation_error", message, 422, field_name,
                     {"fields": {field_name: str(message)}} if field_name else None)


# -- small helpers ------------------------------------------------------------------------

def parse_time(value, field_name: str) -> dt.datetime | None:
    """An ISO 8601 time (or an aware datetime) → aware UTC; a time without a zone is read
    as Beijing time, the way people in the compound write it."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise _invalid(_l("Give a date and time like 2026-12-01T09:00"), field_name) from None
    else:
        raise _invalid(_l("Give a date and time like 2026-12-01T09:00"), field_name)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(dt.UTC)


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def rule_of(vote: Vote) -> rules.Rule:
    """The rule that counts this vote (the matter's, or the elevator common-land rule)."""
    if vote.rule_variant == RuleVariant.elevator_land.value:
        return rules.ELEVATOR_LAND_RULE
    return rules.rule_for(vote.matter)


def matter_label(vote: Vote) -> str:
    m = rules.Matter(vote.matter)
    return f"第{m.item}项 {m.label_zh}"


def issuer_of(vote: Vote) -> str:
    return vote.issuer or f"{vote.compound.name}居民委员会"


def _luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def make_serial(vote_id: int, n: int) -> str:
    """The printed ballot number "12-000173": vote, group number, Luhn check digit, so a
    mistyped serial (one wrong digit, two swapped) is caught instead of hitting another voter."""
    body = f"{n:05d}"
    return f"{vote_id}-{body}{_luhn(f'{vote_id}{body}')}"


def normalize_serial(text: str) -> str:
    return re.sub(r"\s+", "", str(text or "")).replace("－", "-").replace("—", "-")


_RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud safely


def new_receipt() -> str:
    """16 random characters of 32 (80 bits): unguessable, short enough to copy by hand."""
    return "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(16))


def format_receipt(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize_receipt(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(text or "").upper())


# -- loading ------------------------------------------------------------------------------

# Statements of the ballot path, built once: every online ballot runs them, and building
# a statement (and its cache key) costs about as much Python time as running it.
_ON_ROLL = exists().where(RollHolder.vote_id == Vote.id,
                          RollHolder.person_id == bindparam("pid"))
_VOTE_AND_ON_ROLL = select(Vote, _ON_ROLL).where(Vote.id == bindparam("vid"))
_IS_ON_ROLL = select(_ON_ROLL).where(Vote.id == bindparam("vid"))


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


_ROLL_LOOKUP = {(by_label, with_state): _roll_lookup(by_label, with_state)
                for by_label in (False, True) for with_state in (False, True)}


def get_vote(vote_id: int, action: str = "vote.view", *, lock_due: bool = True) -> Vote:
    """The vote, if the user may do `action` on it (404/403 otherwise).

    A vote still open after its closes_at is closed here, so that reading it after the
    deadline always shows the final state.
    """
    pid = _voting_person_id()
    if action == "vote.view" and pid is not None:
        # an owner: the vote and on_roll(vote) in one query (every online ballot passes here)
        row = db.session.execute(_VOTE_AND_ON_ROLL, {"vid": vote_id, "pid": pid}).first()
        vote, holder = row if row is not None else (None, False)
    else:
        vote, holder = db.session.get(Vote, vote_id), False
    if vote is None:
        raise NotFound("vote")
    if not (action == "vote.view" and holder):
        authorize(action, vote)
    if vote.announced_at is None and not is_staff(vote):
        raise NotFound("vote")  # a draft is not public until its notice is
    if lock_due and _due(vote):
        close_due_vote(vote)
    return vote


def fetch_vote(vote_id: int, action: str) -> Vote:
    """core.loader's way to load a vote named in a URL: `get_vote`, 404 when it is hidden."""
    try:
        return get_vote(vote_id, action)
    except NotFound:
        abort(404)


def on_roll(vote: Vote) -> bool:
    """Whether the signed-in owner is a title holder in the vote's frozen roll: they may see
    the vote and cast its ballot even if the registry has changed since it opened."""
    pid = _voting_person_id()
    if pid is None or vote.roll_units is None:
        return False
    return bool(db.session.scalar(_IS_ON_ROLL, {"vid": vote.id, "pid": pid}))


def _voting_person_id() -> int | None:
    """The signed-in user's person, if they may cast ballots at all (an owner)."""
    pid = current_user.person_id if current_user.is_authenticated else None
    return pid if pid is not None and may("vote.cast") else None


def _due(vote: Vote, now: dt.datetime | None = None) -> bool:
    return (vote.status == S.open.value and vote.closes_at is not None
            and (now or utcnow()) >= vote.closes_at)


def accepting_ballots(vote: Vote, now: dt.datetime | None = None) -> bool:
    return vote.status == S.open.value and not _due(vote, now)


def visible_votes_query(action: str = "vote.view"):
    """Votes of the compounds in which the user may do `action` (compound staff and
    oversight by their scope; an owner, the compounds where they hold units)."""
    q = select(Vote)
    if scope_ids(action, "compound") is None:  # the system administrator
        return q
    return q.where(Vote.compound_id.in_(registry.visible_compound_ids(action)))


def _owned(person_id: int) -> set[tuple[int, int]]:
    """(unit id, compound id) of the units the person holds title to, from the registry."""
    return {(u.id, u.compound_id) for u in registry.my_units(person_id)}


def list_votes(compound_id: int | None = None, status: str | None = None,
               limit: int = 200) -> list[Vote]:
    authorize("vote.view")
    q = visible_votes_query()
    if not (may("compound.view") or may("vote.create") or may("vote.manage")):
        q = q.where(Vote.announced_at.is_not(None))  # owners see votes from their notice on
    if compound_id:
        q = q.where(Vote.compound_id == compound_id)
    if status:
        q = q.where(Vote.status == status)
    return list(db.session.scalars(q.order_by(Vote.id.desc()).limit(limit)).unique())


def is_staff(vote: Vote) -> bool:
    """Compound staff or oversight (not only an owner): sees results before publication."""
    return may("compound.view", vote) or may("vote.manage", vote) or may("vote.create", vote)


# -- creating and editing -----------------------------------------------------------------

def _clean_text(value, field_name: str, max_len: int, label, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise _invalid(_l("%(label)s must be text", label=label), field_name)
    if required and not text:
        raise _invalid(_l("%(label)s is required", label=label), field_name)
    if len(text) > max_len:
        raise _invalid(_l("%(label)s is too long (at most %(n)s characters)", label=label,
                          n=max_len), field_name)
    return text


def _matter(value) -> str:
    try:
        return rules.Matter(value).value
    except (ValueError, TypeError):
        raise _invalid(_l("Unknown matter; use one of: %(m)s",
                          m=", ".join(m.value for m in rules.Matter)), "matter") from None


def resolve_scope(compound, scope) -> list[tuple[int, int | None]]:
    """`[{"building": "7"}, {"building": "8", "entrance": "2"}]` → [(building id, entrance
    id or None)]; None or [] = the whole compound. Buildings and entrances are named by
    their numbers, as on the doors."""
    from compounds.models import Building, Entrance

    if scope in (None, []):
        return []
    if not isinstance(scope, list):
        raise _invalid(_l("Scope must be a list of buildings or entrances"), "scope")
    result: list[tuple[int, int | None]] = []
    for item in scope:
        if not isinstance(item, dict) or "building" not in item:
            raise _invalid(_l("Each scope entry names a building, and maybe an entrance"),
                           "scope")
        bnum = item["building"]
        if isinstance(bnum, bool) or not isinstance(bnum, str | int):
            raise _invalid(_l("Each scope entry names a building, and maybe an entrance"),
                           "scope")
        building = db.session.scalar(select(Building).where(
            Building.compound_id == compound.id, Building.number == str(bnum).strip()))
        if building is None:
            raise _invalid(_l("No building %(n)s in this compound", n=bnum), "scope")
        entrance_id = None
        enum_ = item.get("entrance")
        if enum_ not in (None, ""):
            if isinstance(enum_, bool) or not isinstance(enum_, str | int):
                raise _invalid(_l("Each scope entry names a building, and maybe an entrance"),
                               "scope")
            entrance = db.session.scalar(select(Entrance).where(
                Entrance.building_id == building.id, Entrance.number == str(enum_).strip()))
            if entrance is None:
                raise _invalid(_l("No entrance %(e)s in building %(b)s", e=enum_, b=bnum),
                               "scope")
            entrance_id = entrance.id
        pair = (building.id, entrance_id)
        if pair not in result:
            result.append(pair)
    whole = {b for b, e in result if e is None}
    # an entrance of a building that is wholly in scope adds nothing
    return [(b, e) for b, e in result if e is None or b not in whole]


def scope_json(vote: Vote) -> list[dict]:
    return [{"building": s.building.number,
             **({"entrance": s.entrance.number} if s.entrance is not None else {})}
            for s in vote.scopes]


def scope_text(vote: Vote) -> str:
    """"全小区" or "7号楼、8号楼2单元" (documents are Chinese by nature)."""
    if not vote.scopes:
        return "全小区"
    return "、".join(f"{s.building.number}号楼" + (f"{s.entrance.number}单元" if s.entrance
                                                   else "") for s in vote.scopes)


def scope_label(vote: Vote) -> str:
    """The scope for pages, in the reader's language ("Whole compound", "Building 7, …")."""
    from flask_babel import gettext as _

    if not vote.scopes:
        return _("Whole compound")
    return ", ".join(_("Building %(b)s, entrance %(e)s", b=s.building.number,
                       e=s.entrance.number) if s.entrance else
                     _("Building %(n)s", n=s.building.number) for s in vote.scopes)


def _check_times(opens_at, closes_at, now=None) -> None:
    now = now or utcnow()
    if closes_at is not None and closes_at <= now:
        raise _invalid(_l("The closing time must be in the future"), "closes_at")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise _invalid(_l("The closing time must be after the opening time"), "closes_at")


def create_vote(compound, *, title, matter, question="", scope=None, opens_at=None,
                closes_at=None, publish_names=False, issuer="",
                rule_variant: str = RuleVariant.standard.value, audit_data=None) -> Vote:
    """Create a draft vote of `compound` on an art. 278 matter within a scope."""
    authorize("vote.create", compound)
    title = _clean_text(title, "title", 200, _l("Title"))
    question = _clean_text(question, "question", 20000, _l("Full text"), required=False)
    matter = _matter(matter)
    issuer = _clean_text(issuer, "issuer", 100, _l("Issuing body"), required=False)
    if not isinstance(publish_names, bool):
        raise _invalid(_l("publish_names must be true or false"), "publish_names")
    pairs = resolve_scope(compound, scope)
    opens, closes = parse_time(opens_at, "opens_at"), parse_time(closes_at, "closes_at")
    _check_times(opens, closes)
    vote = Vote(compound_id=compound.id, title=title, question=question or title,
                matter=matter, rule_variant=rule_variant, status=S.draft.value,
                publish_names=publish_names, issuer=issuer, opens_at=opens, closes_at=closes,
                created_by_id=current_user.id if current_user.is_authenticated else None)
    vote.compound = compound
    db.session.add(vote)
    db.session.flush()
    for b, e in pairs:
        vote.scopes.append(VoteScope(building_id=b, entrance_id=e))
    db.session.flush()
    audit.record("vote.create", "vote", vote.id,
                 {"title": title, "matter": matter, "rule": rule_variant,
                  "scope": scope_json(vote), "opens_at": iso(opens), "closes_at": iso(closes),
                  "publish_names": publish_names, **(audit_data or {})},
                 compound_id=compound.id)
    db.session.commit()
    return vote


def update_vote(vote: Vote, *, title, matter, question="", scope=None, opens_at=None,
                closes_at=None, publish_names=False, issuer="") -> Vote:
    """Edit a draft (once announced, the notice is public and the vote is fixed)."""
    authorize("vote.create", vote)
    if vote.status != S.draft.value:
        raise VoteError("invalid_state", _l("Only a draft can be edited"))
    vote.title = _clean_text(title, "title", 200, _l("Title"))
    vote.question = _clean_text(question, "question", 20000, _l("Full text"),
                                required=False) or vote.title
    if vote.rule_variant == RuleVariant.standard.value:
        vote.matter = _matter(matter)
    vote.issuer = _clean_text(issuer, "issuer", 100, _l("Issuing body"), required=False)
    vote.publish_names = bool(publish_names)
    pairs = resolve_scope(vote.compound, scope)
    opens, closes = parse_time(opens_at, "opens_at"), parse_time(closes_at, "closes_at")
    _check_times(opens, closes)
    vote.opens_at, vote.closes_at = opens, closes
    vote.scopes.clear()
    db.session.flush()
    for b, e in pairs:
        vote.scopes.append(VoteScope(building_id=b, entrance_id=e))
    db.session.flush()
    audit.record("vote.update", "vote", vote.id,
                 {"title": vote.title, "matter": vote.matter, "scope": scope_json(vote),
                  "opens_at": iso(opens), "closes_at": iso(closes),
                  "publish_names": vote.publish_names}, compound_id=vote.compound_id)
    db.session.commit()
    return vote


# -- lifecycle ----------------------------------------------------------------------------

def announce(vote: Vote) -> Vote:
    """Publish the notice (公告); the vote may open once the compound's notice_days have
    passed (and not before its planned opening)."""
    authorize("vote.manage", vote)
    if vote.status != S.draft.value:
        raise VoteError("invalid_state", _l("Only a draft can be announced"))
    now = utcnow()
    may_open = now + dt.timedelta(days=vote.compound.notice_days)
    if vote.opens_at is not None and vote.opens_at > may_open:
        may_open = vote.opens_at
    if vote.closes_at is not None and vote.closes_at <= may_open:
        raise _invalid(_l("The vote would close before the notice period ends (%(t)s); "
                          "set a later closing time",
                          t=may_open.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")),
                       "closes_at")
    vote.status, vote.announced_at, vote.may_open_at = S.announced.value, now, may_open
    audit.record("vote.announce", "vote", vote.id,
                 {"announced_at": iso(now), "may_open_at": iso(may_open),
                  "notice_days": vote.compound.notice_days}, compound_id=vote.compound_id)
    db.session.commit()
    return vote


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


def _scope_units(vote: Vote) -> list[_ScopeUnit]:
    """The registry's units in the vote's scope with their holders, in the registry's order.

    Two column queries (no ORM objects), so a 20,000-unit roll freezes in seconds.
    (A read-only view of the registry; compounds.services.unit_facts has the same shape
    without labels and names.)
    """
    from compounds.models import Building, Entrance, Holding, Person, Unit

    scope = Unit.compound_id == vote.compound_id
    if vote.scopes:
        whole = [x.building_id for x in vote.scopes if x.entrance_id is None]
        parts = [x.entrance_id for x in vote.scopes if x.entrance_id is not None]
        scope = and_(scope, or_(Unit.building_id.in_(whole), Unit.entrance_id.in_(parts)))
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


def freeze_roll(vote: Vote) -> tuple[int, Decimal, int]:
    """Copy the scope's units, voter groups and holders into the vote's roll (no commit).

    Grouping is `votes.rules.group_voters`: one head per title-holder group, all developer
    units together one head. Groups are numbered in the registry's order of their first
    unit; that number, with a check digit, is the paper ballot's serial.
    """
    units = _scope_units(vote)
    order = {u.id: n for n, u in enumerate(units)}
    by_id = {u.id: u for u in units}
    records = [rules.UnitRecord(unit_id=u.id, area=u.area, developer_held=u.developer_held,
                                holder_ids=frozenset(h.person_id for h in u.holders))
               for u in units]
    groups = sorted(rules.group_voters(records), key=lambda g: min(order[i] for i in g.unit_ids))
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


def open_vote(vote: Vote) -> Vote:
    """Open the vote and freeze its roll; refused before the notice period has passed."""
    authorize("vote.manage", vote)
    now = utcnow()
    if vote.status == S.draft.value:
        raise VoteError("notice_period", _l("Announce the vote first: the notice must stand "
                                            "for %(n)s days before it opens",
                                            n=vote.compound.notice_days),
                        details={"may_open_at": None})
    if vote.status != S.announced.value:
        raise VoteError("invalid_state", _l("Only an announced vote can be opened"))
    if now < vote.may_open_at:
        raise VoteError("notice_period",
                        _l("The notice period has not passed: the vote may open from %(t)s",
                           t=vote.may_open_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")),
                        details={"may_open_at": iso(vote.may_open_at)})
    if vote.closes_at is not None and vote.closes_at <= now:
        raise VoteError("closes_at_passed", _l("The closing time has passed; cancel this vote "
                                               "and announce a new one"))
    # the status moves first, under a condition, so two clicks cannot freeze two rolls
    moved = db.session.execute(
        update(Vote).where(Vote.id == vote.id, Vote.status == S.announced.value)
        .values(status=S.open.value, opened_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.rollback()
        raise VoteError("invalid_state", _l("Only an announced vote can be opened"))
    units, area, heads = freeze_roll(vote)
    if units == 0:
        db.session.rollback()
        raise VoteError("empty_roll", _l("No unit is in the vote's scope"))
    vote.status, vote.opened_at = S.open.value, now
    vote.roll_units, vote.roll_area, vote.roll_heads = units, area, heads
    audit.record("vote.open", "vote", vote.id,
                 {"roll": {"units": units, "area": area_to_str(area), "heads": heads}},
                 compound_id=vote.compound_id)
    db.session.commit()
    return vote


def compute_tally(vote: Vote) -> rules.TallyResult:
    """The count over the frozen roll, in one SQL aggregate: each live ballot brings its
    group's area and head, summed by choice. Voided ballots are left out."""
    rows = db.session.execute(
        select(Ballot.choice, func.sum(RollGroup.area), func.sum(RollGroup.heads))
        .join(RollGroup, RollGroup.id == Ballot.group_id)
        .where(Ballot.vote_id == vote.id, Ballot.voided_at.is_(None))
        .group_by(Ballot.choice)).all()
    ballots = [(rules.area_to_centi(area or Decimal(0)), int(heads or 0), choice)
               for choice, area, heads in rows]
    roll_area_c = rules.area_to_centi(vote.roll_area or Decimal(0))
    return rules.tally(rule_of(vote), roll_area_c, vote.roll_heads or 0, ballots)


def _voided_count(vote: Vote) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.vote_id == vote.id, Ballot.voided_at.is_not(None))) or 0


def _fractions(result: rules.TallyResult) -> dict[str, str]:
    """The four ratios exactly, as reduced fractions ("50049/74962"; "0" over nothing)."""
    return {"turnout_area": str(result.turnout_area), "turnout_heads": str(result.turnout_heads),
            "consent_area": str(result.consent_area), "consent_heads": str(result.consent_heads)}


def _snapshot(vote: Vote, result: rules.TallyResult) -> dict:
    body = result.as_api()
    body["fractions"] = _fractions(result)
    body["roll"]["units"] = vote.roll_units
    body["voided_ballots"] = _voided_count(vote)
    body["rule_text"] = {"zh": result.rule.description_zh, "en": result.rule.description_en}
    return body


#: first key of the PostgreSQL advisory locks that order ballots and closing, per vote
_LOCK_CLASS = 27_800


def _close(vote: Vote, *, actor=None, reason: str = "by_hand") -> bool:
    if db.session.get_bind().dialect.name == "postgresql":
        # waits for ballots being cast to commit; ballots arriving later wait, then see
        # the vote closed (see _still_open)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k, :v)"),
                           {"k": _LOCK_CLASS, "v": vote.id})
    now = utcnow()
    moved = db.session.execute(
        update(Vote).where(Vote.id == vote.id, Vote.status == S.open.value)
        .values(status=S.closed.value, closed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.rollback()
        db.session.refresh(vote)
        return False
    vote.status, vote.closed_at = S.closed.value, now
    result = compute_tally(vote)
    snapshot = _snapshot(vote, result)
    vote.result_json = json.dumps(snapshot, ensure_ascii=False)
    audit.record("vote.close", "vote", vote.id,
                 {"reason": reason, "passed": result.passed,
                  "participated": snapshot["participated"], "agree": snapshot["agree"]},
                 compound_id=vote.compound_id, actor=actor)
    db.session.commit()
    return True


def close_vote(vote: Vote) -> Vote:
    """Close by hand and compute the result once. Closing a vote that its deadline already
    closed returns it as it is."""
    authorize("vote.manage", vote)
    if vote.status == S.closed.value:
        return vote
    if vote.status != S.open.value:
        raise VoteError("vote_not_open", _l("Only an open vote can be closed"))
    if not _close(vote, reason="by_deadline" if _due(vote) else "by_hand") \
            and vote.status != S.closed.value:
        raise VoteError("vote_not_open", _l("Only an open vote can be closed"))
    return vote


def close_due_vote(vote: Vote) -> bool:
    """Close a vote whose closes_at has passed (on reading it, or from `flask votes
    close-due`); recorded as done by the system."""
    if not _due(vote):
        return False
    return _close(vote, actor=(None, "system"), reason="by_deadline")


def close_due_votes() -> int:
    ids = db.session.scalars(select(Vote.id).where(
        Vote.status == S.open.value, Vote.closes_at.is_not(None),
        Vote.closes_at <= utcnow())).all()
    closed = 0
    for vid in ids:
        vote = db.session.get(Vote, vid)
        if vote is not None and close_due_vote(vote):
            closed += 1
    return closed


def publish_result(vote: Vote) -> Vote:
    """Publish the result notice (表决结果公告); owners see the result from then on."""
    authorize("vote.manage", vote)
    if vote.status != S.closed.value:
        raise VoteError("invalid_state", _l("Only a closed vote's result can be published"))
    now = utcnow()
    vote.status, vote.published_at = S.published.value, now
    audit.record("vote.publish", "vote", vote.id, {"published_at": iso(now)},
                 compound_id=vote.compound_id)
    db.session.commit()
    return vote


def cancel_vote(vote: Vote, reason) -> Vote:
    """Cancel with a reason, at any point before the result is published."""
    authorize("vote.manage", vote)
    reason = _clean_text(reason, "reason", 2000, _l("Reason"))
    if not vote.can_move_to(S.cancelled):
        raise VoteError("invalid_state",
                        _l("A vote whose result is published (or that is already cancelled) "
                           "cannot be cancelled"))
    before = vote.status
    vote.status, vote.cancelled_at, vote.cancel_reason = S.cancelled.value, utcnow(), reason
    audit.record("vote.cancel", "vote", vote.id, {"from": before, "reason": reason},
                 compound_id=vote.compound_id)
    db.session.commit()
    return vote


# -- ballots ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CastResult:
    """What the voter is told; read before the commit, so answering reloads nothing."""

    ballot_id: int
    receipt_code: str
    covers: list[str]

    @property
    def receipt(self) -> str:
        return format_receipt(self.receipt_code)


#: Packages whose votes take their own ballots (the owners'-committee election: one mark per
#: candidate) register a function vote -> (endpoint, url values) of that ballot page, or None.
_OWN_BALLOT_PAGES: list = []


def register_own_ballot_page(fn):
    if fn not in _OWN_BALLOT_PAGES:
        _OWN_BALLOT_PAGES.append(fn)
    return fn


def own_ballot_page(vote: Vote, kind: str = "ballot") -> tuple[str, dict] | None:
    """Where this vote's ballots are cast instead (`kind` "ballot" for the owner, "paper" for
    the residents' committee), or None for an ordinary vote."""
    if vote.matter != rules.Matter.committee.value:  # only an election has its own ballots
        return None
    for fn in _OWN_BALLOT_PAGES:
        page = fn(vote, kind)
        if page is not None:
            return page
    return None


def _roll_required(vote: Vote) -> None:
    if vote.roll_units is None:
        raise VoteError("roll_not_frozen", _l("The roll is frozen when the vote opens"))


def find_roll_unit(vote: Vote, ref) -> RollUnit | None:
    """A unit of the frozen roll by unit id or label ("7-2-301")."""
    found = _roll_unit_and_group(vote, ref)
    return found[0] if found else None


def _roll_unit_and_group(vote: Vote, ref, person_id: int | None = None, *,
                         with_state: bool = False):
    """(roll unit, its group, whether `person_id` holds title in that group) or None;
    `with_state` adds the vote's status and closes_at as read by the same statement."""
    def lookup(by_label: bool, ref):
        return db.session.execute(_ROLL_LOOKUP[by_label, with_state],
                                  {"vid": vote.id, "pid": person_id or 0, "ref": ref}).first()

    if isinstance(ref, int) and not isinstance(ref, bool):
        return lookup(False, ref)
    if isinstance(ref, str) and ref.strip():
        text_ = ref.strip()
        if text_.isdigit():
            found = lookup(False, int(text_))
            if found is not None:
                return found
        return lookup(True, text_)
    return None


def group_by_serial(vote: Vote, serial) -> RollGroup | None:
    return db.session.scalar(select(RollGroup).where(
        RollGroup.vote_id == vote.id, RollGroup.serial == normalize_serial(serial)))


def group_labels(group_id: int) -> list[str]:
    return list(db.session.scalars(select(RollUnit.label).where(RollUnit.group_id == group_id)
                                   .order_by(RollUnit.sort_key)))


def live_ballot(group_id: int) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.group_id == group_id,
                                                  Ballot.voided_at.is_(None)))


def _authorize_channel(vote: Vote, group: RollGroup, channel: str,
                       holder: bool | None = None) -> None:
    if channel == Channel.online.value:
        # online = the owner in person: a title holder of this group in the frozen roll
        pid = current_user.person_id if current_user.is_authenticated else None
        if holder is None:
            holder = pid is not None and db.session.scalar(select(exists().where(
                RollHolder.group_id == group.id, RollHolder.person_id == pid)))
        c = vote.compound
        authorize("vote.cast", Target(district_id=c.street.district_id, street_id=c.street_id,
                                      compound_id=c.id, person_id=pid if holder else 0))
    else:
        authorize("vote.enter_paper", vote)


def _refuse_duplicate(vote: Vote, group: RollGroup, unit_id: int, channel: str,
                      choice: str) -> VoteError:
    """Record the refused attempt for the secretary and build the 409 (the first stands)."""
    db.session.rollback()
    standing = live_ballot(group.id)
    reason = "conflicting" if standing is not None and standing.choice != choice else "duplicate"
    user = current_user if current_user.is_authenticated else None
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
    return VoteError("duplicate_ballot",
                     _l("This voter has already voted; the first ballot stands"),
                     details=details)


def cast_ballot(vote: Vote, *, choice, channel, unit=None, serial=None, proxy_name="",
                proxy_ref="") -> CastResult:
    """Cast the ballot of the voter group holding `unit` (or printed with `serial`).

    Online: the signed-in owner, a title holder of the group in the frozen roll. Paper and
    proxy: the residents' committee, from the signed ballot; proxy needs the proxy's name
    and the written authorisation's reference. One ballot per voter, whatever the channel:
    the partial unique index refuses a second one even when both arrive at once.
    """
    if choice not in {c.value for c in rules.Choice}:
        raise _invalid(_l("Choice must be agree, oppose or abstain"), "choice")
    if channel not in {c.value for c in Channel}:
        raise _invalid(_l("Channel must be online, paper or proxy"), "channel")
    proxy_name = _clean_text(proxy_name, "proxy_name", 64, _l("Proxy's name"),
                             required=channel == Channel.proxy.value)
    proxy_ref = _clean_text(proxy_ref, "proxy_ref", 64, _l("Authorisation reference"),
                            required=channel == Channel.proxy.value)
    if serial is not None and not isinstance(serial, str | int):
        raise _invalid(_l("Serial must be text"), "serial")
    if own_ballot_page(vote) is not None:
        raise VoteError("election_ballot", _l(
            "This vote elects the owners' committee: its ballot marks each candidate, on "
            "the election's own ballot page"))
    pg = db.session.get_bind().dialect.name == "postgresql"
    if pg:
        _take_ballot_lock(vote)
    group = roll_unit = holder = None
    pid = current_user.person_id if current_user.is_authenticated else None
    named_unit = unit not in (None, "")
    # the roll entry and the vote's state in one read, after the lock (see _take_ballot_lock)
    found = _roll_unit_and_group(vote, unit, pid, with_state=True) if named_unit else None
    is_open = (_open_state(found.status, found.closes_at) if found is not None
               else _still_open(vote))
    if not is_open:
        raise VoteError("vote_not_open", _l("The vote is not open for ballots"))
    if named_unit:
        if found is None:
            raise VoteError("unit_not_in_roll", _l("This unit is not in the vote's roll"), 422,
                            "unit")
        roll_unit, group, holder = found[:3]
    if serial not in (None, ""):
        by_serial = group_by_serial(vote, str(serial))
        if by_serial is None:
            raise VoteError("unknown_serial", _l("No ballot of this vote has serial %(s)s",
                                                 s=serial), 422, "serial")
        if group is not None and by_serial.id != group.id:
            raise VoteError("serial_mismatch",
                            _l("Serial %(s)s belongs to another voter than unit %(u)s",
                               s=serial, u=roll_unit.label), 422, "serial")
        if by_serial is not group:
            group, holder = by_serial, None
    if group is None:
        raise _invalid(_l("Name the unit (or the ballot's serial number)"), "unit")
    unit_id = roll_unit.unit_id if roll_unit is not None else db.session.scalar(
        select(RollUnit.unit_id).where(RollUnit.group_id == group.id)
        .order_by(RollUnit.sort_key).limit(1))
    _authorize_channel(vote, group, channel, holder if pid is not None else False)
    user = current_user if current_user.is_authenticated else None
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
            raise VoteError("vote_not_open", _l("The vote is not open for ballots"))
        covers = group.labels.split("、")
        audit.record("vote.ballot", "ballot", ballot.id,
                     {"vote": vote.id, "group": group.serial, "units": covers,
                      "channel": channel, "choice": choice,
                      **({"proxy_name": proxy_name, "proxy_ref": proxy_ref}
                         if channel == Channel.proxy.value else {})},
                     compound_id=vote.compound_id)
        result = CastResult(ballot.id, ballot.receipt, covers)
        db.session.commit()
    except IntegrityError:
        raise _refuse_duplicate(vote, group, unit_id, channel, choice) from None
    return result


_SHARED_BALLOT_LOCK = select(func.pg_advisory_xact_lock_shared(
    bindparam("cls", _LOCK_CLASS, type_=Integer), bindparam("vid", type_=Integer)))


def _take_ballot_lock(vote: Vote) -> None:
    """Take the vote's ballot lock in shared mode, held to the end of the transaction
    (PostgreSQL): ballots share it, closing takes it exclusively (see _close), so a close
    waits until this ballot is committed and counts it. An advisory lock is cheaper than a
    row lock on a hot row. It must be its own statement: a statement reads the database as
    it was when it began, so the vote's status is read by the next one, after the grant."""
    db.session.execute(_SHARED_BALLOT_LOCK, {"vid": vote.id})


def _open_state(status: str, closes_at: dt.datetime | None) -> bool:
    return status == S.open.value and (closes_at is None or utcnow() < closes_at)


def _still_open(vote: Vote) -> bool:
    """Whether the vote accepts ballots, read afresh from the database (on PostgreSQL after
    _take_ballot_lock, so that a close that came first is seen)."""
    state = db.session.execute(
        select(Vote.status, Vote.closes_at).where(Vote.id == vote.id)).one()
    return _open_state(state.status, state.closes_at)


def void_ballot(vote: Vote, ballot_id: int, reason) -> Ballot:
    """Void a mistyped paper or proxy ballot (the voter may then be entered again)."""
    authorize("vote.enter_paper", vote)
    reason = _clean_text(reason, "reason", 500, _l("Reason"))
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.vote_id != vote.id:
        raise NotFound("ballot")
    if not accepting_ballots(vote):
        raise VoteError("vote_not_open", _l("Ballots can be voided only while the vote is open"))
    if ballot.channel == Channel.online.value:
        raise VoteError("online_ballot", _l("An owner's online ballot cannot be voided"))
    if ballot.voided_at is not None:
        raise VoteError("already_voided", _l("This ballot is already voided"))
    ballot.voided_at = utcnow()
    ballot.voided_by = current_user.username if current_user.is_authenticated else "system"
    ballot.void_reason = reason
    audit.record("vote.ballot_void", "ballot", ballot.id,
                 {"vote": vote.id, "group": ballot.group.serial, "reason": reason},
                 compound_id=vote.compound_id)
    db.session.commit()
    return ballot


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


# -- the owner's side ---------------------------------------------------------------------

@dataclass(frozen=True)
class OwnerGroup:
    group: RollGroup
    labels: list[str]
    ballot: Ballot | None


def owner_groups(vote: Vote, person_id: int | None) -> list[OwnerGroup]:
    """The voter groups of this vote's roll in which the person is a title holder."""
    if person_id is None or vote.roll_units is None:
        return []
    groups = db.session.scalars(
        select(RollGroup).join(RollHolder, RollHolder.group_id == RollGroup.id)
        .where(RollGroup.vote_id == vote.id, RollHolder.person_id == person_id)
        .order_by(RollGroup.serial)).unique().all()
    return [OwnerGroup(g, group_labels(g.id), live_ballot(g.id)) for g in groups]


def owner_votes(person_id: int | None) -> list[tuple[Vote, list[OwnerGroup]]]:
    """Open and recent votes whose roll (or, before opening, scope) covers the person's
    units, newest first, with the person's voter groups."""
    if person_id is None:
        return []
    owned = _owned(person_id)
    unit_ids = {u for u, _ in owned}
    compounds = {c for _, c in owned}
    if not compounds:
        return []
    votes = db.session.scalars(select(Vote).where(
        Vote.compound_id.in_(compounds),
        Vote.status.in_([S.announced.value, S.open.value, S.closed.value, S.published.value]))
        .order_by(Vote.id.desc()).limit(50)).all()
    result = []
    for vote in votes:
        if _due(vote):
            close_due_vote(vote)
        if vote.roll_units is not None:
            groups = owner_groups(vote, person_id)
            if groups:
                result.append((vote, groups))
        elif _scope_covers(vote, unit_ids):
            result.append((vote, []))
    return result


def _scope_covers(vote: Vote, unit_ids: set[int]) -> bool:
    from compounds.models import Unit

    q = select(Unit.id).where(Unit.id.in_(unit_ids), Unit.compound_id == vote.compound_id)
    if vote.scopes:
        conds = [Unit.building_id == s.building_id if s.entrance_id is None
                 else Unit.entrance_id == s.entrance_id for s in vote.scopes]
        q = q.where(or_(*conds))
    return db.session.scalar(q.limit(1)) is not None


# -- results and progress -----------------------------------------------------------------

def may_see_result(vote: Vote) -> bool:
    if vote.status == S.published.value:
        return may("vote.view", vote) or on_roll(vote)
    return vote.status == S.closed.value and is_staff(vote)


def result(vote: Vote) -> dict:
    """The stored result (computed once at closing), with the vote's status."""
    if vote.status not in (S.closed.value, S.published.value) or vote.result_json is None:
        raise VoteError("not_closed", _l("The result exists once the vote has closed"))
    if not may_see_result(vote):
        raise VoteError("not_published", _l("The result is shown once it is published"), 403)
    return {"status": vote.status, "vote": vote.id, "closed_at": iso(vote.closed_at),
            "published_at": iso(vote.published_at), **vote.result}


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
        body["fractions"] = _fractions(self.tally)
        body["needed"] = {"area": area_to_str(self.more_area), "heads": self.more_heads}
        body["by_channel"] = self.by_channel
        body["voided_ballots"] = self.voided
        body["refused_attempts"] = len(self.attempts)
        return body


def progress(vote: Vote) -> Progress:
    """Live progress for the secretary: turnout against the 2/3 bars, what is still
    needed, consent so far, ballots by channel, voided ballots and refused attempts."""
    authorize("vote.manage", vote)
    _roll_required(vote)
    t = compute_tally(vote)
    more_area_c, more_heads = rules.needed_for_quorum(
        t.roll_area_c, t.roll_heads, t.participated_area_c, t.participated_heads)
    by_channel = dict.fromkeys((c.value for c in Channel), 0)
    for channel, n in db.session.execute(
            select(Ballot.channel, func.count()).where(
                Ballot.vote_id == vote.id, Ballot.voided_at.is_(None))
            .group_by(Ballot.channel)):
        by_channel[channel] = n
    attempts = list(db.session.scalars(
        select(BallotAttempt).where(BallotAttempt.vote_id == vote.id)
        .order_by(BallotAttempt.id.desc()).limit(100)))
    return Progress(t, more_area_c, more_heads, by_channel, _voided_count(vote), attempts,
                    _recent_paper(vote))


def _recent_paper(vote: Vote, limit: int = 30) -> list[Ballot]:
    return list(db.session.scalars(
        select(Ballot).where(Ballot.vote_id == vote.id, Ballot.channel != Channel.online.value)
        .options(selectinload(Ballot.group)).order_by(Ballot.id.desc()).limit(limit)))


def recent_paper_ballots(vote: Vote, limit: int = 30) -> list[Ballot]:
    """The paper and proxy ballots entered last (voided ones too), for the entry page."""
    authorize("vote.enter_paper", vote)
    return _recent_paper(vote, limit)


# -- the door-knocking list and the building picture --------------------------------------

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


@dataclass(frozen=True)
class DoorList:
    rows: list[DoorRow]
    total: int
    area: Decimal
    page: int
    pages: int


DOOR_SORTS = ("area_desc", "area_asc", "unit")


def door_list(vote: Vote, *, sort: str = "area_desc", building_id: int | None = None,
              page: int = 1, size: int | None = 100) -> DoorList:
    """扫楼名单: voter groups that have not (or no longer, after a void) voted, with units,
    owners, phones and area; largest area first by default, since area moves turnout most."""
    authorize("vote.manage", vote)
    _roll_required(vote)
    live = select(Ballot.id).where(Ballot.group_id == RollGroup.id, Ballot.voided_at.is_(None))
    q = select(RollGroup).where(RollGroup.vote_id == vote.id, ~exists(live))
    if building_id:
        q = q.where(RollGroup.id.in_(select(RollUnit.group_id).where(
            RollUnit.vote_id == vote.id, RollUnit.building_id == building_id)))
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
    if ids:
        for gid, phone in db.session.execute(
                select(RollHolder.group_id, RollHolder.phone)
                .where(RollHolder.group_id.in_(ids)).order_by(RollHolder.id)):
            if phone and phone not in phones[gid]:
                phones[gid].append(phone)
        voided = set(db.session.scalars(select(Ballot.group_id).where(
            Ballot.group_id.in_(ids), Ballot.voided_at.is_not(None))))
    rows = [DoorRow(g.serial, g.labels, g.names, "、".join(phones[g.id]), g.area, g.units,
                    g.developer, g.id in voided) for g in groups]
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
    _roll_required(vote)
    live = set(db.session.scalars(select(Ballot.group_id).where(
        Ballot.vote_id == vote.id, Ballot.voided_at.is_(None))))
    voided = set(db.session.scalars(select(Ballot.group_id).where(
        Ballot.vote_id == vote.id, Ballot.voided_at.is_not(None)))) - live
    rows = db.session.execute(
        select(RollUnit.building_id, RollUnit.building_number, RollUnit.entrance_number,
               RollUnit.floor, RollUnit.number, RollUnit.label, RollUnit.group_id)
        .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
    buildings: dict[int, dict] = {}
    for r in rows:
        b = buildings.setdefault(r.building_id, {"number": r.building_number, "entrances": {}})
        e = b["entrances"].setdefault(r.entrance_number, defaultdict(list))
        state = "voted" if r.group_id in live else "voided" if r.group_id in voided else "none"
        e[r.floor].append(Room(r.label, r.number, state))
    views = []
    for bid, b in buildings.items():
        entrances = []
        for enum_, floors in b["entrances"].items():
            rooms = [room for rs in floors.values() for room in rs]
            entrances.append(EntranceView(
                enum_, sorted(floors.items(), key=lambda kv: -kv[0]),
                sum(1 for r in rooms if r.state == "voted"), len(rooms)))
        views.append(BuildingView(bid, b["number"], entrances,
                                  sum(e.voted for e in entrances),
                                  sum(e.units for e in entrances)))
    return views


# -- documents ----------------------------------------------------------------------------

def ballots_document(vote: Vote, online_url: str):
    """The data of the printable paper ballots, one per voter group of the roll."""
    from reports.vote_ballots import BallotsData, BallotSheet, UnitLine

    authorize("vote.enter_paper", vote)
    _roll_required(vote)
    if vote.status in (S.cancelled.value,):
        raise VoteError("invalid_state", _l("The vote is cancelled"))
    units: dict[int, list[UnitLine]] = defaultdict(list)
    for gid, label, area, floor in db.session.execute(
            select(RollUnit.group_id, RollUnit.label, RollUnit.area, RollUnit.floor)
            .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)):
        units[gid].append(UnitLine(label, area, floor))
    sheets = [BallotSheet(serial=g.serial, units=tuple(units[g.id]), names=g.names,
                          area=g.area, developer=g.developer)
              for g in db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vote.id)
                                          .order_by(RollGroup.serial))]
    r = rule_of(vote)
    return BallotsData(
        compound=vote.compound.name, issuer=issuer_of(vote), vote_id=vote.id, title=vote.title,
        question=vote.question, matter=matter_label(vote), rule=r.description_zh,
        scope=scope_text(vote), opens_at=vote.opened_at or vote.opens_at,
        closes_at=vote.closes_at, online_url=online_url, sheets=tuple(sheets))


def notice_document(vote: Vote):
    """The data of the result notice (表决结果公告); once published, with the audit chain
    anchor of the entry that recorded the publication, so that every reprint shows it."""
    from reports.audit_anchor import AuditAnchor
    from reports.vote_notice import NoticeData, PerUnitChoice

    if vote.status not in (S.closed.value, S.published.value):
        raise VoteError("not_closed", _l("The result exists once the vote has closed"))
    if not may_see_result(vote):
        raise VoteError("not_published", _l("The result is shown once it is published"), 403)
    res = vote.result
    r = rule_of(vote)
    per_unit: tuple[PerUnitChoice, ...] = ()
    if vote.publish_names:
        rows = db.session.execute(
            select(RollUnit.label, RollGroup.names, Ballot.choice, Ballot.channel)
            .join(RollGroup, RollGroup.id == RollUnit.group_id)
            .join(Ballot, and_(Ballot.group_id == RollGroup.id, Ballot.voided_at.is_(None)))
            .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
        per_unit = tuple(PerUnitChoice(x.label, x.names, x.choice, x.channel) for x in rows)
    voided = db.session.execute(
        select(RollGroup.serial, Ballot.void_reason, Ballot.voided_at)
        .join(RollGroup, RollGroup.id == Ballot.group_id)
        .where(Ballot.vote_id == vote.id, Ballot.voided_at.is_not(None))
        .order_by(Ballot.voided_at)).all()

    def c(key) -> int:
        return rules.area_to_centi(Decimal(res[key]["area"]))

    return NoticeData(
        compound=vote.compound.name, issuer=issuer_of(vote), vote_id=vote.id, title=vote.title,
        question=vote.question, matter=matter_label(vote), rule=r.description_zh,
        quorum=r.quorum_label, approval=r.approval_label, approval_strict=r.approval_strict,
        scope=scope_text(vote), announced_at=vote.announced_at, opened_at=vote.opened_at,
        closed_at=vote.closed_at, published_at=vote.published_at or utcnow(),
        roll_units=vote.roll_units or 0, roll_area_c=c("roll"), roll_heads=res["roll"]["heads"],
        participated_area_c=c("participated"), participated_heads=res["participated"]["heads"],
        agree_area_c=c("agree"), agree_heads=res["agree"]["heads"],
        oppose_area_c=c("oppose"), oppose_heads=res["oppose"]["heads"],
        abstain_area_c=c("abstain"), abstain_heads=res["abstain"]["heads"],
        quorum_met=res["quorum_met"], approved=res["approved"], passed=res["passed"],
        reasons=tuple(x["zh"] for x in res["reasons"]),
        voided=tuple((s, reason, at) for s, reason, at in voided),
        per_unit=per_unit, anchor=_publication_anchor(vote, AuditAnchor))


def _publication_anchor(vote: Vote, anchor_type):
    """The anchor of the vote's `vote.publish` entry, as the notice prints it (None before
    publication)."""
    if vote.status != S.published.value:
        return None
    a = audit.entry_anchor("vote.publish", "vote", vote.id)
    if a is None:
        return None
    return anchor_type(a.chain, a.seq, a.hash, what="本公告发布记录",
                       chain_name=vote.compound.name if a.chain == vote.compound_id else "全区")


def door_list_document(vote: Vote, sort: str = "area_desc", building_id: int | None = None):
    from reports.door_list import DoorListData

    dl = door_list(vote, sort=sort, building_id=building_id, size=None)
    t = compute_tally(vote)
    more_area_c, more_heads = rules.needed_for_quorum(
        t.roll_area_c, t.roll_heads, t.participated_area_c, t.participated_heads)
    return DoorListData(
        compound=vote.compound.name, issuer=issuer_of(vote), title=vote.title,
        scope=scope_text(vote), closes_at=vote.closes_at, generated_at=utcnow(),
        rows=tuple(dl.rows), total_area=dl.area,
        roll_area_c=t.roll_area_c, roll_heads=t.roll_heads,
        participated_area_c=t.participated_area_c, participated_heads=t.participated_heads,
        more_area_c=more_area_c, more_heads=more_heads)


# -- elevator retrofit projects (加装电梯) ---------------------------------------------------

DEFAULT_COEFFICIENTS = {1: "0", 2: "0.6", 3: "1.0", 4: "1.2", 5: "1.4", 6: "1.6", 7: "1.8"}


def default_coefficients(floors: int) -> dict[int, Decimal]:
    """A common starting table (ground floor pays nothing, rising by floor); the owners
    agree their own, so this is only a suggestion to edit."""
    table = {}
    for f in range(1, max(1, floors) + 1):
        table[f] = Decimal(DEFAULT_COEFFICIENTS.get(f, str(Decimal("1.8") + Decimal("0.2")
                                                          * (f - 7))))
    return table


def parse_coefficients(value) -> dict[int, Decimal]:
    """{floor: coefficient} from a dict or from text lines "3: 1.2"; exact decimals ≥ 0."""
    items: list[tuple[object, object]]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, str):
        items = []
        for line in value.replace("，", ",").replace("：", ":").replace(",", "\n").splitlines():
            if line.strip():
                if ":" not in line:
                    raise _invalid(_l("Write one floor per line as floor: coefficient"),
                                   "coefficients")
                k, v = line.split(":", 1)
                items.append((k.strip(), v.strip()))
    else:
        raise _invalid(_l("Write one floor per line as floor: coefficient"), "coefficients")
    table: dict[int, Decimal] = {}
    for k, v in items:
        try:
            floor = int(str(k))
            coeff = Decimal(str(v))
        except (ValueError, ArithmeticError):
            raise _invalid(_l("Write one floor per line as floor: coefficient"),
                           "coefficients") from None
        if isinstance(v, float) or not coeff.is_finite() or coeff < 0 or coeff > 1000 \
                or coeff != coeff.quantize(Decimal("0.0001")):
            raise _invalid(_l("A coefficient is a number from 0 with at most four decimals"),
                           "coefficients")
        if floor in table:
            raise _invalid(_l("Floor %(f)s is listed twice", f=floor), "coefficients")
        table[floor] = coeff
    if not any(table.values()):
        raise _invalid(_l("At least one floor needs a coefficient above 0"), "coefficients")
    return dict(sorted(table.items()))


def _money(value, field_name: str, *, allow_zero: bool = True) -> int:
    try:
        fen = parse_money(value)
    except AmountError as err:
        raise _invalid(err.args[0], field_name) from None
    if fen == 0 and not allow_zero:
        raise _invalid(_l("Must be more than 0"), field_name)
    return fen


def _rate_bp(value) -> int:
    """Subsidy rate in percent ("40" or "40.00") → basis points."""
    try:
        pct = Decimal(str(value).strip().rstrip("%"))
    except ArithmeticError:
        raise _invalid(_l("Subsidy rate is a percentage from 0 to 100"),
                       "subsidy_rate") from None
    if isinstance(value, float) or not pct.is_finite() or not 0 <= pct <= 100 \
            or pct != pct.quantize(Decimal("0.01")):
        raise _invalid(_l("Subsidy rate is a percentage from 0 to 100"), "subsidy_rate")
    return int(pct * 100)


def _project_fields(project: ElevatorProject, *, title, cost, lifts, subsidy_rate, subsidy_cap,
                    fund, coefficients, uses_common_land, notice_from, notice_days) -> None:
    project.title = _clean_text(title, "title", 200, _l("Title"))
    project.cost_fen = _money(cost, "cost", allow_zero=False)
    if isinstance(lifts, bool) or not isinstance(lifts, int | str) \
            or not str(lifts).strip().isdigit() or not 1 <= int(str(lifts)) <= 20:
        raise _invalid(_l("Lifts: a whole number from 1 to 20"), "lifts")
    project.lifts = int(str(lifts))
    project.subsidy_rate_bp = _rate_bp(subsidy_rate)
    project.subsidy_cap_fen = _money(subsidy_cap, "subsidy_cap")
    project.fund_fen = _money(fund, "fund")
    project.coefficients_json = json.dumps(
        {str(k): str(v) for k, v in parse_coefficients(coefficients).items()})
    project.uses_common_land = bool(uses_common_land)
    if notice_from in (None, ""):
        project.notice_from = None
    elif isinstance(notice_from, dt.date):
        project.notice_from = notice_from
    else:
        try:
            project.notice_from = dt.date.fromisoformat(str(notice_from).strip())
        except ValueError:
            raise _invalid(_l("Give a date like 2026-12-01"), "notice_from") from None
    if isinstance(notice_days, bool) or not str(notice_days).strip().isdigit() \
            or not 7 <= int(str(notice_days)) <= 90:
        raise _invalid(_l("The public notice stands at least 7 days"), "notice_days")
    project.notice_days = int(str(notice_days))
    paying = next(f for f, c in project.coefficients.items() if c > 0)
    try:  # the money adds up (the fund does not pay more than is left after the subsidy)
        _split(project, [(0, "", paying)])
    except ValueError as err:
        raise _invalid(_l("The plan does not add up: %(e)s", e=str(err)), "fund") from None


def _project_snapshot(p: ElevatorProject) -> dict:
    return {"title": p.title, "building": p.building.number,
            "entrance": p.entrance.number if p.entrance else None,
            "cost": fen_to_str(p.cost_fen), "lifts": p.lifts,
            "subsidy_rate_bp": p.subsidy_rate_bp, "subsidy_cap": fen_to_str(p.subsidy_cap_fen),
            "fund": fen_to_str(p.fund_fen), "coefficients": json.loads(p.coefficients_json),
            "uses_common_land": p.uses_common_land,
            "notice_from": p.notice_from.isoformat() if p.notice_from else None,
            "notice_days": p.notice_days}


def get_project(project_id: int, action: str = "vote.view") -> ElevatorProject:
    """The project if the user may do `action` on it (core.loader: 404 / 403)."""
    return load(ElevatorProject, project_id, action)


def project_for_vote(vote: Vote) -> ElevatorProject | None:
    """The elevator project a vote belongs to, if any."""
    return db.session.scalar(select(ElevatorProject).where(
        or_(ElevatorProject.building_vote_id == vote.id,
            ElevatorProject.land_vote_id == vote.id)))


def list_projects(compound) -> list[ElevatorProject]:
    authorize("vote.view", compound)
    return list(db.session.scalars(select(ElevatorProject).where(
        ElevatorProject.compound_id == compound.id).order_by(ElevatorProject.id.desc())))


def _project_place(compound, building, entrance):
    from compounds.models import Building, Entrance

    b = db.session.scalar(select(Building).where(
        Building.compound_id == compound.id, Building.number == str(building or "").strip()))
    if b is None:
        raise _invalid(_l("No building %(n)s in this compound", n=building), "building")
    e = None
    if entrance not in (None, ""):
        e = db.session.scalar(select(Entrance).where(
            Entrance.building_id == b.id, Entrance.number == str(entrance).strip()))
        if e is None:
            raise _invalid(_l("No entrance %(e)s in building %(b)s", e=entrance, b=building),
                           "entrance")
    return b, e


def create_project(compound, *, building, entrance=None, title, cost, lifts=1,
                   subsidy_rate="40", subsidy_cap="280000.00", fund="0", coefficients=None,
                   uses_common_land=False, notice_from=None, notice_days=7) -> ElevatorProject:
    """An elevator retrofit project with its cost plan, and the draft votes it needs: the
    building's (or entrance's) item-7 vote and, on common land, a compound-wide vote."""
    authorize("vote.create", compound)
    b, e = _project_place(compound, building, entrance)
    project = ElevatorProject(compound_id=compound.id, building_id=b.id,
                              entrance_id=e.id if e else None)
    project.compound, project.building, project.entrance = compound, b, e
    _project_fields(project, title=title, cost=cost, lifts=lifts, subsidy_rate=subsidy_rate,
                    subsidy_cap=subsidy_cap, fund=fund,
                    coefficients=coefficients if coefficients not in (None, "", {})
                    else {k: str(v) for k, v in default_coefficients(b.floors).items()},
                    uses_common_land=uses_common_land, notice_from=notice_from,
                    notice_days=notice_days)
    db.session.add(project)
    db.session.flush()
    _ensure_project_votes(project)
    audit.record("elevator.create", "elevator_project", project.id, _project_snapshot(project),
                 compound_id=compound.id)
    db.session.commit()
    return project


def update_project(project: ElevatorProject, **fields) -> ElevatorProject:
    """Edit the plan (cost, subsidy, fund, coefficients, common land, notice dates)."""
    authorize("vote.create", project)
    before = _project_snapshot(project)
    _project_fields(project, **fields)
    _ensure_project_votes(project)
    audit.record("elevator.update", "elevator_project", project.id,
                 {"before": before, "after": _project_snapshot(project)},
                 compound_id=project.compound_id)
    db.session.commit()
    return project


def _place_text(project: ElevatorProject) -> str:
    return f"{project.building.number}号楼" + (f"{project.entrance.number}单元"
                                              if project.entrance else "")


def _ensure_project_votes(project: ElevatorProject) -> None:
    """Create (as drafts, no commit) the votes the project still lacks."""
    place = _place_text(project)
    if project.building_vote_id is None:
        v = Vote(compound_id=project.compound_id, title=f"{place}加装电梯",
                 question=f"{project.title}：{place}业主对加装电梯（改建）事项进行表决。",
                 matter=rules.Matter.rebuild.value, rule_variant=RuleVariant.standard.value,
                 status=S.draft.value,
                 created_by_id=current_user.id if current_user.is_authenticated else None)
        db.session.add(v)
        db.session.flush()
        v.scopes.append(VoteScope(building_id=project.building_id,
                                  entrance_id=project.entrance_id))
        project.building_vote_id = v.id
        db.session.flush()
        audit.record("vote.create", "vote", v.id,
                     {"title": v.title, "matter": v.matter, "elevator_project": project.id},
                     compound_id=project.compound_id)
    if project.uses_common_land and project.land_vote_id is None:
        v = Vote(compound_id=project.compound_id, title=f"{place}加装电梯占用小区共有场地",
                 question=f"{project.title}：电梯拟占用小区共有场地，全体业主进行表决。",
                 matter=rules.Matter.common_use.value,
                 rule_variant=RuleVariant.elevator_land.value, status=S.draft.value,
                 created_by_id=current_user.id if current_user.is_authenticated else None)
        db.session.add(v)
        db.session.flush()
        project.land_vote_id = v.id
        audit.record("vote.create", "vote", v.id,
                     {"title": v.title, "matter": v.matter, "rule": v.rule_variant,
                      "elevator_project": project.id}, compound_id=project.compound_id)


def project_units(project: ElevatorProject) -> list[tuple[int, str, int, Decimal, str]]:
    """(unit id, label, floor, area, owners) sharing the cost: the building vote's frozen
    roll once it has opened, else the registry's units of the building or entrance."""
    vote = project.building_vote
    if vote is not None and vote.roll_units is not None:
        rows = db.session.execute(
            select(RollUnit.unit_id, RollUnit.label, RollUnit.floor, RollUnit.area,
                   RollGroup.names, RollGroup.developer)
            .join(RollGroup, RollGroup.id == RollUnit.group_id)
            .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
        return [(r.unit_id, r.label, r.floor, r.area, r.names or ("开发商" if r.developer
                                                                   else "")) for r in rows]
    units = [u for u in registry.all_units(project.compound)
             if u.building_id == project.building_id
             and (project.entrance_id is None or u.entrance_id == project.entrance_id)]
    return [(u.id, u.label, u.floor, u.area,
             "、".join(h.person.name for h in u.holdings) or ("开发商" if u.developer_held
                                                              else "")) for u in units]


def _plan(project: ElevatorProject) -> rules.ElevatorPlan:
    return rules.ElevatorPlan(
        cost_fen=project.cost_fen, lifts=project.lifts,
        coefficients=project.coefficients, fund_fen=project.fund_fen,
        subsidy_rate=Fraction(project.subsidy_rate_bp, 10000),
        subsidy_cap_fen=project.subsidy_cap_fen)


def _split(project: ElevatorProject, units) -> rules.ElevatorSplit:
    return rules.share_elevator_cost(_plan(project), [(u[0], u[2]) for u in units])


@dataclass(frozen=True)
class ShareLine:
    unit_id: int
    label: str
    floor: int
    area: Decimal
    owners: str
    coefficient: Decimal
    share_fen: int


@dataclass(frozen=True)
class VoteState:
    role: str  # "building" | "land"
    vote: Vote | None
    state: str  # "missing" | status | "passed" | "failed"


@dataclass(frozen=True)
class ProjectPlan:
    project: ElevatorProject
    split: rules.ElevatorSplit
    lines: list[ShareLine] = field(default_factory=list)
    votes: list[VoteState] = field(default_factory=list)
    approved: bool = False
    error: str | None = None


def _vote_state(role: str, vote: Vote | None) -> VoteState:
    if vote is None:
        return VoteState(role, None, "missing")
    if vote.status in (S.closed.value, S.published.value) and vote.result_json:
        return VoteState(role, vote, "passed" if vote.result["passed"] else "failed")
    return VoteState(role, vote, vote.status)


def project_plan(project: ElevatorProject) -> ProjectPlan:
    """The cost split to the fen and the approval state: approved only when every required
    vote (the building's, and the compound's when common land is used) has passed."""
    for v in (project.building_vote, project.land_vote):
        if v is not None and _due(v):
            close_due_vote(v)
    units = project_units(project)
    states = [_vote_state("building", project.building_vote)]
    if project.uses_common_land:
        states.append(_vote_state("land", project.land_vote))
    approved = all(s.state == "passed" for s in states)
    try:
        split = _split(project, units)
    except ValueError as err:
        empty = rules.ElevatorSplit(project.cost_fen, 0, 0, 0, ())
        return ProjectPlan(project, empty, [], states, False, str(err))
    by_unit = split.by_unit()
    coeffs = project.coefficients
    lines = [ShareLine(uid, label, floor, area, owners, coeffs.get(floor, Decimal(0)),
                       by_unit[uid]) for uid, label, floor, area, owners in units]
    return ProjectPlan(project, split, lines, states, approved)


def plan_document(project: ElevatorProject):
    from reports.elevator_plan import PlanData, PlanLine

    plan = project_plan(project)
    if plan.error:
        raise VoteError("plan_invalid", plan.error, 409)
    p = project
    notice_to = p.notice_from + dt.timedelta(days=p.notice_days - 1) if p.notice_from else None
    return PlanData(
        compound=p.compound.name, issuer=f"{p.compound.name}居民委员会", title=p.title,
        place=_place_text(p), cost_fen=p.cost_fen, lifts=p.lifts,
        subsidy_rate=Fraction(p.subsidy_rate_bp, 10000), subsidy_cap_fen=p.subsidy_cap_fen,
        subsidy_fen=plan.split.subsidy_fen, fund_fen=plan.split.fund_fen,
        owners_fen=plan.split.owners_fen, coefficients=tuple(sorted(p.coefficients.items())),
        lines=tuple(PlanLine(x.label, x.floor, x.area, x.owners, x.coefficient, x.share_fen)
                    for x in plan.lines),
        uses_common_land=p.uses_common_land, notice_from=p.notice_from, notice_to=notice_to,
        notice_days=p.notice_days,
        votes=tuple((s.role, s.vote.title if s.vote else "", s.state) for s in plan.votes),
        approved=plan.approved, generated_at=utcnow())
