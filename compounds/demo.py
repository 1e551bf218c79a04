"""Deterministic demo data (演示数据): one district, two streets, three compounds of different
kinds, and a signed-in account for every role.

Nothing here describes real people. Names are common surnames joined to common given-name
characters; phone numbers follow the reserved-looking pattern 139 0000 xxxx; identity numbers
carry a plausible Shanghai region code and birth date and a correct GB 11643 check character,
but are drawn at random; compound names and addresses are invented.

Two halves:

- `plan(seed)` is pure: a `random.Random(seed)` decides every compound, building, unit, area,
  person and title holding. The same seed gives the same plan in every process (no set or
  hash ordering is involved), so `plan().digest()` is a fingerprint of the demo.
- `load(seed)` writes: it runs the *demo steps* in order inside one transaction, appends one
  audit entry `demo.load` summarising what was loaded, and commits. Bulk inserts only, so
  the 1,512-unit high-rise loads in well under a second on SQLite and PostgreSQL alike.

Demo steps are functions `step(ctx: DemoContext) -> None`. The registry and the accounts are
the first two. Later packages add theirs without touching this file: a module
`<package>/demo.py` whose steps and logins the package's plugin declares as the hooks
`demo.steps` (`DemoStep(order, step)`, run by order) and `demo.logins` (the accounts it
creates, for `flask demo logins`). Each step
gets its own generator in `ctx.rng`, seeded from the demo seed and the step's name, so adding
a step never changes the data of the others.

The property_manager account (username `property`) is created by the property package's
step, because its scope is a property company, which that package provides.

The demo accounts share one documented password (`tongxin-demo`, or TONGXIN_DEMO_PASSWORD).
Never load the demo into a production database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, insert, select
from werkzeug.security import check_password_hash

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
from compounds.registry.services import get_or_create_street
from core import audit, hooks
from core.auth import hash_password
from core.extensions import db
from core.idnumber import check_char
from core.models import ROLE_SCOPE, Role, RoleGrant, User

DEFAULT_SEED = 20240601
#: the demo accounts' documented password — demo data only, never production
DEFAULT_PASSWORD = "tongxin-demo"  # noqa: S105
PASSWORD_ENV = "TONGXIN_DEMO_PASSWORD"  # noqa: S105  (the variable's name)



class DemoError(Exception):
    """The demo refuses to load (the message says why); nothing was written."""


def demo_password() -> str:
    password = os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD
    if len(password) < 8:
        raise DemoError(f"{PASSWORD_ENV} needs at least 8 characters")
    return password


# -- invented people ---------------------------------------------------------------------

# common surnames, weighted roughly by how often they occur
_SURNAMES = (
    ("王", 72), ("李", 70), ("张", 68), ("刘", 52), ("陈", 46), ("杨", 32), ("黄", 24),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 18), ("孙", 15), ("马", 12), ("朱", 12),
    ("胡", 11), ("郭", 10), ("何", 9), ("林", 9), ("高", 9), ("罗", 8), ("郑", 8), ("梁", 7),
    ("谢", 6), ("宋", 6), ("唐", 6), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5),
    ("彭", 4), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4), ("潘", 4), ("袁", 4), ("蔡", 4),
    ("蒋", 4), ("余", 3), ("于", 3), ("杜", 3), ("叶", 3), ("程", 3), ("魏", 3), ("苏", 3),
    ("吕", 3), ("丁", 3), ("沈", 5), ("姚", 3), ("陆", 5), ("顾", 4), ("钱", 3), ("施", 3),
    ("范", 2), ("金", 3), ("汪", 2), ("俞", 2), ("严", 2), ("倪", 2), ("龚", 2), ("邵", 2),
)
_SURNAME_CHARS = tuple(s for s, _ in _SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in _SURNAMES)
_MALE = "伟强军国建明华平志勇杰涛斌磊鹏浩俊峰辉亮刚健文宏东海波晨宇轩毅德忠荣新林雷超龙民"
_FEMALE = "秀英丽敏静芳娟霞玲燕红梅萍琳婷慧雪莉洁颖佳欣怡晓倩蓉娜琴凤兰云瑶珍"

# Shanghai district codes (310101 黄浦 … 310120 奉贤); 310107 is 普陀, where the demo lives
_REGIONS = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
            "310113", "310114", "310115", "310116", "310117", "310118", "310120")
_REGION_WEIGHTS = (4, 3, 3, 4, 30, 3, 4, 3, 3, 2, 4, 1, 1, 1, 1)

PHONE_PREFIX = "1390000"  # 139 0000 xxxx

#: invented names (walk-up, high-rise, small compound); the addresses are invented too
COMPOUND_NAMES = ("槐荫新村", "澄澜华庭", "桐华公寓")


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    id_number: str
    phone: str


class _People:
    """Invents people: unique ID numbers, unique phone numbers, plausible names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.persons: list[PlannedPerson] = []
        self._ids: set[str] = set()
        self._phones = list(range(10000))
        rng.shuffle(self._phones)

    def name(self, male: bool) -> str:
        rng = self.rng
        surname = rng.choices(_SURNAME_CHARS, _SURNAME_WEIGHTS)[0]
        chars = _MALE if male else _FEMALE
        if rng.random() < 0.25:
            return surname + rng.choice(chars)
        first, second = rng.sample(chars, 2)
        return surname + first + second

    def id_number(self, male: bool, born: tuple[int, int]) -> str:
        rng = self.rng
        while True:
            birth = dt.date(born[0], 1, 1) + dt.timedelta(
                days=rng.randrange((dt.date(born[1], 12, 31) - dt.date(born[0], 1, 1)).days + 1))
            region = rng.choices(_REGIONS, _REGION_WEIGHTS)[0]
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd: male, even: female
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = first17 + check_char(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def new(self, born: tuple[int, int], male: bool | None = None) -> int:
        """A new person born within `born` (years, inclusive); returns their index."""
        if male is None:
            male = self.rng.random() < 0.5
        lo, hi = (min(max(year, 1940), 2000) for year in born)
        born = (lo, max(lo, hi))
        person = PlannedPerson(self.name(male), self.id_number(male, born),
                               f"{PHONE_PREFIX}{self._phones.pop():04d}")
        self.persons.append(person)
        return len(self.persons) - 1

    def holders(self, born: tuple[int, int], *, couple: float, family: float) -> list[int]:
        """Title holders of one purchase: one person, a couple, or parents with a child."""
        r = self.rng.random()
        if r >= couple:
            return [self.new(born)]
        husband_born = self.rng.randint(*born)
        husband = self.new((husband_born, husband_born))
        wife_born = husband_born + self.rng.randint(-2, 5)
        wife = self.new((wife_born, wife_born), male=False)
        pair = [husband, wife] if self.rng.random() < 0.7 else [wife, husband]
        if r < couple * family and husband_born + 24 <= 2000:
            child_born = min(husband_born + self.rng.randint(24, 32), 2000)
            pair.append(self.new((child_born, child_born)))
        return pair


# -- the plan ----------------------------------------------------------------------------

@dataclass
class PlannedUnit:
    building: str
    entrance: str
    number: str
    floor: int
    area: Decimal
    area_source: str
    developer_held: bool = False
    #: indices into DemoPlan.persons, in title order; empty: not recorded (or the developer's)
    holders: list[int] = field(default_factory=list)
    #: (person index, relation) of non-owner residents
    residents: list[tuple[int, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.building}-{self.entrance}-{self.number}"


@dataclass
class PlannedBuilding:
    number: str
    floors: int
    entrances: list[str]
    per_floor: int
    has_elevator: bool
    phase: str = ""


@dataclass
class PlannedCompound:
    key: str
    name: str
    address: str
    street: int  # index into DemoPlan.streets
    kind: str
    buildings: list[PlannedBuilding] = field(default_factory=list)
    units: list[PlannedUnit] = field(default_factory=list)

    def totals(self) -> rules.Totals:
        """Units, area and heads the law's way (compounds.rules), from the plan alone."""
        return rules.totals(
            rules.UnitFacts(unit_id=i, area=u.area, developer_held=u.developer_held,
                            holder_ids=frozenset(u.holders))
            for i, u in enumerate(self.units))


@dataclass
class DemoPlan:
    seed: int
    district: str
    streets: list[str]
    compounds: list[PlannedCompound]
    persons: list[PlannedPerson]
    #: person indices the demo owner accounts are linked to: {"owner": …, "owner2": …}
    account_persons: dict[str, int]

    def compound(self, key: str) -> PlannedCompound:
        return next(c for c in self.compounds if c.key == key)

    def digest(self) -> str:
        """SHA-256 over everything the plan writes, in a fixed order."""
        lines = [f"{self.district}|{'|'.join(self.streets)}"]
        for c in self.compounds:
            lines.append(compound_line(c.name, c.address, self.streets[c.street]))
            lines.extend(building_line(b.number, b.phase, b.floors, b.has_elevator,
                                       b.entrances) for b in c.buildings)
            for u in sorted(c.units, key=lambda u: unit_order(u.building, u.entrance, u.number)):
                lines.append(unit_line(
                    u.label, u.floor, u.area, u.area_source, u.developer_held,
                    [self.persons[i] for i in u.holders],
                    [(self.persons[i], rel) for i, rel in u.residents]))
        return digest_lines(lines)


def unit_order(building: str, entrance: str, number: str) -> tuple[str, str, str]:
    """The registry's order of units (as the compound page lists them)."""
    return natural_key(building), natural_key(entrance), natural_key(number)


def compound_line(name: str, address: str, street: str) -> str:
    return f"C|{street}|{name}|{address}"


def building_line(number: str, phase: str, floors: int, elevator: bool,
                  entrances: list[str]) -> str:
    return f"B|{number}|{phase}|{floors}|{int(elevator)}|{','.join(entrances)}"


def unit_line(label: str, floor: int, area: Decimal, source: str, developer: bool,
              holders, residents) -> str:
    """One unit as a digest line; holders are persons, residents (person, relation) pairs."""
    h = ";".join(f"{p.name},{p.id_number},{p.phone}" for p in holders)
    r = ";".join(f"{p.name},{p.id_number},{p.phone},{rel}" for p, rel in residents)
    return f"U|{label}|{floor}|{Decimal(area):.2f}|{source}|{int(developer)}|{h}|{r}"


def digest_lines(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _area(rng: random.Random, lo: float, hi: float) -> Decimal:
    """A random area in [lo, hi] m² with two decimals — drawn as integer hundredths."""
    return Decimal(rng.randint(round(lo * 100), round(hi * 100))).scaleb(-2)


def _clamp(area: Decimal, lo: str, hi: str) -> Decimal:
    return min(max(area, Decimal(lo)), Decimal(hi))


def _source(rng: random.Random, registered: float, surveyed: float) -> str:
    r = rng.random()
    if r < registered:
        return AreaSource.registered.value
    if r < registered + surveyed:
        return AreaSource.surveyed.value
    return AreaSource.contract.value


def _walkup(rng: random.Random) -> PlannedCompound:
    """槐荫新村: early-1990s walk-up — 17 six-storey buildings × 3 entrances × 2 units a floor."""
    c = PlannedCompound("walkup", COMPOUND_NAMES[0], "槐荫路218弄", 0, "多层（无电梯）")
    for b in range(1, 18):
        building = PlannedBuilding(str(b), 6, ["1", "2", "3"], 2, False)
        c.buildings.append(building)
        # one design per building: a smaller and a larger flat on each landing
        base = (_area(rng, 45.5, 56.0), _area(rng, 57.0, 72.5))
        for e_i, e in enumerate(building.entrances):
            for pos in (1, 2):
                stack = base[pos - 1]
                if (e_i, pos) in ((0, 1), (2, 2)):  # end flats gain the gable wall's depth
                    stack += _area(rng, 0.8, 1.6)
                for floor in range(1, 7):
                    source = _source(rng, 0.9, 0.1)
                    area = stack
                    if source == AreaSource.surveyed.value:
                        area += _area(rng, -0.6, 0.6)
                    c.units.append(PlannedUnit(str(b), e, f"{floor}{pos:02d}", floor,
                                               _clamp(area, "45.00", "75.00"), source))
    return c


_TOWER_FLOORS = (30, 32, 33, 31, 30, 33, 32, 31)


def _highrise(rng: random.Random) -> PlannedCompound:
    """澄澜华庭: 2010s high-rise in two phases — 8 towers, 2 entrances, 3 flats a landing."""
    c = PlannedCompound("highrise", COMPOUND_NAMES[1], "澄波路1688弄", 1, "高层（有电梯）")
    for b, floors in enumerate(_TOWER_FLOORS, start=1):
        phase = "一期" if b <= 4 else "二期"
        building = PlannedBuilding(str(b), floors, ["1", "2"], 3, True, phase)
        c.buildings.append(building)
        # three stacks: a three-room corner flat, a two-room middle flat, a four-room corner
        layouts = ((_area(rng, 110.0, 132.0), _area(rng, 80.0, 96.0), _area(rng, 136.0, 158.0)),
                   (_area(rng, 110.0, 132.0), _area(rng, 80.0, 96.0), _area(rng, 136.0, 158.0)))
        registered = 0.95 if phase == "一期" else 0.85
        for e_i, e in enumerate(building.entrances):
            for floor in range(1, floors + 1):
                for pos in (1, 2, 3):
                    source = _source(rng, registered, 0.1)
                    area = layouts[e_i][pos - 1]
                    if source != AreaSource.registered.value:
                        area += _area(rng, -1.2, 1.2)
                    c.units.append(PlannedUnit(str(b), e, f"{floor}{pos:02d}", floor,
                                               _clamp(area, "80.00", "160.00"), source))
    # the developer still holds about 3% — unsold flats, nearly all in phase two
    phase_two = [u for u in c.units if int(u.building) > 4]
    phase_one = [u for u in c.units if int(u.building) <= 4]
    for u in rng.sample(phase_two, 40) + rng.sample(phase_one, 5):
        u.developer_held = True
        u.area_source = AreaSource.surveyed.value
    return c


def _small(rng: random.Random) -> PlannedCompound:
    """桐华公寓: a small compound — a six-storey walk-up and a seven-storey building with a lift."""
    c = PlannedCompound("small", COMPOUND_NAMES[2], "桐华路56弄", 0, "小型")
    specs = (PlannedBuilding("1", 6, ["1", "2"], 2, False),
             PlannedBuilding("2", 7, ["1"], 4, True))
    for building in specs:
        c.buildings.append(building)
        for e in building.entrances:
            stacks = [_area(rng, 62.0, 108.0) for _ in range(building.per_floor)]
            for floor in range(1, building.floors + 1):
                for pos in range(1, building.per_floor + 1):
                    c.units.append(PlannedUnit(building.number, e, f"{floor}{pos:02d}", floor,
                                               stacks[pos - 1], _source(rng, 0.9, 0.1)))
    return c


@dataclass(frozen=True)
class _Owners:
    born: tuple[int, int]
    couple: float  # share of purchases held by a couple (30%)
    family: float  # share of those with an adult child on the title too
    multi: float  # share of owners holding 2–3 units
    unrecorded: int  # units whose owner is not recorded
    tenants: float  # share of owned units let to tenants
    relatives: float  # share of owned units where a non-owner relative is registered


def _assign_owners(rng: random.Random, people: _People, c: PlannedCompound, o: _Owners,
                   account: str | None, accounts: dict[str, int]) -> None:
    units = [u for u in c.units if not u.developer_held]
    pool = list(range(len(units)))
    rng.shuffle(pool)
    if account == "owner":
        # co-owns one flat with the spouse and owns another, in another building, alone
        home = units[pool.pop()]
        holders = people.holders(o.born, couple=1.0, family=0.0)
        home.holders = holders
        person = holders[0]
        other = next(i for i in reversed(pool) if units[i].building != home.building)
        pool.remove(other)
        units[other].holders = [person]
        units[other].residents = [(people.new((1985, 1998)), "tenant")]
        accounts[account] = person
    elif account == "owner2":
        home = units[pool.pop()]
        home.holders = [people.new(o.born)]
        accounts[account] = home.holders[0]
    for _ in range(o.unrecorded):
        pool.pop()  # the ledger has no owner for these
    while pool:
        first = units[pool.pop()]
        group = [first]
        extra = rng.choice((1, 1, 1, 2)) if rng.random() < o.multi else 0
        for _ in range(extra):
            if pool:
                same = [i for i in pool if units[i].building == first.building]
                pick = same[-1] if same and rng.random() < 0.6 else pool[-1]
                pool.remove(pick)
                group.append(units[pick])
        holders = people.holders(o.born, couple=o.couple, family=o.family)
        for n, u in enumerate(group):
            u.holders = list(holders)
            if n > 0 and rng.random() < 0.6:  # a second flat is usually let
                u.residents = [(people.new((1975, 2000)), "tenant")
                               for _ in range(rng.choice((1, 1, 2, 3)))]
    for u in units:
        if u.residents:
            continue
        r = rng.random()
        if r < o.tenants:
            u.residents = [(people.new((1975, 2000)), "tenant")
                           for _ in range(rng.choice((1, 1, 2, 3)))]
        elif r < o.tenants + o.relatives:
            u.residents = [(people.new((1940, 2000)), "family")]


def plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    """Everything the registry step writes, decided by `random.Random(seed)` alone."""
    rng = random.Random(seed)
    people = _People(rng)
    accounts: dict[str, int] = {}
    walkup, highrise, small = _walkup(rng), _highrise(rng), _small(rng)
    _assign_owners(rng, people, walkup,
                   _Owners((1940, 1975), 0.30, 0.10, 0.05, 4, 0.10, 0.04), "owner", accounts)
    _assign_owners(rng, people, highrise,
                   _Owners((1958, 1998), 0.30, 0.08, 0.05, 6, 0.12, 0.03), "owner2", accounts)
    _assign_owners(rng, people, small,
                   _Owners((1945, 1985), 0.30, 0.05, 0.05, 1, 0.06, 0.03), None, accounts)
    return DemoPlan(seed, "普陀区", ["长风新村街道", "曹杨新村街道"],
                    [walkup, highrise, small], people.persons, accounts)


# -- writing -----------------------------------------------------------------------------

@dataclass
class DemoContext:
    """What the steps share. A step reads what earlier steps made and adds its own."""

    seed: int
    plan: DemoPlan
    #: one scrypt hash of the demo password, shared by the demo accounts
    password_hash: str
    #: this step's own generator (seeded from the demo seed and the step's name)
    rng: random.Random = field(default_factory=random.Random)
    district: District | None = None
    streets: list[Street] = field(default_factory=list)
    #: in plan order: the walk-up, the high-rise, the small compound
    compounds: list[Compound] = field(default_factory=list)
    #: database ids parallel to plan.persons, and per compound to plan.compounds[i].units
    person_ids: list[int] = field(default_factory=list)
    unit_ids: list[list[int]] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    #: what each step loaded; becomes the data of the `demo.load` audit entry
    summary: dict[str, object] = field(default_factory=dict)

    def add_account(self, username: str, display_name: str, *, role: Role | None = None,
                    scope_id: int | None = None, admin: bool = False,
                    person_id: int | None = None, phone: str = "") -> User:
        """A demo account with the demo password (and a role grant when given)."""
        user = User(username=username, display_name=display_name,
                    password_hash=self.password_hash, is_admin=admin, person_id=person_id,
                    phone=phone)
        db.session.add(user)
        db.session.flush()
        if role is not None:
            db.session.add(RoleGrant(user_id=user.id, role=Role(role).value, scope_id=scope_id))
        self.users[username] = user
        return user


Step = Callable[[DemoContext], None]


def _insert_ids(model, rows: list[dict]) -> list[int]:
    """Bulk insert; the new primary keys in the order of `rows`."""
    if not rows:
        return []
    result = db.session.execute(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def registry_step(ctx: DemoContext) -> None:
    """District, streets, compounds, buildings, entrances, units, persons, holdings, residents."""
    p = ctx.plan
    ctx.streets = [get_or_create_street(p.district, s) for s in p.streets]
    ctx.district = ctx.streets[0].district
    ctx.person_ids = _insert_ids(Person, [
        {"name": x.name, "id_number": x.id_number, "phone": x.phone} for x in p.persons])
    per_compound = {}
    for pc in p.compounds:
        compound = Compound(street_id=ctx.streets[pc.street].id, name=pc.name,
                            address=pc.address, notice_days=15)
        db.session.add(compound)
        db.session.flush()
        ctx.compounds.append(compound)
        building_ids = _insert_ids(Building, [
            {"compound_id": compound.id, "number": b.number, "sort_key": natural_key(b.number),
             "phase": b.phase, "floors": b.floors, "has_elevator": b.has_elevator}
            for b in pc.buildings])
        buildings = dict(zip((b.number for b in pc.buildings), building_ids, strict=True))
        keys = [(b.number, e) for b in pc.buildings for e in b.entrances]
        entrance_ids = _insert_ids(Entrance, [
            {"building_id": buildings[b], "number": e, "sort_key": natural_key(e)}
            for b, e in keys])
        entrances = dict(zip(keys, entrance_ids, strict=True))
        unit_ids = _insert_ids(Unit, [
            {"compound_id": compound.id, "building_id": buildings[u.building],
             "entrance_id": entrances[(u.building, u.entrance)], "number": u.number,
             "sort_key": natural_key(u.number), "floor": u.floor, "area": u.area,
             "area_source": u.area_source, "developer_held": u.developer_held,
             "label": u.label}
            for u in pc.units])
        ctx.unit_ids.append(unit_ids)
        holdings = [{"unit_id": uid, "person_id": ctx.person_ids[h], "position": pos}
                    for u, uid in zip(pc.units, unit_ids, strict=True)
                    for pos, h in enumerate(u.holders)]
        residents = [{"unit_id": uid, "person_id": ctx.person_ids[r], "relation": rel}
                     for u, uid in zip(pc.units, unit_ids, strict=True)
                     for r, rel in u.residents]
        if holdings:
            db.session.execute(insert(Holding), holdings)
        if residents:
            db.session.execute(insert(Resident), residents)
        t = pc.totals()
        per_compound[pc.name] = {
            "id": compound.id, "kind": pc.kind, "street": p.streets[pc.street],
            "buildings": len(pc.buildings), "entrances": len(keys), "units": t.units,
            "area": t.area, "heads": t.heads, "developer_units": t.developer_units,
            "unrecorded_units": sum(1 for u in pc.units
                                    if not u.holders and not u.developer_held),
            "co_owned_units": sum(1 for u in pc.units if len(u.holders) > 1),
            "holdings": len(holdings), "residents": len(residents)}
    ctx.summary["district"] = p.district
    ctx.summary["streets"] = list(p.streets)
    ctx.summary["compounds"] = per_compound
    ctx.summary["persons"] = len(p.persons)


#: the base accounts: username → (role or None for the system admin, scope)
_ACCOUNTS: tuple[tuple[str, Role | None, str], ...] = (
    ("admin", None, ""),
    ("district", Role.district_admin, "district"),
    ("street", Role.street_staff, "street:0"),
    ("party", Role.party_secretary, "compound:0"),
    ("rc", Role.rc_secretary, "compound:0"),
    ("oc", Role.oc_member, "compound:0"),
    ("rc2", Role.rc_secretary, "compound:1"),
    ("volunteer", Role.volunteer, "compound:0"),
    ("owner", Role.owner, "person:owner"),
    ("owner2", Role.owner, "person:owner2"),
)


def accounts_step(ctx: DemoContext) -> None:
    """One account per role (property_manager comes with the property package's step)."""
    people = _People(ctx.rng)  # staff names; these people hold no units
    for username, role, scope in _ACCOUNTS:
        kind, _, ref = scope.partition(":")
        scope_id = person_id = None
        if kind == "district":
            scope_id = ctx.district.id
        elif kind == "street":
            scope_id = ctx.streets[int(ref)].id
        elif kind == "compound":
            scope_id = ctx.compounds[int(ref)].id
        if kind == "person":
            index = ctx.plan.account_persons[ref]
            planned = ctx.plan.persons[index]
            person_id = ctx.person_ids[index]
            name, phone = planned.name, planned.phone
        elif role is None:
            name, phone = "系统管理员", ""
        else:
            staff = people.persons[people.new((1965, 1990))]
            name, phone = staff.name, staff.phone
        ctx.add_account(username, name, role=role, scope_id=scope_id, admin=role is None,
                        person_id=person_id, phone=phone)
    ctx.summary["accounts"] = list(ctx.users)


STEPS: list[Step] = [registry_step, accounts_step]


@dataclass(frozen=True)
class DemoStep:
    """A higher package's demo step (hook `demo.steps`): steps run by `order`, after the
    registry and the accounts — a step may build on what a lower order wrote."""

    order: int
    run: Step


def demo_steps() -> list[Step]:
    """The base steps, then those of the packages above, in a fixed order."""
    declared = sorted(hooks.contributions("demo.steps"), key=lambda s: s.order)
    return [*STEPS, *(s.run for s in declared)]


def not_empty_reason() -> str | None:
    """Why the database does not count as empty for the demo, or None when it does."""
    n = db.session.scalar(select(func.count()).select_from(Compound))
    if n:
        return f"the database already has {n} compound(s)"
    if db.session.scalar(select(func.count()).select_from(Person)):
        return "the database already has persons in its registry"
    taken = db.session.scalars(
        select(User.username).where(User.username.in_([login.username for login in logins()]))
        .order_by(User.username)).all()
    if taken:
        return f"user(s) {', '.join(taken)} already exist"
    return None


def load(seed: int = DEFAULT_SEED, password: str | None = None) -> DemoContext:
    """Load the demo into an empty database in one transaction; DemoError if not empty."""
    reason = not_empty_reason()
    if reason:
        raise DemoError(reason)
    ctx = DemoContext(seed=seed, plan=plan(seed),
                      password_hash=hash_password(password or demo_password()))
    try:
        for step in demo_steps():
            ctx.rng = random.Random(f"tongxin-demo:{seed}:{step.__module__}.{step.__qualname__}")
            step(ctx)
        audit.record("demo.load", "demo", seed, {"seed": seed, **ctx.summary},
                     actor=(None, "demo"))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ctx


# -- the logins table --------------------------------------------------------------------

@dataclass(frozen=True)
class DemoLogin:
    username: str
    #: what to try first; {c1} {c2} {c3} stand for the three compounds' pages
    try_first: str


LOGINS: list[DemoLogin] = [
    DemoLogin("admin", "账户与角色 /admin/users/ · 审计链 /admin/audit/"),
    DemoLogin("district", "全区小区列表 /compounds/ · 审计链 /admin/audit/"),
    DemoLogin("street", "小区列表：只见本街道的两个小区"),
    DemoLogin("party", "小区页面 {c1}"),
    DemoLogin("rc", "小区页面 {c1} · 导入台账 {c1}/ledger/import"),
    DemoLogin("oc", "小区页面 {c1}（楼栋、房屋、业主）"),
    DemoLogin("rc2", "高层小区 {c2}：一期/二期、开发商持有房屋"),
    DemoLogin("owner", "我的房屋 /my/units：一套与配偶共有、一套独有"),
    DemoLogin("owner2", "我的房屋 /my/units（高层小区）"),
    DemoLogin("volunteer", "表决 /votes/ → 送达登记（手机上逐户点选）"),
]


def logins() -> list[DemoLogin]:
    """The demo accounts' hints: the base ones, then those of the packages above (a step
    module that creates no accounts declares no DEMO_LOGINS)."""
    result = list(LOGINS)
    for declared in hooks.contributions("demo.logins"):
        result.extend(declared)
    return result


#: both languages at once, whatever the locale (English as on the accounts page)
ROLE_LABELS = {
    "admin": ("系统管理员", "System administrator"),
    Role.district_admin.value: ("区房管/地区办", "District administrator"),
    Role.street_staff.value: ("街镇工作人员", "Street office staff"),
    Role.party_secretary.value: ("居民区党组织书记", "Party branch secretary"),
    Role.rc_secretary.value: ("居委会书记", "Residents' committee secretary"),
    Role.oc_member.value: ("业委会委员", "Owners' committee member"),
    Role.property_manager.value: ("物业项目经理", "Property company manager"),
    Role.owner.value: ("业主", "Owner"),
    Role.volunteer.value: ("楼组长/志愿者", "Building volunteer"),
}


@dataclass(frozen=True)
class LoginRow:
    username: str
    role: str
    scope: str
    password: str
    try_first: str


def _scope_text(grant: RoleGrant, user: User) -> str:
    kind = ROLE_SCOPE.get(Role(grant.role)) if grant.role in Role.__members__ else None
    if kind == "person":
        rows = db.session.execute(
            select(Compound.name, Unit.label).join(Unit, Unit.compound_id == Compound.id)
            .join(Building, Building.id == Unit.building_id)
            .join(Entrance, Entrance.id == Unit.entrance_id)
            .join(Holding, Holding.unit_id == Unit.id)
            .where(Holding.person_id == user.person_id)
            .order_by(Compound.name, Building.sort_key, Entrance.sort_key, Unit.sort_key)
        ).all() if user.person_id is not None else []
        by_compound: dict[str, list[str]] = {}
        for name, label in rows:
            by_compound.setdefault(name, []).append(label)
        return "; ".join(f"{n} {', '.join(labels)}" for n, labels in by_compound.items()) or "—"
    if grant.scope_id is None:
        return "—"
    model = {"district": District, "street": Street, "compound": Compound}.get(kind or "")
    obj = db.session.get(model, grant.scope_id) if model is not None else None
    if obj is None:  # a company: the property package names it in its own hint
        return f"{kind} #{grant.scope_id}"
    if isinstance(obj, Street):
        return f"{obj.district.name} {obj.name}"
    return obj.name


def login_rows() -> list[LoginRow]:
    """The demo accounts that exist, with role and scope as granted in the database."""
    password = demo_password()
    ids = dict(db.session.execute(
        select(Compound.name, Compound.id).where(Compound.name.in_(COMPOUND_NAMES))).all())
    paths = {f"c{n}": f"/compounds/{ids[name]}" if name in ids else "/compounds/"
             for n, name in enumerate(COMPOUND_NAMES, start=1)}
    checked: dict[str, bool] = {}
    rows = []
    for login in logins():
        user = db.session.scalar(select(User).where(User.username == login.username))
        if user is None:
            continue
        if user.password_hash not in checked:
            checked[user.password_hash] = check_password_hash(user.password_hash, password)
        shown = password if checked[user.password_hash] else "(changed)"
        grants = list(user.grants) or [None]
        for grant in grants:
            key = "admin" if grant is None else grant.role
            zh, en = ROLE_LABELS.get(key, (key, key))
            if grant is None and not user.is_admin:
                zh, en = "—", "no role"
            scope = "—" if grant is None else _scope_text(grant, user)
            try:
                hint = login.try_first.format(**paths)
            except (KeyError, IndexError):
                hint = login.try_first
            rows.append(LoginRow(user.username, f"{zh} {en}", scope, shown, hint))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain-text table that stays aligned with Chinese (double-width) characters."""
    widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        return "  ".join(str(c) + " " * (w - _width(str(c)))
                         for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
