"""Owners' accounts from a letter (开通函), like a bank's PIN letter (issue 11).

The residents' committee prints activation letters for a compound, a building or an entrance:
one per owner — each person holding title to a unit in the scope, co-owners each their own,
the developer's units left out. A letter carries a one-time code (compounds.accounts.codes),
valid `VALID_DAYS` days. The owner types it on /activate with a username and a password of
their choosing, and has an owner account linked to their person in the registry.

Rules decided here:
- An owner with an open code (unused, not voided, not expired) keeps it: printing again
  shows the same code. With `reissue` the open code is voided and a new one made.
- An owner who already has an account gets no letter, unless `reissue`. Activating a
  reissued code resets the password of that existing account (and ends its sign-ins) instead
  of opening a second one: a lost password is a reissued letter. The username typed then
  becomes the account's username (an owner who lost the password may have lost the name too).
  Only an account that is an owner's alone is reset this way: one that holds a staff role or
  is an administrator's is refused (`409 staff_account`), so a letter printed by a residents'
  committee never opens anyone's office account.
- A code opens an account only while its person still holds title in the compound: when title
  passes to someone else the old owner's open code stops working (the same one message).
- Wrong, used, voided and expired codes all get one message (`422 invalid_code`).
- States counted per owner: activated (an active account linked to the person), pending (an
  open code), expired (the last code ran out unused), none. An owner of units in two
  buildings counts in both buildings, once in the compound.
- Each print run is one audit entry (who got a new letter, a reprint, which codes were
  voided); each activation one more. No code, and no code's hash, is ever written there.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from compounds.accounts import codes
from compounds.accounts.models import ActivationCode
from compounds.models import Building, Compound, Entrance, Holding, Person, Unit
from core import audit, inputs
from core.auth import end_sign_ins, hash_password
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import local_date
from core.models import Role, RoleGrant, User
from core.permissions import authorize
from core.types import utcnow

#: how long a letter's code works
VALID_DAYS = 90

ACTIVATED, PENDING, EXPIRED, NONE = "activated", "pending", "expired", "none"

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
#: a mainland mobile number


def invalid_code() -> DomainError:
    """The one answer to a wrong, used, voided or expired code."""
    return DomainError("invalid_code", _l("The activation code is invalid or has expired"),
                       field="code", status=422)


# -- who the owners are --------------------------------------------------------------------

@dataclass
class Owner:
    """A title holder of the compound (developer-held units left out) and their units."""

    person_id: int
    name: str
    units: list[str] = field(default_factory=list)
    buildings: set[int] = field(default_factory=set)
    entrances: set[int] = field(default_factory=set)


def owners_of(compound_id: int, person_id: int | None = None) -> dict[int, Owner]:
    """Every owner of the compound with their units, in the order of their first unit
    (building, entrance, number) — one query."""
    q = (select(Holding.person_id, Person.name, Unit.label, Unit.building_id, Unit.entrance_id)
         .join(Unit, Unit.id == Holding.unit_id).join(Person, Person.id == Holding.person_id)
         .join(Building, Building.id == Unit.building_id)
         .join(Entrance, Entrance.id == Unit.entrance_id)
         .where(Unit.compound_id == compound_id, Unit.developer_held.is_(False))
         .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key, Holding.position))
    if person_id is not None:
        q = q.where(Holding.person_id == person_id)
    owners: dict[int, Owner] = {}
    for pid, name, label, building_id, entrance_id in db.session.execute(q):
        owner = owners.get(pid)
        if owner is None:
            owner = owners[pid] = Owner(pid, name)
        owner.units.append(label)
        owner.buildings.add(building_id)
        owner.entrances.add(entrance_id)
    return owners


def _holders_subquery(compound_id: int):
    return (select(Holding.person_id).join(Unit, Unit.id == Holding.unit_id)
            .where(Unit.compound_id == compound_id, Unit.developer_held.is_(False))
            .scalar_subquery())


def _with_accounts(compound_id: int) -> set[int]:
    """The owners of the compound who have an active account linked to them."""
    return set(db.session.scalars(
        select(User.person_id).where(User.person_id.in_(_holders_subquery(compound_id)),
                                     User.active.is_(True))))


def _latest_codes(compound_id: int) -> dict[int, ActivationCode]:
    """Each owner's last letter in this compound."""
    latest: dict[int, ActivationCode] = {}
    for row in db.session.scalars(select(ActivationCode)
                                  .where(ActivationCode.compound_id == compound_id)
                                  .order_by(ActivationCode.id)):
        latest[row.person_id] = row
    return latest


def _state(person_id: int, accounts: set[int], latest: dict[int, ActivationCode],
           now: dt.datetime) -> str:
    if person_id in accounts:
        return ACTIVATED
    row = latest.get(person_id)
    if row is None or row.voided_at is not None or row.used_at is not None:
        return NONE
    return PENDING if row.expires_at > now else EXPIRED


# -- the secretary's view ------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    owners: int = 0
    activated: int = 0
    pending: int = 0
    expired: int = 0

    def json(self) -> dict:
        return {"owners": self.owners, "activated": self.activated, "pending": self.pending,
                "expired": self.expired}


