"""A small estate for vote tests, and helpers to run a vote through its lifecycle.

梅岭苑 (notice_days 0, so a vote may open as soon as it is announced):

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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from compounds.models import Building, Compound, Person, Unit
from core.extensions import db
from core.models import Role, User

ROLL_AREA = "749.62"
ROLL_HEADS = 7
ROLL_UNITS = 9


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
    c = make.compound("梅岭苑", notice_days=0)
    b7 = make.building(c, "7", floors=6, entrances=("1", "2"))
    b8 = make.building(c, "8", floors=6, entrances=("1",))
    e71, e72 = b7.entrances
    people = {k: make.person(n, phone=f"1390000000{i}") for i, (k, n) in enumerate(
        [("a", "王芳"), ("b", "李强"), ("c", "张伟"), ("d", "刘洋"), ("e", "陈静"),
         ("f", "赵敏")])}
    p = people
    spec = [
        (b7, e71, "101", 1, "80.00", [p["a"]], False),
        (b7, e71, "102", 1, "70.00", [p["b"]], False),
        (b7, e72, "601", 6, "90.00", [p["b"]], False),
        (b7, e71, "201", 2, "85.50", [p["c"], p["d"]], False),
        (b7, e71, "202", 2, "60.25", [], True),
        (b7, e72, "301", 3, "100.00", [], True),
        (b7, e72, "302", 3, "75.00", [p["e"]], False),
        (b7, e72, "401", 4, "88.88", [], False),
        (b8, b8.entrances[0], "101", 1, "99.99", [p["f"]], False),
    ]
    units = {}
    for b, e, number, floor, area, owners, dev in spec:
        u = make.unit(b, number, entrance=e, floor=floor, area=area, owners=owners,
                      developer=dev)
        units[u.label] = u
    estate = Estate(c, b7, b8, units, people)
    estate.users["rc"] = make.user("rc", Role.rc_secretary, c)
    estate.users["oc"] = make.user("oc", Role.oc_member, c)
    for key in people:
        estate.users[key] = make.user(f"owner_{key}", Role.owner, person=people[key])
    return estate


@pytest.fixture
def flow(api, estate):
    """Drive votes through the API as the residents' committee secretary."""

    class Flow:
        def __init__(self):
            self.rc = api(estate.users["rc"])
            self._clients = {"rc": self.rc}

        def client(self, who: str):
            if who not in self._clients:
                self._clients[who] = api(estate.users[who])
            return self._clients[who]

        def create(self, matter="rebuild", **body):
            body = {"title": "7号楼加装电梯", "matter": matter, **body}
            resp = self.rc.post(f"/compounds/{estate.compound.id}/votes", json=body)
            assert resp.status_code == 201, resp.get_json()
            return resp.get_json()["id"]

        def open(self, matter="rebuild", **body) -> int:
            vid = self.create(matter, **body)
            assert self.rc.post(f"/votes/{vid}/announce").status_code == 200
            resp = self.rc.post(f"/votes/{vid}/open")
            assert resp.status_code == 200, resp.get_json()
            return vid

        def cast(self, vid, unit, choice="agree", who=None, channel=None, **extra):
            who = who or "rc"
            channel = channel or ("paper" if who == "rc" else "online")
            return self.client(who).post(f"/votes/{vid}/ballots", json={
                "unit": unit, "choice": choice, "channel": channel, **extra})

        def close(self, vid):
            resp = self.rc.post(f"/votes/{vid}/close")
            assert resp.status_code == 200, resp.get_json()
            return resp.get_json()

    return Flow()


def reload(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def as_user(username: str, fn):
    """Run `fn` as a signed-in user inside a request (services read current_user)."""
    from flask import current_app
    from flask_login import login_user
    from sqlalchemy import select

    user = db.session.scalar(select(User).where(User.username == username))
    with current_app.test_request_context():
        login_user(user)
        return fn()
