"""A small estate for vote tests, and a driver that runs a vote through its lifecycle.

梅岭苑 (notice_days 15, the law's minimum: a vote opens once `end_notice` has let its notice
period run):

    building 7, entrances 1 and 2, 6 floors; building 8, entrance 1
    7-1-101  f1   80.00  王芳 (a)
    7-1-102  f1   70.00  李强 (b)          ┐ one buyer of two units: one head, 160.00
    7-2-601  f6   90.00  李强 (b)          ┘
    7-1-201  f2   85.50  张伟 + 刘洋 (c, d)  co-owners: one head
    7-1-202  f2   60.25  developer         ┐ all developer units: one head, 160.25
    7-2-301  f3  100.00  developer         ┘
    7-2-302  f3   75.00  陈静 (e)
    7-2-401  f4   88.88  (nobody recorded: a head of its own)
    8-1-101  f1   99.99  赵敏 (f)

Whole compound: 9 units, 7 heads, 749.62 m².

The fixtures are registered by tests/votes/conftest.py (and by other packages' tests that
need a vote: they import them from here).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from compounds.models import Building, Compound, Entrance, Holding, Person, Unit, natural_key
from core.extensions import db
from core.models import Role, RoleGrant, User
from tests.factories import id_number, password_hash

ROLL_AREA = "749.62"
ROLL_HEADS = 7
ROLL_UNITS = 9

#: (building, entrance, number, floor, area, owner keys, developer-held)
UNITS = [
    ("7", "1", "101", 1, "80.00", ["a"], False),
    ("7", "1", "102", 1, "70.00", ["b"], False),
    ("7", "2", "601", 6, "90.00", ["b"], False),
    ("7", "1", "201", 2, "85.50", ["c", "d"], False),
    ("7", "1", "202", 2, "60.25", [], True),
    ("7", "2", "301", 3, "100.00", [], True),
    ("7", "2", "302", 3, "75.00", ["e"], False),
    ("7", "2", "401", 4, "88.88", [], False),
    ("8", "1", "101", 1, "99.99", ["f"], False),
]
PEOPLE = [("a", "王芳"), ("b", "李强"), ("c", "张伟"), ("d", "刘洋"), ("e", "陈静"), ("f", "赵敏")]

#: ID numbers far from the factories' sequence, so both may be used in one test
_id_numbers = itertools.count(900_000)
def add_user(username: str, role: Role, scope_id: int | None = None, *,
             person: Person | None = None) -> User:
    """A user with one grant, added to the session (the caller commits; `person` is
    flushed already)."""
    user = User(username=username, display_name="测试用户", password_hash=password_hash(),
                person_id=person.id if person is not None else None)
    user.grants = [RoleGrant(role=role.value, scope_id=scope_id)]
    db.session.add(user)
    return user


@dataclass
class Estate:
    compound: Compound
    b7: Building
    b8: Building
    units: dict[str, Unit]
    people: dict[str, Person]
    users: dict[str, User] = field(default_factory=dict)

    def unit(self, label: str) -> Unit:
        return self.units[label]


@pytest.fixture
def estate(make) -> Estate:
    """梅岭苑 as above, with the residents' committee (rc), an owners' committee member (oc)
    and an owner account for each person (owner_a … owner_f). Written in one transaction."""
    c = make.compound("梅岭苑", notice_days=15)
    buildings = {n: Building(compound_id=c.id, number=n, sort_key=natural_key(n), floors=6)
                 for n in ("7", "8")}
    db.session.add_all(buildings.values())
    db.session.flush()
    entrances = {(b, e): Entrance(building_id=buildings[b].id, number=e, sort_key=natural_key(e))
                 for b, e in (("7", "1"), ("7", "2"), ("8", "1"))}
    people = {k: Person(name=name, id_number=id_number(next(_id_numbers)),
                        phone=f"1390000000{i}") for i, (k, name) in enumerate(PEOPLE)}
    db.session.add_all([*entrances.values(), *people.values()])
    db.session.flush()
    units = {}
    for b, e, number, floor, area, owners, developer in UNITS:
        unit = Unit(compound_id=c.id, building_id=buildings[b].id,
                    entrance_id=entrances[b, e].id, number=number, sort_key=natural_key(number),
                    floor=floor, area=Decimal(area), area_source="registered",
                    developer_held=developer, label=f"{b}-{e}-{number}")
        unit.holdings = [Holding(person=people[k], position=pos) for pos, k in enumerate(owners)]
        units[unit.label] = unit
    db.session.add_all(units.values())
    users = {"rc": add_user("rc", Role.rc_secretary, c.id),
             "oc": add_user("oc", Role.oc_member, c.id)}
    for key, person in people.items():
        users[key] = add_user(f"owner_{key}", Role.owner, person=person)
    db.session.commit()
    return Estate(c, buildings["7"], buildings["8"], units, people, users)


class Flow:
    """Drives votes through the API as the residents' committee secretary (`rc`); `client`
    gives any estate user's API client, signed in once."""

    def __init__(self, api, estate: Estate):
        self.estate = estate
        self._api = api
        self.rc = api(estate.users["rc"])
        self._clients = {"rc": self.rc}

    def client(self, who: str):
        if who not in self._clients:
            self._clients[who] = self._api(self.estate.users[who])
        return self._clients[who]

    def create(self, matter="rebuild", **body) -> int:
        """A draft, closing in 30 days unless the body says otherwise (a vote needs its
        closing time to be announced)."""
        body = {"title": "7号楼加装电梯", "matter": matter, "closes_at": in_days(30), **body}
        resp = self.rc.post(f"/compounds/{self.estate.compound.id}/votes", json=body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["id"]

    def open(self, matter="rebuild", **body) -> int:
        """A vote announced, its notice period run (`end_notice`), and opened."""
        vid = self.create(matter, **body)
        assert self.rc.post(f"/votes/{vid}/announce").status_code == 200
        end_notice(vid)
        resp = self.rc.post(f"/votes/{vid}/open")
        assert resp.status_code == 200, resp.get_json()
        return vid

    def cast(self, vid, unit, choice="agree", who=None, channel=None, **extra):
        who = who or "rc"
        channel = channel or ("paper" if who == "rc" else "online")
        return self.client(who).post(f"/votes/{vid}/ballots", json={
            "unit": unit, "choice": choice, "channel": channel, **extra})

    def close(self, vid) -> dict:
        """Let the voting period end, then close by hand (the count of a vote that has run
        its course)."""
        end_period(vid)
        resp = self.rc.post(f"/votes/{vid}/close")
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()


@pytest.fixture
def flow(api, estate) -> Flow:
    return Flow(api, estate)


def in_days(days: float) -> str:
    """A moment `days` from now, as the API takes it."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


def end_notice(vid: int) -> None:
    """The notice period has run: move the vote's announcement, the moment it may open (and
    any planned opening) back by the same span, so that it may open now and its notice has
    stood its days — as time itself would. The sibling of `end_period`."""
    from votes.models import Vote

    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    vote = db.session.get(Vote, vid)
    db.session.refresh(vote)
    assert vote.announced_at is not None and vote.may_open_at is not None, "announce it first"
    span = vote.may_open_at - past
    if span > dt.timedelta(0):
        vote.announced_at -= span
        vote.may_open_at = past
        if vote.opens_at is not None:
            vote.opens_at -= span
    db.session.commit()


def end_period(vid: int) -> None:
    """The voting period has run out: move the vote's closing time (and any planned
    opening) into the past, as time itself would."""
    from votes.models import Vote

    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    vote = db.session.get(Vote, vid)
    db.session.refresh(vote)
    if vote.opens_at is not None and vote.opens_at >= past:
        vote.opens_at = past - dt.timedelta(seconds=1)
    vote.closes_at = past
    db.session.commit()


def reload(model, pk):
    """The row as the database has it now (what another request would read)."""
    db.session.expire_all()
    return db.session.get(model, pk)