def _count(states: Iterable[str]) -> Counts:
    states = list(states)
    return Counts(len(states), states.count(ACTIVATED), states.count(PENDING),
                  states.count(EXPIRED))


@dataclass(frozen=True)
class BuildingCounts:
    building: Building
    entrances: list[Entrance]
    counts: Counts


@dataclass(frozen=True)
class OwnerRow:
    person_id: int
    name: str
    units: list[str]
    state: str


@dataclass(frozen=True)
class Overview:
    counts: Counts
    buildings: list[BuildingCounts]
    owners: list[OwnerRow]


def overview(compound: Compound, building_id: int | None = None) -> Overview:
    """How far the compound's owners are: counts for the compound and each building, and the
    owners (of one building when `building_id` is given) with their state. Never a code."""
    authorize("owner_accounts.view", compound)
    now = utcnow()
    owners = owners_of(compound.id)
    accounts, latest = _with_accounts(compound.id), _latest_codes(compound.id)
    states = {pid: _state(pid, accounts, latest, now) for pid in owners}
    buildings = db.session.scalars(select(Building).where(Building.compound_id == compound.id)
                                   .order_by(Building.sort_key)).all()
    per_building = [
        BuildingCounts(b, list(b.entrances),
                       _count(states[o.person_id] for o in owners.values()
                              if b.id in o.buildings))
        for b in buildings]
    rows = [OwnerRow(o.person_id, o.name, o.units, states[o.person_id])
            for o in owners.values() if building_id is None or building_id in o.buildings]
    return Overview(_count(states.values()), per_building, rows)


# -- printing letters ----------------------------------------------------------------------

def resolve_scope(compound: Compound, scope) -> list[tuple[int, int | None]]:
    """`[{"building": "7"}, {"building": "8", "entrance": "2"}]` → [(building id, entrance
    id or None)], as a vote's scope is written; None or [] = the whole compound. A building
    or entrance the compound does not have → 422 on `scope`."""
    if scope in (None, []):
        return []
    if not isinstance(scope, list):
        raise invalid(_l("Scope must be a list of buildings or entrances"), "scope")
    buildings = {b.number: b for b in db.session.scalars(
        select(Building).where(Building.compound_id == compound.id))}
    result: list[tuple[int, int | None]] = []
    for item in scope:
        bnum = item.get("building") if isinstance(item, dict) else None
        if isinstance(bnum, bool) or not isinstance(bnum, str | int):
            raise invalid(_l("Each scope entry names a building, and maybe an entrance"),
                          "scope")
        building = buildings.get(str(bnum).strip())
        if building is None:
            raise invalid(_l("No building %(n)s in this compound", n=bnum), "scope")
        enum_ = item.get("entrance")
        entrance_id = None
        if enum_ not in (None, ""):
            entrance = next((e for e in building.entrances
                             if isinstance(enum_, str | int) and not isinstance(enum_, bool)
                             and e.number == str(enum_).strip()), None)
            if entrance is None:
                raise invalid(_l("No entrance %(e)s in building %(b)s", e=enum_, b=bnum),
                              "scope")
            entrance_id = entrance.id
        if (building.id, entrance_id) not in result:
            result.append((building.id, entrance_id))
    return result


def _in_scope(owner: Owner, scope: list[tuple[int, int | None]]) -> bool:
    return not scope or any(
        (e is None and b in owner.buildings) or (e is not None and e in owner.entrances)
        for b, e in scope)


@dataclass(frozen=True)
class Letter:
    """What one printed letter says (the report's input is built from these)."""

    person_id: int
    name: str
    units: list[str]
    code: str  # XXXX-XXXX-XXXX
    expires_on: dt.date


