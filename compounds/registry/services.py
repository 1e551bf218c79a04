"""Registry use-cases (房屋台账): compounds, buildings, entrances, units, title holders,
residents and persons.

Each writing function loads with permission, validates, writes, appends to the audit chain
and commits — one transaction. Refusals are `core.errors.DomainError`s (422 invalid input
naming the field, 409 a clash, 404). The HTML views and the JSON API both call these; other
packages reach them through `compounds.services`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from compounds import rules
from compounds.models import (
    AreaSource,
    Building,
    Compound,
    District,
    Entrance,
    Holding,
    Person,
    Resident,
    Street,
    Unit,
    natural_key,
)
from compounds.registry import unit_records as unit_records_of
from core import audit, hooks, inputs
from core.errors import DomainError, conflict, invalid, not_found
from core.extensions import db
from core.idnumber import IdNumberError
from core.idnumber import normalize as normalize_id
from core.loader import MAX_ID, as_id
from core.permissions import Target, authorize, may, resolve, scope_ids
from core.types import AmountError, area_to_str, parse_area, parse_money

# -- permission resolvers -----------------------------------------------------------------

def owned_units(person_id: int) -> set[tuple[int, int]]:
    """(unit id, compound id) of every unit the person holds title to — the hook
    "permission.owned_units"."""
    rows = db.session.execute(
        select(Unit.id, Unit.compound_id).join(Holding, Holding.unit_id == Unit.id)
        .where(Holding.person_id == person_id)
    ).all()
    return {(r[0], r[1]) for r in rows}




# -- what the registry answers for core (plugin HOOKS) -------------------------------------

_SCOPE_MODELS = {"district": District, "street": Street, "compound": Compound, "person": Person}


def compound_target(compound_id: int):
    """Where a compound sits, for objects that know only its id (hook
    `permission.compound_target`: the outbox's messages)."""
    from core.permissions import Target

    compound = db.session.get(Compound, compound_id)
    return compound.permission_target() if compound is not None else Target(
        compound_id=compound_id)


def scope_exists(kind: str, scope_id: int | None) -> bool | None:
    """Whether the district, street, compound or person exists; None for other kinds."""
    model = _SCOPE_MODELS.get(kind)
    if model is None:
        return None
    return scope_id is not None and 0 < scope_id <= MAX_ID \
        and db.session.get(model, scope_id) is not None


def scope_name(kind: str, scope_id: int | None) -> str | None:
    """The name of a district, street or compound (hook "accounts.scope_name": the office
    shown after a staff member's name); None for other kinds or an unknown id."""
    model = _SCOPE_MODELS.get(kind)
    if model is None or model is Person or scope_id is None:
        return None
    place = db.session.get(model, scope_id)
    return place.name if place is not None else None


def compounds_in_districts(district_ids):
    """The ids of the districts' compounds, as a subquery (the audit log's filter)."""
    return select(Compound.id).join(Street).where(Street.district_id.in_(district_ids))


def compound_names(ids) -> dict[int, str]:
    """Names of these compounds by id (the hook "audit.compound_names")."""
    return dict(db.session.execute(
        select(Compound.id, Compound.name).where(Compound.id.in_(ids))).all())


# -- reading ------------------------------------------------------------------------------

def find_unit(compound: Compound, ref) -> Unit | None:
    """A unit of the compound by id (int or digits) or label "7-2-301"."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        uid = as_id(ref)
        unit = None if uid is None else db.session.get(Unit, uid)
        return unit if unit is not None and unit.compound_id == compound.id else None
    if isinstance(ref, str):
        return db.session.scalar(
            select(Unit).where(Unit.compound_id == compound.id, Unit.label == ref.strip()))
    return None


def unit_in(compound: Compound, ref, field: str = "unit") -> Unit:
    """The unit of the compound that a form or a request names (id or label), or a 422 on
    `field`."""
    unit = find_unit(compound, str(ref or "").strip())
    if unit is None:
        raise invalid(_l("No such unit in this compound"), field)
    return unit


def entrance_of(compound: Compound, entrance_id) -> Entrance:
    """The compound's entrance with this id (a form's choice); 404 if it is not one."""
    entrance = db.session.get(Entrance, entrance_id) if isinstance(entrance_id, int) else None
    if entrance is None or entrance.building.compound_id != compound.id:
        raise not_found("entrance")
    return entrance


def visible_compounds_query(action: str = "compound.list"):
    """Compounds in which the current user may do `action`, as a select over Compound.

    The one translation of role scopes into compounds: other packages filter their rows
    with `Model.compound_id.in_(visible_compound_ids(action))`.
    """
    q = select(Compound).join(Street)
    compounds = scope_ids(action, "compound")
    if compounds is None:
        return q
    conds = []
    if scope_ids(action, "person") and current_user.person_id:  # holds the owner role
        owned = {c for _, c in owned_units(current_user.person_id)}
        if owned:
            conds.append(Compound.id.in_(owned))
    if compounds:
        conds.append(Compound.id.in_(compounds))
    streets = scope_ids(action, "street")
    if streets:
        conds.append(Compound.street_id.in_(streets))
    districts = scope_ids(action, "district")
    if districts:
        conds.append(Street.district_id.in_(districts))
    companies = scope_ids(action, "company")
    if companies:
        served = set()
        for c in companies:
            served |= resolve("served_compounds", c)
        if served:
            conds.append(Compound.id.in_(served))
    return q.where(or_(*conds)) if conds else q.where(False)


def visible_compound_ids(action: str):
    """A subquery of the ids of the compounds in which the user may do `action`."""
    return visible_compounds_query(action).with_only_columns(Compound.id).scalar_subquery()


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    pages: int
    total: int


def page_of(q, page: int, size: int, ordered=None) -> Page:
    """Page `page` (clamped to the pages there are) of the rows of `q`, counted first (its
    order left out of the count); `ordered(q)`, when given, adds the order and the loading
    options (else `q` is already ordered). The pages of the HTML lists (compounds, units,
    the 1+3+X's actions and requests)."""
    total = db.session.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
    pages = max(1, math.ceil(total / size))
    page = min(max(page, 1), pages)
    rows = ordered(q) if ordered is not None else q
    items = db.session.scalars(rows.offset((page - 1) * size).limit(size)).unique()
    return Page(list(items), page, pages, total)


def compounds_query(search: str = "", street_id: int | None = None):
    """The compounds the user may list, by name or address and street (unordered)."""
    authorize("compound.list")
    q = visible_compounds_query()
    if search:
        like = f"%{search.strip()}%"
        q = q.where(or_(Compound.name.ilike(like), Compound.address.ilike(like)))
    if street_id:
        q = q.where(Compound.street_id == street_id)
    return q


def list_compounds(search: str = "", street_id: int | None = None, page: int = 1,
                   size: int = 50) -> Page:
    """The compounds the user may list, by name or address and street, one page."""
    return page_of(compounds_query(search, street_id), page, size,
                   lambda q: q.order_by(Compound.name))


def visible_streets() -> list[Street]:
    """The streets of the compounds the user may list, by name."""
    ids = {c.street_id for c in db.session.scalars(visible_compounds_query()).unique()}
    if not ids:
        return []
    return list(db.session.scalars(select(Street).where(Street.id.in_(ids)).order_by(Street.name)))


def unit_facts(compound_id: int, *, building_ids=None,
               entrance_ids=None) -> list[rules.UnitFacts]:
    """Area, developer flag and title holders of the compound's units — two queries."""
    q = select(Unit.id, Unit.area, Unit.developer_held).where(Unit.compound_id == compound_id)
    if building_ids is not None:
        q = q.where(Unit.building_id.in_(building_ids))
    if entrance_ids is not None:
        q = q.where(Unit.entrance_id.in_(entrance_ids))
    units = db.session.execute(q).all()
    holders: dict[int, set[int]] = {}
    hq = (select(Holding.unit_id, Holding.person_id).join(Unit, Unit.id == Holding.unit_id)
          .where(Unit.compound_id == compound_id))
    for unit_id, person_id in db.session.execute(hq):
        holders.setdefault(unit_id, set()).add(person_id)
    return [rules.UnitFacts(unit_id=u.id, area=u.area, developer_held=u.developer_held,
                            holder_ids=frozenset(holders.get(u.id, ()))) for u in units]


def compound_totals(compound: Compound) -> rules.Totals:
    """Units, area and headcount of the compound, the law's way (compounds.rules)."""
    return rules.totals(unit_facts(compound.id))


@dataclass(frozen=True)
class BuildingSummary:
    building: Building
    entrances: list[Entrance]
    units: int
    area: Decimal


def building_summaries(compound: Compound) -> list[BuildingSummary]:
    """Buildings with entrances and their unit counts and areas — a fixed number of queries."""
    buildings = db.session.scalars(
        select(Building).where(Building.compound_id == compound.id)
        .options(selectinload(Building.entrances)).order_by(Building.sort_key)).all()
    sums = {
        r.building_id: (r.n, r.area) for r in db.session.execute(
            select(Unit.building_id, func.count(Unit.id).label("n"),
                   func.sum(Unit.area).label("area"))
            .where(Unit.compound_id == compound.id).group_by(Unit.building_id))
    }
    return [BuildingSummary(b, list(b.entrances), sums.get(b.id, (0, Decimal("0")))[0],
                            sums.get(b.id, (0, Decimal("0.00")))[1] or Decimal("0.00"))
            for b in buildings]


def list_units(compound: Compound, *, building_id: int | None = None,
               entrance_id: int | None = None, search: str = "", page: int = 1,
               size: int = 50) -> Page:
    """Units of a compound with their holders, paginated — three queries whatever the size."""
    return page_of(_units_where(compound, building_id, entrance_id, search), page, size,
                   _in_building_order)


def _units_where(compound: Compound, building_id: int | None, entrance_id: int | None,
                 search: str):
    q = select(Unit).where(Unit.compound_id == compound.id)
    if building_id:
        q = q.where(Unit.building_id == building_id)
    if entrance_id:
        q = q.where(Unit.entrance_id == entrance_id)
    if search:
        like = f"%{search.strip()}%"
        q = q.where(or_(Unit.label.ilike(like), Unit.id.in_(
            select(Holding.unit_id).join(Person).where(Person.name.ilike(like)))))
    return q


def units_query(compound: Compound, *, building_id: int | None = None,
                entrance_id: int | None = None, search: str = ""):
    """The same units as `list_units`, as an ordered select with holders and places loaded
    (the API pages it in SQL)."""
    return _in_building_order(_units_where(compound, building_id, entrance_id, search)).options(
        selectinload(Unit.building), selectinload(Unit.entrance))


def _in_building_order(q):
    """Units by building, entrance and number, with their holders loaded."""
    return (q.join(Building, Building.id == Unit.building_id)
            .join(Entrance, Entrance.id == Unit.entrance_id)
            .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key)
            .options(selectinload(Unit.holdings)))


