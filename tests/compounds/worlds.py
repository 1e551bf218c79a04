"""Set-up for the compounds tests (no tests here): 梅岭苑 with its owners and staff, the
four organisations of the 1+3+X, and a property company under contract.

Written straight to the tables, flushed as it goes and committed once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from compounds.models import Building, Entrance, Holding, Person, Unit, natural_key
from compounds.org import organisations as org_service
from core.extensions import db
from core.models import Role, RoleGrant, User
from property.models import Company, ServiceContract
from tests.acting import as_user
from tests.factories import id_number, password_hash
from tests.property.worlds import uscc

#: the eight owners of 梅岭苑, one unit each (7-1-101 … 7-1-801)
OWNERS = ["王芳", "李强", "赵敏", "孙丽", "周杰", "吴敏", "郑洁", "冯涛"]


def account(username: str, role: Role, scope_id: int | None = None, person=None) -> User:
    """A user with one grant, added to the session (committed by the caller)."""
    user = User(username=username, display_name="测试用户", is_admin=False,
                password_hash=password_hash(),
                person_id=person.id if person is not None else None)
    user.grants.append(RoleGrant(role=role.value, scope_id=scope_id))
    db.session.add(user)
    return user


def build_ox(make) -> dict:
    """梅岭苑 with eight owners, a developer-held unit, a party secretary (`ps`), a residents'
    committee secretary (`rc`) and the owner 王芳's account (`owner`)."""
    c = make.compound("梅岭苑")
    b = Building(compound_id=c.id, number="7", sort_key=natural_key("7"), floors=6)
    b.entrances = [Entrance(number=e, sort_key=natural_key(e)) for e in ("1", "2")]
    db.session.add(b)
    db.session.flush()
    e1 = b.entrances[0]

    def unit(number, person, developer=False):
        u = Unit(compound_id=c.id, building_id=b.id, entrance_id=e1.id, number=number,
                 sort_key=natural_key(number), floor=int(number[0]), area=Decimal("89.50"),
                 developer_held=developer, label=f"7-1-{number}")
        u.holdings.append(Holding(person=person, position=0))
        db.session.add(u)
        return u

    people = {n: Person(name=n, id_number=id_number(100 + i), phone="13800000000")
              for i, n in enumerate(OWNERS)}
    units = {n: unit(f"{i + 1}01", p) for i, (n, p) in enumerate(people.items())}
    dev = unit("602", Person(name="开发商", id_number=id_number(199)), developer=True)
    db.session.flush()
    ps = account("ps", Role.party_secretary, c.id)
    rc = account("rc", Role.rc_secretary, c.id)
    owner = account("wf", Role.owner, person=people["王芳"])
    db.session.commit()
    return {"c": c, "b": b, "people": people, "units": units, "dev": dev, "ps": ps, "rc": rc,
            "owner": owner}


def four(ox, seats=5):
    """The party branch, the residents' committee, the owners' committee and the property
    company, recorded by the party secretary."""
    with as_user(ox["ps"]):
        party = org_service.save_organisation(ox["c"], None, kind="party",
                                              name="梅岭苑居民区党支部", party_type="branch")
        rcom = org_service.save_organisation(ox["c"], None, kind="residents_committee",
                                             name="梅岭苑居委会")
        oc = org_service.save_organisation(ox["c"], None, kind="owners_committee",
                                           name="梅岭苑业委会", seats=seats,
                                           term_starts_on="2024-01-01",
                                           term_ends_on="2028-12-31")
        prop = org_service.save_organisation(ox["c"], None, kind="property", name="安居物业")
    return party, rcom, oc, prop


def serving_company(compound, name: str, n: int) -> Company:
    """A property company with a contract for `compound` since 2020 (the property
    package's tables: it answers the hook "compounds.serving_company")."""
    company = Company(district_id=compound.street.district_id, name=name, uscc=uscc(n))
    db.session.add(company)
    db.session.flush()
    db.session.add(ServiceContract(company_id=company.id, compound_id=compound.id,
                                   starts_on=dt.date(2020, 1, 1), fee_fen=150))
    db.session.commit()
    return company
