"""The estate for election tests (helpers and fixtures only; imported by the other
test_election* modules).

梅岭苑 (notice_days 0, fund rate 1.00 yuan/m²): building 7, entrances 1 and 2; nine owners
each holding one 100.00 m² unit, 7-1-101 … 7-2-402, and a developer-held 7-2-601. A serving
property company 安居物业 with a staff register, an unrelated company 别家物业.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from flask import current_app
from flask_login import login_user

from core.extensions import db
from core.models import Role
from owners_committee import election_services as svc
from tests.factories import id_number

NAMES = ["王芳", "李强", "赵敏", "孙丽", "周杰", "吴敏", "郑洁", "冯涛", "陈静"]


@contextmanager
def as_user(user):
    with current_app.test_request_context("/"):
        login_user(user)
        yield


class World(dict):
    __getattr__ = dict.__getitem__


def _user(username, role, scope_id=None, person=None):
    from core.auth import hash_password
    from core.models import RoleGrant, User
    from tests.factories import _hash

    u = User(username=username, display_name="测试用户", is_admin=False,
             password_hash=_hash("password", hash_password))
    u.person_id = person.id if person is not None else None
    u.grants.append(RoleGrant(role=role.value, scope_id=scope_id))
    db.session.add(u)
    return u


def build_world(make) -> World:
    """Written in one transaction (the factories commit row by row, which is slow)."""
    from compounds.models import Building, Entrance, Holding, Person, Unit, natural_key
    from owners_committee.fund_models import UnitFundAccount
    from property.models import Company, ServiceContract, StaffMember
    from tests.property.conftest import uscc

    c = make.compound("梅岭苑", notice_days=0, fund_rate_fen=100)
    b = Building(compound_id=c.id, number="7", sort_key=natural_key("7"), floors=6)
    b.entrances = [Entrance(number=e, sort_key=natural_key(e)) for e in ("1", "2")]
    db.session.add(b)
    db.session.flush()

    def unit(entrance, number, person, developer=False):
        u = Unit(compound_id=c.id, building_id=b.id, entrance_id=entrance.id, number=number,
                 sort_key=natural_key(number), floor=int(number[0]), area=Decimal("100.00"),
                 developer_held=developer, label=f"7-{entrance.number}-{number}")
        u.holdings.append(Holding(person=person, position=0))
        db.session.add(u)
        return u

    people, units = {}, {}
    for i, name in enumerate(NAMES):
        p = Person(name=name, id_number=id_number(300 + i), phone="13800000000")
        number = f"{i % 5 // 2 + 1}0{i % 2 + 1}" if i < 5 else f"{(i - 5) // 2 + 3}0{i % 2 + 1}"
        people[name], units[name] = p, unit(b.entrances[i // 5], number, p)
    developer = Person(name="开发商", id_number=id_number(399))
    dev_unit = unit(b.entrances[1], "601", developer, developer=True)
    db.session.flush()
    # every owner paid the first deposit due (1.00 yuan × 100 m² = 100.00 yuan)
    for u in units.values():
        db.session.add(UnitFundAccount(compound_id=c.id, unit_id=u.id, balance_fen=10000,
                                       initial_paid_fen=10000))
    district = c.street.district_id
    company = Company(district_id=district, name="安居物业", uscc=uscc(11))
    other = Company(district_id=district, name="别家物业", uscc=uscc(12))
    db.session.add_all([company, other])
    db.session.flush()
    db.session.add(ServiceContract(company_id=company.id, compound_id=c.id,
                                   starts_on=dt.date(2020, 1, 1), fee_fen=150))
    db.session.add(StaffMember(company_id=company.id, name="保安老张", id_number=id_number(901),
                               role="security"))
    ps = _user("ps", Role.party_secretary, c.id)
    rc = _user("rc", Role.rc_secretary, c.id)
    owners = {n: _user(f"o{i}", Role.owner, person=people[n]) for i, n in enumerate(NAMES)}
    db.session.commit()
    return World(c=c, b=b, people=people, units=units, developer=developer,
                 dev_unit=dev_unit, company=company, other=other, ps=ps, rc=rc, owners=owners)


@pytest.fixture
def world(make):
    return build_world(make)


def start(w, seats=5, with_group=True):
    """An election with a properly composed preparatory group (3 owners of 5)."""
    with as_user(w.rc):
        e = svc.create_election(w.c, kind="first", title="梅岭苑第一届业主委员会选举",
                                seats=seats)
        if with_group:
            svc.add_group_member(e, name="街道张主任", role="street", leader=True,
                                 affiliation="长寿路街道")
            svc.add_group_member(e, name="居委会陈晨", role="residents_committee")
            svc.add_group_member(e, name="党支部王书记", role="party")
            for n in ("郑洁", "冯涛", "陈静"):
                svc.add_group_member(e, name=n, role="owner", unit=w.units[n].label)
    return e


def eligible(w, e, name, **decl):
    """Nominate `name` and record a complete, clean set of declarations."""
    with as_user(w.rc):
        c = svc.nominate(e, unit=w.units[name].label, name=name, nomination="self",
                         politics="masses", occupation="退休教师",
                         profile=f"{name}，热心小区公共事务。")
        values = {"pledge_signed_on": "2026-11-01", "declared_full_capacity": "yes",
                  "declared_relative_staff": "no", "relative_id_numbers": ""}
        values.update(decl)
        svc.update_declarations(c, **values)
    return c


FEE_CONFIRMATION = {"fee_arrears": "物业公司出具无欠费证明（2026-11-02）"}


def approve(w, candidate):
    """Both reviews, approving."""
    with as_user(w.rc):
        svc.group_review(candidate, approve=True, confirmations=FEE_CONFIRMATION)
    with as_user(w.ps):
        svc.party_review(candidate, approve=True)


def to_final(w, e):
    """Publish, let the notice period pass, finalise."""
    with as_user(w.rc):
        svc.publish_notice(e)
    e.notice_ends_at = svc.utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    with as_user(w.rc):
        svc.finalise_list(e)
