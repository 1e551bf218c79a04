"""The worlds of the owners' committee tests (helpers, no tests): the fund's estate 同心苑,
votes written straight into the votes package's tables, and the election's estate 梅岭苑
with the steps that take an election from the start to the final list.

Each world is written in one transaction (one commit), not an object at a time.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

from compounds.models import Building, Entrance, Holding, Person, Unit, natural_key
from core.extensions import db
from core.models import Role, RoleGrant, User
from core.types import utcnow
from owners_committee.election import services as election_services
from owners_committee.election import vetting
from owners_committee.fund.models import UnitFundAccount
from property.models import Company, ServiceContract, StaffMember
from tests.acting import as_user
from tests.factories import id_number, password_hash
from tests.property.worlds import uscc
from votes.models import RollGroup, RollUnit, Vote


def user(username: str, role: Role | None = None, scope_id: int | None = None, *,
         person: Person | None = None) -> User:
    """An account (password "password") with one role grant, added to the session."""
    u = User(username=username, display_name="测试用户", is_admin=False,
             password_hash=password_hash(),
             person_id=person.id if person is not None else None)
    if role is not None:
        u.grants.append(RoleGrant(role=role.value, scope_id=scope_id))
    db.session.add(u)
    return u


def _building(compound, number: str, entrances=("1",), floors: int = 6) -> Building:
    b = Building(compound_id=compound.id, number=number, sort_key=natural_key(number),
                 floors=floors)
    b.entrances = [Entrance(number=e, sort_key=natural_key(e)) for e in entrances]
    db.session.add(b)
    return b


def _unit(building: Building, entrance: Entrance, number: str, area: str, owners=(),
          developer: bool = False, floor: int = 1) -> Unit:
    u = Unit(compound_id=building.compound_id, building_id=building.id,
             entrance_id=entrance.id, number=number, sort_key=natural_key(number),
             floor=floor, area=Decimal(area), developer_held=developer,
             label=f"{building.number}-{entrance.number}-{number}")
    u.holdings = [Holding(person=p, position=n) for n, p in enumerate(owners)]
    db.session.add(u)
    return u


# -- the fund's estate ----------------------------------------------------------------------

def build_estate(make) -> SimpleNamespace:
    """同心苑: rate ¥100.00/m²; buildings 7 (entrances 1, 2) and 8 (entrance 1).

    Units (area m²): 7-1-101 88.05 (王芳, the `owner` account), 7-1-102 92.10 (李强),
    7-2-101 66.66 (赵敏), 7-2-102 100.00 (developer-held), 8-1-101 77.77 (王芳 too).
    Accounts: `oc` (owners' committee), `owner` (王芳), `rc` (residents' committee),
    `other` (an owner of another compound), `oc2` (the committee of the other compound).
    """
    c = make.compound("同心苑", fund_rate_fen=10000)
    elsewhere = make.compound("别处小区")
    b7, b8 = _building(c, "7", ("1", "2")), _building(c, "8")
    b1 = _building(elsewhere, "1")
    # a birth date of their own: no clash with the factories' people, whatever their count
    wang, li, zhao, stranger = (Person(name=n, id_number=id_number(i, birth="19800101"),
                                       phone="13800000000")
                                for i, n in enumerate(("王芳", "李强", "赵敏", "钱多")))
    db.session.flush()
    e71, e72 = b7.entrances
    u = SimpleNamespace(
        a=_unit(b7, e71, "101", "88.05", [wang]),
        b=_unit(b7, e71, "102", "92.10", [li]),
        c=_unit(b7, e72, "101", "66.66", [zhao]),
        d=_unit(b7, e72, "102", "100.00", developer=True),
        e=_unit(b8, b8.entrances[0], "101", "77.77", [wang]),
    )
    _unit(b1, b1.entrances[0], "101", "89.50", [stranger])
    db.session.flush()
    world = SimpleNamespace(
        compound=c, b7=b7, b8=b8, units=u, wang=wang,
        oc=user("oc", Role.oc_member, c.id), owner=user("owner", Role.owner, person=wang),
        rc=user("rc", Role.rc_secretary, c.id),
        other=user("other", Role.owner, person=stranger),
        oc_elsewhere=user("oc2", Role.oc_member, elsewhere.id), elsewhere=elsewhere)
    db.session.commit()
    return world


def make_vote(compound, units, *, matter="use_fund", status="closed", passed=True,
              title="关于使用维修资金维修7号楼屋面的表决") -> Vote:
    """A vote as the votes package leaves it after closing: frozen roll and stored result."""
    now = utcnow()
    units = [db.session.get(Unit, x.id) for x in units]
    vote = Vote(compound_id=compound.id, title=title, matter=matter, status=status,
                roll_units=len(units), roll_area=sum((x.area for x in units), Decimal("0")),
                roll_heads=len(units), opened_at=now, closed_at=now,
                result_json=None if status in ("draft", "announced", "open") else json.dumps(
                    {"passed": passed, "quorum_met": True, "approved": passed,
                     "ratios": {"turnout_area": "80.00%", "turnout_heads": "75.00%",
                                "consent_area": "70.12%" if passed else "40.00%",
                                "consent_heads": "66.66%" if passed else "33.33%"}}))
    db.session.add(vote)
    db.session.flush()
    groups = [RollGroup(vote_id=vote.id, key=f"u:{unit.id}", serial=f"{n:04d}",
                        area=unit.area, units=1, developer=unit.developer_held,
                        first_label=unit.label, labels=unit.label)
              for n, unit in enumerate(units)]
    db.session.add_all(groups)
    db.session.flush()
    db.session.add_all([
        RollUnit(vote_id=vote.id, group_id=group.id, unit_id=unit.id, label=unit.label,
                 area=unit.area, floor=unit.floor, building_id=unit.building_id,
                 entrance_id=unit.entrance_id, building_number=unit.building.number,
                 entrance_number=unit.entrance.number, number=unit.number)
        for group, unit in zip(groups, units, strict=True)])
    db.session.commit()
    return vote


# -- the election's estate ------------------------------------------------------------------

#: the nine owners of 梅岭苑, in the order of their units
NAMES = ["王芳", "李强", "赵敏", "孙丽", "周杰", "吴敏", "郑洁", "冯涛", "陈静"]


class World(dict):
    __getattr__ = dict.__getitem__


def build_world(make) -> World:
    """梅岭苑 (notice_days 15, fund rate 1.00 yuan/m²): building 7, entrances 1 and 2; nine
    owners each holding one 100.00 m² unit, 7-1-101 … 7-2-402, and a developer-held
    7-2-601. Every owner paid the first deposit due. A serving property company 安居物业
    with a staff register (保安老张), an unrelated company 别家物业. Accounts: `ps` (party
    secretary), `rc` (residents' committee), `owners` (one per owner, o0 … o8)."""
    c = make.compound("梅岭苑", notice_days=15, fund_rate_fen=100)
    b = _building(c, "7", ("1", "2"))
    db.session.flush()
    people, units = {}, {}
    for i, name in enumerate(NAMES):
        p = Person(name=name, id_number=id_number(300 + i), phone="13800000000")
        number = f"{i % 5 // 2 + 1}0{i % 2 + 1}" if i < 5 else f"{(i - 5) // 2 + 3}0{i % 2 + 1}"
        people[name] = p
        units[name] = _unit(b, b.entrances[i // 5], number, "100.00", [p], floor=int(number[0]))
    developer = Person(name="开发商", id_number=id_number(399))
    dev_unit = _unit(b, b.entrances[1], "601", "100.00", [developer], developer=True, floor=6)
    db.session.flush()
    # every owner paid the first deposit due (1.00 yuan × 100 m² = 100.00 yuan)
    db.session.add_all([UnitFundAccount(compound_id=c.id, unit_id=u.id, balance_fen=10000,
                                        initial_paid_fen=10000) for u in units.values()])
    district = c.street.district_id
    company = Company(district_id=district, name="安居物业", uscc=uscc(11))
    other = Company(district_id=district, name="别家物业", uscc=uscc(12))
    db.session.add_all([company, other])
    db.session.flush()
    db.session.add(ServiceContract(company_id=company.id, compound_id=c.id,
                                   starts_on=dt.date(2020, 1, 1), fee_fen=150))
    db.session.add(StaffMember(company_id=company.id, name="保安老张", id_number=id_number(901),
                               role="security"))
    ps = user("ps", Role.party_secretary, c.id)
    rc = user("rc", Role.rc_secretary, c.id)
    owners = {n: user(f"o{i}", Role.owner, person=people[n]) for i, n in enumerate(NAMES)}
    db.session.commit()
    return World(c=c, b=b, people=people, units=units, developer=developer,
                 dev_unit=dev_unit, company=company, other=other, ps=ps, rc=rc, owners=owners)


def start(w, seats=5, with_group=True):
    """An election with a properly composed preparatory group (3 owners of 5)."""
    with as_user(w.rc):
        e = election_services.create_election(w.c, kind="first",
                                               title="梅岭苑第一届业主委员会选举", seats=seats)
        if with_group:
            election_services.add_group_member(e, name="街道张主任", role="street",
                                               leader=True, affiliation="长寿路街道")
            election_services.add_group_member(e, name="居委会陈晨", role="residents_committee")
            election_services.add_group_member(e, name="党支部王书记", role="party")
            for n in ("郑洁", "冯涛", "陈静"):
                election_services.add_group_member(e, name=n, role="owner",
                                                   unit=w.units[n].label)
    return e


def eligible(w, e, name, **decl):
    """Nominate `name` and record a complete, clean set of declarations."""
    with as_user(w.rc):
        c = election_services.nominate(e, unit=w.units[name].label, name=name,
                                       nomination="self", politics="masses",
                                       occupation="退休教师", profile=f"{name}，热心小区公共事务。")
        values = {"pledge_signed_on": "2026-11-01", "declared_full_capacity": "yes",
                  "declared_relative_staff": "no", "relative_id_numbers": ""}
        values.update(decl)
        election_services.update_declarations(c, **values)
    return c


FEE_CONFIRMATION = {"fee_arrears": "物业公司出具无欠费证明（2026-11-02）"}


def approve(w, candidate):
    """Both reviews, approving."""
    with as_user(w.rc):
        vetting.group_review(candidate, approve=True, confirmations=FEE_CONFIRMATION)
    with as_user(w.ps):
        vetting.party_review(candidate, approve=True)


def approve_all(w, e, names):
    """Nominate and approve each of `names` (a final list needs as many as the seats)."""
    return [approve(w, eligible(w, e, name)) or None for name in names]


def end_notice(e) -> None:
    """Let the notice period pass."""
    e.notice_ends_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()


def to_final(w, e):
    """Publish, let the notice period pass, finalise."""
    with as_user(w.rc):
        vetting.publish_notice(e)
    end_notice(e)
    with as_user(w.rc):
        vetting.finalise_list(e)