def issue_letters(compound: Compound, *, scope=None, reissue: bool = False,
                  person: Person | None = None) -> list[Letter]:
    """The letters to print for the owners in `scope` (or the one `person`), codes made or
    voided as the rules above say, in one transaction, audited. 409 `no_letters` when every
    owner in the scope already has an account (and no reissue was asked)."""
    authorize("owner_accounts.manage", compound)
    if not isinstance(reissue, bool):
        raise invalid(_l("Reissue must be true or false"), "reissue")
    places = resolve_scope(compound, scope)
    owners = owners_of(compound.id, person.id if person is not None else None)
    if person is not None and not owners:
        raise invalid(_l("This person holds no unit in this compound"), "person")
    chosen = [o for o in owners.values() if _in_scope(o, places)]
    now = utcnow()
    accounts, latest = _with_accounts(compound.id), _latest_codes(compound.id)
    secret = current_app.config["SECRET_KEY"]
    expires = now + dt.timedelta(days=VALID_DAYS)
    letters, new_rows, voided, reprinted = [], [], [], []
    for owner in chosen:
        if owner.person_id in accounts and not reissue:
            continue
        row = latest.get(owner.person_id)
        is_open = row is not None and row.is_open(now)
        if is_open and not reissue:
            code = codes.derive(secret, compound.id, owner.person_id, row.nonce)
            if codes.digest(code) == row.code_hash:
                reprinted.append(owner.person_id)
                letters.append(Letter(owner.person_id, owner.name, owner.units,
                                      codes.shown(code), local_date(row.expires_at)))
                continue
        if is_open:
            voided.append(row.id)  # reissued, or made under another SECRET_KEY
        nonce = secrets.token_hex(16)
        code = codes.derive(secret, compound.id, owner.person_id, nonce)
        new_rows.append({"compound_id": compound.id, "person_id": owner.person_id,
                         "code_hash": codes.digest(code), "nonce": nonce, "issued_at": now,
                         "expires_at": expires})
        letters.append(Letter(owner.person_id, owner.name, owner.units, codes.shown(code),
                              local_date(expires)))
    if not letters:
        raise conflict("no_letters", _l("Every owner in this scope already has an account; "
                                        "reissue a letter to reset one"))
    for start in range(0, len(voided), 1000):
        db.session.execute(update(ActivationCode)
                           .where(ActivationCode.id.in_(voided[start:start + 1000]))
                           .values(voided_at=now))
    for start in range(0, len(new_rows), 2000):
        db.session.execute(insert(ActivationCode), new_rows[start:start + 2000])
    issued = [r["person_id"] for r in new_rows]
    audit.record("owner_accounts.letters", *(("person", person.id) if person is not None
                                             else ("compound", compound.id)),
                 {"scope": scope or None, "reissue": reissue, "issued": issued,
                  "reprinted": reprinted, "voided_codes": voided},
                 compound_id=compound.id)
    db.session.commit()
    return letters


# -- activating ----------------------------------------------------------------------------

def _username(value) -> str:
    name = inputs.text(value, "username", _l("Username"), 64)
    if not _USERNAME.match(name):
        raise invalid(_l("Username: 3 to 64 letters, digits, _ . - only"), "username")
    return name


def _password(value) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= 256:
        raise invalid(_l("The password needs at least 8 characters"), "password")
    return value


def _phone(value) -> str:
    # the activation letter's SMS channel: a mobile only (core.inputs.phone, mobile=True)
    return inputs.phone(value, "phone", _l("Mobile number"), mobile=True)


@dataclass(frozen=True)
class Activated:
    user: User
    units: list[str]
    reset: bool


def activate(code, username, password, phone=None) -> Activated:
    """Open the owner account of the code's person (or reset their existing one), one
    transaction, audited. Anybody may try: the route is public and rate-limited."""
    typed = codes.typed(code)
    row = db.session.scalar(select(ActivationCode).where(
        ActivationCode.code_hash == codes.digest(typed)).with_for_update()) if typed else None
    now = utcnow()
    if row is None or not row.is_open(now):
        raise invalid_code()
    owner = owners_of(row.compound_id, row.person_id).get(row.person_id)
    if owner is None:  # title has passed to someone else since the letter was printed
        raise invalid_code()
    name, secret, phone = _username(username), _password(password), _phone(phone)
    user = db.session.scalar(select(User).where(User.person_id == row.person_id)
                             .order_by(User.id).limit(1))
    reset = user is not None
    if reset and (user.is_admin or any(g.role != Role.owner.value for g in user.grants)):
        raise conflict("staff_account", _l("This person's account holds other roles: the "
                                           "administrator resets its password"))
    if reset and not user.active:
        raise conflict("account_inactive", _l("This account has been closed; ask the "
                                              "administrator"))
    clash = db.session.scalar(select(User.id).where(User.username == name))
    if clash is not None and (user is None or clash != user.id):
        raise DomainError("username_taken", _l("This username is taken"), field="username",
                          status=422)
    if user is None:
        user = User(username=name, display_name=owner.name, person_id=row.person_id,
                    password_hash=hash_password(secret), phone=phone)
        user.grants = [RoleGrant(role=Role.owner.value, scope_id=None)]
        db.session.add(user)
    else:
        user.username, user.password_hash = name, hash_password(secret)
        user.phone = phone or user.phone
        if not any(g.role == Role.owner.value for g in user.grants):
            user.grants.append(RoleGrant(role=Role.owner.value, scope_id=None))
        end_sign_ins(user.id)  # whoever had the lost password is signed out everywhere
    db.session.flush()
    row.used_at, row.user_id = now, user.id
    audit.record("owner_accounts.activated", "person", row.person_id,
                 {"user_id": user.id, "username": name, "password_reset": reset,
                  "letter": row.id}, compound_id=row.compound_id, actor=(user.id, name))
    db.session.commit()
    return Activated(user, owner.units, reset)


# -- what the registry answers for core ----------------------------------------------------

def unit_labels(person_id: int) -> list[str]:
    """The labels of the units the person holds title to (the hook
    "accounts.unit_labels"), by compound and label."""
    return list(db.session.scalars(
        select(Unit.label).join(Holding, Holding.unit_id == Unit.id)
        .join(Building, Building.id == Unit.building_id)
        .join(Entrance, Entrance.id == Unit.entrance_id)
        .where(Holding.person_id == person_id)
        .order_by(Unit.compound_id, Building.sort_key, Entrance.sort_key, Unit.sort_key)))