def all_units(compound: Compound) -> list[Unit]:
    """Every unit with holders (for export and the API list)."""
    return list(db.session.scalars(
        _in_building_order(select(Unit).where(Unit.compound_id == compound.id))))


def my_units(person_id: int) -> list[Unit]:
    """The units a person holds title to, with their holders."""
    return list(db.session.scalars(
        select(Unit).join(Holding, Holding.unit_id == Unit.id)
        .where(Holding.person_id == person_id).order_by(Unit.compound_id, Unit.label)
        .options(selectinload(Unit.holdings))))


def owns_in_compound(person_id: int, compound_id: int, *, developer_ok: bool = False) -> bool:
    """Whether the person holds title to a unit of the compound (by default one the
    developer does not hold)."""
    q = (select(func.count(Unit.id)).join(Holding, Holding.unit_id == Unit.id)
         .where(Holding.person_id == person_id, Unit.compound_id == compound_id))
    if not developer_ok:
        q = q.where(Unit.developer_held.is_(False))
    return bool(db.session.scalar(q))


def person_units(person_id: int, compound_id: int) -> list[Unit]:
    """The units of the compound a person holds title to (for vetting)."""
    return list(db.session.scalars(
        select(Unit).join(Holding, Holding.unit_id == Unit.id)
        .where(Holding.person_id == person_id, Unit.compound_id == compound_id)
        .order_by(Unit.label)))


