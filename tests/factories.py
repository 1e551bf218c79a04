"""Factories that write straight to the database (no permission checks) for test set-up."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from werkzeug.security import generate_password_hash

from compounds.models import (
    Building,
    Compound,
    District,
    Entrance,
    Holding,
    Person,
    Street,
    Unit,
    natural_key,
)
from core.extensions import db
from core.idnumber import check_char
from core.models import Role, RoleGrant, User

_seq = itertools.count(1)


def id_number(n: int, birth: str | None = None, region: str = "310101") -> str:
    """A valid (check digit right) but made-up resident ID number, distinct for each n."""
    if birth is None:
        birth = (dt.date(1950, 1, 1) + dt.timedelta(days=n // 1000)).strftime("%Y%m%d")
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + check_char(first17)


class Factory:
    def compound(self, name=None, *, district="普陀区", street="长寿路街道", notice_days=15,
                 fund_rate_fen=None) -> Compound:
        d = db.session.query(District).filter_by(name=district).one_or_none()
        if d is None:
            d = District(name=district)
            db.session.add(d)
            db.session.flush()
        s = db.session.query(Street).filter_by(district_id=d.id, name=street).one_or_none()
        if s is None:
            s = Street(district_id=d.id, name=street)
            db.session.add(s)
            db.session.flush()
        c = Compound(street_id=s.id, name=name or f"测试小区{next(_seq)}", address="某路1号",
                     notice_days=notice_days, fund_rate_fen=fund_rate_fen)
        db.session.add(c)
        db.session.commit()
        return c

    def building(self, compound, number="1", *, floors=6, entrances=("1",), elevator=False):
        b = Building(compound_id=compound.id, number=number, sort_key=natural_key(number),
                     floors=floors, has_elevator=elevator)
        db.session.add(b)
        db.session.flush()
        for e in entrances:
            db.session.add(Entrance(building_id=b.id, number=e, sort_key=natural_key(e)))
        db.session.commit()
        return b

    def person(self, name="张三", n=None, phone="13800000000") -> Person:
        n = n if n is not None else next(_seq)
        p = Person(name=name, id_number=id_number(n), phone=phone)
        db.session.add(p)
        db.session.commit()
        return p

    def unit(self, building, number="101", *, entrance=None, floor=1, area="89.50",
             owners=(), developer=False, source="registered") -> Unit:
        e = entrance or building.entrances[0]
        u = Unit(compound_id=building.compound_id, building_id=building.id, entrance_id=e.id,
                 number=number, sort_key=natural_key(number), floor=floor, area=Decimal(area),
                 area_source=source, developer_held=developer,
                 label=f"{building.number}-{e.number}-{number}")
        db.session.add(u)
        db.session.flush()
        for pos, p in enumerate(owners):
            db.session.add(Holding(unit_id=u.id, person_id=p.id, position=pos))
        db.session.commit()
        return u

    def user(self, username=None, role: Role | str | None = None, scope=None, *,
             person=None, admin=False, password="password") -> User:
        u = User(username=username or f"user{next(_seq)}", display_name="测试用户",
                 password_hash=password_hash(password), is_admin=admin,
                 person_id=person.id if person else None)
        db.session.add(u)
        db.session.flush()
        if role is not None:
            scope_id = scope if isinstance(scope, int) or scope is None else scope.id
            db.session.add(RoleGrant(user_id=u.id, role=Role(role).value, scope_id=scope_id))
        db.session.commit()
        return u


_hash_cache: dict[str, str] = {}


def password_hash(password: str = "password") -> str:
    """The stored hash of a test account's password.

    Production hashes with scrypt (core.auth.hash_password), slow on purpose; every sign-in
    in the suite would then spend ~90 ms checking it — a third of the run. Test accounts
    use werkzeug's pbkdf2 with few rounds: `check_password_hash` reads the method from the
    hash, so sign-in runs the same code. (tests/core/test_auth.py checks the real hash.)
    """
    if password not in _hash_cache:
        _hash_cache[password] = generate_password_hash(password, method="pbkdf2:sha256:1000")
    return _hash_cache[password]