# -- writing ------------------------------------------------------------------------------

def get_or_create_street(district_name: str, street_name: str) -> Street:
    """The street of this name in the district of this name, both created when
    new (no commit, no permission check: the caller checks and commits)."""
    district = db.session.scalar(select(District).where(District.name == district_name))
    if district is None:
        district = District(name=district_name)
        db.session.add(district)
        db.session.flush()
    street = db.session.scalar(
        select(Street).where(Street.district_id == district.id, Street.name == street_name))
    if street is None:
        street = Street(district_id=district.id, name=street_name)
        db.session.add(street)
        db.session.flush()
    return street


def _fund_rate_fen(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        fen = parse_money(value)
    except AmountError as err:
        raise invalid(err.args[0], "fund_rate") from None
    if fen <= 0:
        raise invalid(_l("The fund rate must be positive"), "fund_rate")
    return fen


#: the refusal of a notice period outside the law's range (the page's form says the same)
NOTICE_DAYS_REFUSED = _l("A vote's notice must stand at least %(min)s days, the legal minimum "
                         "(Property Management Regulations art. 14), and at most %(max)s days")


def _notice_days(value) -> int:
    """A compound's notice period: the legal minimum when not given; 15 to 90 days
    (compounds.rules: a local rule may ask for more, never fewer)."""
    if value in (None, ""):
        return rules.NOTICE_DAYS_DEFAULT
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise invalid(_l("Notice days must be a whole number"),
                            "notice_days")
    try:
        days = int(value)
    except ValueError:
        raise invalid(_l("Notice days must be a whole number"),
                            "notice_days") from None
    if not rules.notice_days_allowed(days):
        raise invalid(NOTICE_DAYS_REFUSED % {"min": rules.NOTICE_DAYS_MIN,
                                             "max": rules.NOTICE_DAYS_MAX}, "notice_days")
    return days


def create_compound(*, name, district, street, address="", notice_days=None,
                    fund_rate=None) -> Compound:
    """Create a compound; the district and street are found by name or created."""
    name = inputs.text(name, "name", _l("Name"), 100)
    district = inputs.text(district, "district", _l("District"), 64)
    street_name = inputs.text(street, "street", _l("Street"), 64)
    address = (address or "").strip()[:200] if isinstance(address, str) else ""
    days, rate = _notice_days(notice_days), _fund_rate_fen(fund_rate)
    existing = db.session.scalar(select(District).where(District.name == district))
    # a district administrator adds compounds (and streets) in their district; only the
    # system administrator opens a new district
    authorize("compound.create", existing if existing is not None else Target())
    st = get_or_create_street(district, street_name)
    if db.session.scalar(select(Compound).where(Compound.street_id == st.id,
                                                Compound.name == name)):
        raise conflict("duplicate", _l("A compound of this name already exists in the "
                                            "street"), "name")
    compound = Compound(street_id=st.id, name=name, address=address, notice_days=days,
                        fund_rate_fen=rate)
    db.session.add(compound)
    db.session.flush()
    audit.record("compound.create", "compound", compound.id,
                 {"name": name, "district": district, "street": street_name, "address": address,
                  "notice_days": days, "fund_rate_fen": rate}, compound_id=compound.id)
    db.session.commit()
    return compound


def update_compound(compound: Compound, *, name, address="", notice_days=None,
                    fund_rate=None) -> Compound:
    """Edit the compound's name, address, notice days and fund rate (409 if the
    name is taken in the street)."""
    authorize("compound.edit", compound)
    before = {"name": compound.name, "address": compound.address,
              "notice_days": compound.notice_days, "fund_rate_fen": compound.fund_rate_fen}
    name = inputs.text(name, "name", _l("Name"), 100)
    clash = db.session.scalar(select(Compound).where(
        Compound.street_id == compound.street_id, Compound.name == name,
        Compound.id != compound.id))
    if clash:
        raise conflict("duplicate", _l("A compound of this name already exists in the "
                                            "street"), "name")
    compound.name = name
    compound.address = (address or "").strip()[:200]
    compound.notice_days = _notice_days(notice_days)
    compound.fund_rate_fen = _fund_rate_fen(fund_rate)
    after = {"name": compound.name, "address": compound.address,
             "notice_days": compound.notice_days, "fund_rate_fen": compound.fund_rate_fen}
    audit.record("compound.update", "compound", compound.id, {"before": before, "after": after},
                 compound_id=compound.id)
    db.session.commit()
    return compound


def _label_part(value, field: str, label) -> str:
    text = (str(value) if isinstance(value, int | str) and not isinstance(value, bool)
            else "").strip()
    if not text:
        raise invalid(_l("%(label)s is required", label=label), field)
    if len(text) > 16 or "-" in text or ";" in text:
        raise invalid(_l("%(label)s: at most 16 characters, without '-' or ';'",
                               label=label), field)
    return text


def save_building(compound: Compound, building: Building | None, *, number, phase="",
                  floors=6, has_elevator=False) -> Building:
    """Create a building of the compound, or edit `building`; a new number relabels
    its units (409 if the number is taken)."""
    authorize("registry.edit", compound)
    number = _label_part(number, "number", _l("Building number"))
    if not isinstance(floors, int) or isinstance(floors, bool) or not 1 <= floors <= 200:
        raise invalid(_l("Floors must be between 1 and 200"), "floors")
    clash = db.session.scalar(select(Building).where(
        Building.compound_id == compound.id, Building.number == number))
    if clash is not None and clash is not building:
        raise conflict("duplicate", _l("Building %(n)s already exists", n=number), "number")
    creating = building is None
    if creating:
        building = Building(compound_id=compound.id)
        db.session.add(building)
    old_number = building.number
    building.number, building.sort_key = number, natural_key(number)
    building.phase = (phase or "").strip()[:16]
    building.floors, building.has_elevator = floors, bool(has_elevator)
    db.session.flush()
    if not creating and old_number != number:
        _relabel_building(building)
    audit.record("building.create" if creating else "building.update", "building", building.id,
                 {"number": number, "phase": building.phase, "floors": floors,
                  "has_elevator": building.has_elevator}, compound_id=compound.id)
    db.session.commit()
    return building


def _relabel_building(building: Building) -> None:
    for unit in db.session.scalars(select(Unit).where(Unit.building_id == building.id)):
        unit.label = f"{building.number}-{unit.entrance.number}-{unit.number}"


def save_entrance(building: Building, *, number) -> Entrance:
    """Add an entrance to the building (409 if the number is taken)."""
    compound = building.compound
    authorize("registry.edit", compound)
    number = _label_part(number, "number", _l("Entrance number"))
    if db.session.scalar(select(Entrance).where(Entrance.building_id == building.id,
                                                Entrance.number == number)):
        raise conflict("duplicate", _l("Entrance %(n)s already exists", n=number), "number")
    entrance = Entrance(building_id=building.id, number=number, sort_key=natural_key(number))
    db.session.add(entrance)
    db.session.flush()
    audit.record("entrance.create", "entrance", entrance.id,
                 {"building": building.number, "number": number}, compound_id=compound.id)
    db.session.commit()
    return entrance


def check_floor(value, floors: int | None = None) -> int:
    """A floor from -5 to 200, not 0, and not above the building's `floors` (422)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise invalid(_l("Floor must be a whole number"), "floor")
    try:
        floor = int(str(value).strip())
    except ValueError:
        raise invalid(_l("Floor must be a whole number"),
                            "floor") from None
    if floor == 0 or not -5 <= floor <= 200:
        raise invalid(_l("Floor must be between -5 and 200, not 0"),
                            "floor")
    if floors is not None and floor > floors:
        raise invalid(_l("Floor %(f)s is above the building's %(n)s floors",
                               f=floor, n=floors), "floor")
    return floor


def check_area(value) -> Decimal:
    """An exclusive area in m², positive, at most two decimals (422)."""
    try:
        return parse_area(value)
    except AmountError as err:
        raise invalid(err.args[0], "area") from None


def check_area_source(value) -> str:
    """Where the area comes from: registered (default), surveyed or contract."""
    value = (value or AreaSource.registered.value)
    if value not in {s.value for s in AreaSource}:
        raise invalid(_l("Area source must be registered, surveyed or contract"),
                            "area_source")
    return value


def save_unit(entrance: Entrance, unit: Unit | None, *, number, floor, area,
              area_source="registered", developer_held=False) -> Unit:
    """Create a unit in `entrance`, or edit `unit`, which stays in its entrance: its label,
    its votes and its fund sub-ledger hang on where it is."""
    building = entrance.building
    compound = building.compound
    authorize("registry.edit", compound)
    if unit is not None and unit.entrance_id != entrance.id:
        raise invalid(_l("A unit cannot move to another entrance"), "entrance_id")
    number = _label_part(number, "number", _l("Unit number"))
    floor = check_floor(floor, building.floors)
    area = check_area(area)
    area_source = check_area_source(area_source)
    clash = db.session.scalar(select(Unit).where(Unit.entrance_id == entrance.id,
                                                 Unit.number == number))
    if clash is not None and clash is not unit:
        raise conflict("duplicate", _l("Unit %(n)s already exists in this entrance",
                                            n=number), "number")
    creating = unit is None
    before = None if creating else _unit_snapshot(unit)
    if creating:
        unit = Unit(compound_id=compound.id, building_id=building.id, entrance_id=entrance.id)
        db.session.add(unit)
    unit.number, unit.sort_key = number, natural_key(number)
    unit.floor, unit.area, unit.area_source = floor, area, area_source
    unit.developer_held = bool(developer_held)
    unit.label = f"{building.number}-{entrance.number}-{number}"
    db.session.flush()
    audit.record("unit.create" if creating else "unit.update", "unit", unit.id,
                 {"before": before, "after": _unit_snapshot(unit)}, compound_id=compound.id)
    db.session.commit()
    return unit


def unit_records(unit: Unit) -> list[str]:
    """What refers to the unit, as the packages name it ("the roll of a vote", "repair-fund
    entries" …): empty for a unit nothing has happened to yet."""
    return unit_records_of.present(unit.id, [
        kind for declared in hooks.contributions("registry.unit_records") for kind in declared])


def remove_unit(unit: Unit) -> str:
    """Remove a unit entered by mistake, with its title holders and residents (the persons
    stay in the register); audited with what it was. A unit that took part in anything (a
    vote, the fund, a request …) is a record of it: refused (409 unit_in_use), to be
    corrected instead. Returns the removed unit's label."""
    compound = unit.compound
    authorize("registry.edit", compound)
    in_use = unit_records(unit)
    if in_use:
        raise _unit_in_use(in_use)
    snapshot = {**_unit_snapshot(unit),
                "holders": [{"name": h.person.name, "id_masked": h.person.id_masked}
                            for h in unit.holdings],
                "residents": [r.person.name for r in unit.residents]}
    label, uid = unit.label, unit.id
    db.session.delete(unit)
    try:
        db.session.flush()
    except IntegrityError:  # a record no package declared: the database's keys still hold
        db.session.rollback()
        raise _unit_in_use([]) from None
    audit.record("unit.delete", "unit", uid, {"before": snapshot}, compound_id=compound.id)
    db.session.commit()
    return label


def _unit_in_use(labels: list[str]) -> DomainError:
    what = "、".join(labels) if labels else _l("other records")
    return conflict("unit_in_use", _l("The unit has %(what)s and cannot be removed: correct "
                                      "its number, floor or area instead", what=what))


def _unit_snapshot(unit: Unit) -> dict:
    return {"label": unit.label, "floor": unit.floor, "area": area_to_str(unit.area),
            "area_source": unit.area_source, "developer_held": unit.developer_held}


def find_or_create_person(name: str, id_number: str | None, phone: str = "") -> Person:
    """The person with this ID number, or a new one. A name mismatch is refused."""
    name = inputs.text(name, "name", _l("Full name"), 64)
    norm = None
    if id_number:
        try:
            norm = normalize_id(id_number)
        except IdNumberError as err:
            raise invalid(err.args[0], "id_number") from None
        person = db.session.scalar(select(Person).where(Person.id_number == norm))
        if person is not None:
            if person.name != name:
                raise invalid(_l("This ID number is registered to another name"),
                                    "id_number")
            return person
    person = Person(name=name, id_number=norm, phone=(phone or "").strip()[:32])
    db.session.add(person)
    db.session.flush()
    return person


def set_holders(unit: Unit, holders: list[tuple[str, str]]) -> None:
    """Replace a unit's title holders with (name, ID number) pairs, audited."""
    compound = unit.compound
    authorize("registry.edit", compound)
    before = [(h.person.name, h.person.id_masked) for h in unit.holdings]
    persons = [find_or_create_person(n, i) for n, i in holders]
    if len({p.id for p in persons}) != len(persons):
        raise invalid(_l("The same person is listed twice"), "owners")
    unit.holdings.clear()
    db.session.flush()
    for pos, p in enumerate(persons):
        unit.holdings.append(Holding(person_id=p.id, position=pos))
    db.session.flush()
    audit.record("unit.holders", "unit", unit.id,
                 {"before": before, "after": [(p.name, p.id_masked) for p in persons]},
                 compound_id=compound.id)
    db.session.commit()


RESIDENT_RELATIONS = ("tenant", "family", "other")


def add_resident(unit: Unit, *, name, id_number=None, phone="", relation="tenant") -> Resident:
    """Record a non-owner resident (tenant, relative) of a unit."""
    authorize("registry.edit", unit.compound)
    if relation not in RESIDENT_RELATIONS:
        raise invalid(_l("Unknown relation"), "relation")
    phone = inputs.phone(phone, "phone", _l("Phone"))
    person = find_or_create_person(name, id_number or None, phone)
    if any(r.person_id == person.id for r in unit.residents):
        raise conflict("duplicate", _l("This person already lives here"), "name")
    if any(h.person_id == person.id for h in unit.holdings):
        raise invalid(_l("This person holds title to the unit; owners are not residents"),
                            "name")
    resident = Resident(unit_id=unit.id, person_id=person.id, relation=relation)
    db.session.add(resident)
    db.session.flush()
    audit.record("unit.resident_add", "unit", unit.id,
                 {"name": person.name, "id_masked": person.id_masked, "relation": relation},
                 compound_id=unit.compound_id)
    db.session.commit()
    return resident


def remove_resident(unit: Unit, resident: Resident) -> None:
    """Take a resident off a unit (the person stays in the register)."""
    authorize("registry.edit", unit.compound)
    if resident.unit_id != unit.id:
        raise not_found("resident")
    name = resident.person.name
    unit.residents.remove(resident)
    audit.record("unit.resident_remove", "unit", unit.id, {"name": name},
                 compound_id=unit.compound_id)
    db.session.commit()


def _acting_compound(person: Person) -> int | None:
    """The compound through which the current user may edit this person: the first of the
    person's units (title, then residence) whose compound the user keeps."""
    for place in person.permission_target().also:
        if may("registry.edit", place):
            return place.compound_id
    return None


def update_person(person: Person, *, name, phone="") -> Person:
    """Edit a person's name and phone (the ID number is fixed once recorded).

    The editor must keep the registry of a compound where the person holds title or lives;
    the audit entry names that compound.
    """
    authorize("registry.edit", person)
    before = {"name": person.name, "phone": person.phone}
    person.name = inputs.text(name, "name", _l("Name"), 64)
    person.phone = inputs.phone(phone, "phone", _l("Phone"))
    audit.record("person.update", "person", person.id,
                 {"before": before, "after": {"name": person.name, "phone": person.phone}},
                 compound_id=_acting_compound(person))
    db.session.commit()
    return person
