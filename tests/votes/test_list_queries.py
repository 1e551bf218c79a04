"""Lists of votes cost the same number of SQL queries whatever the number of votes. An
owner's votes (their home page, the votes page, `GET /votes/mine`): the roll groups, their
unit labels, their ballots and the announced votes' scopes are read for all votes at once.
A compound's votes (`GET /compounds/{cid}/votes`): counted, filtered and paged in SQL, the
page's scopes, extensions and elevator projects read at once."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models import Role
from tests.sql import statements


def _votes(flow, n: int) -> None:
    """`n` rounds of four votes reaching 李强 (b) or not: open and voted, open and waiting,
    announced for building 7 (his), announced for building 8 (not his)."""
    for i in range(n):
        voted = flow.open(title=f"第{i}轮已投")
        assert flow.cast(voted, "7-1-102", who="b").status_code == 201
        flow.open(title=f"第{i}轮待投")
        for building in ("7", "8"):
            vid = flow.create(title=f"第{i}轮{building}号楼", scope=[{"building": building}])
            assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200


def _count(get) -> int:
    db.session.expire_all()
    with statements() as seen:
        resp = get()
    assert resp.status_code == 200
    return len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))])


@pytest.mark.parametrize("view", ["home", "votes page", "api"])
def test_an_owners_votes_cost_the_same_queries_for_4_and_for_16_votes(flow, login, client,
                                                                     estate, view):
    owner = estate.users["b"]

    api = flow.client("b")
    if view != "api":
        login(owner)

    def get():
        if view == "api":
            return api.get("/votes/mine")
        return client.get("/" if view == "home" else "/votes/")

    _votes(flow, 1)
    few = _count(get)
    _votes(flow, 3)
    many = _count(get)
    assert few == many, (few, many)


def test_the_owner_sees_exactly_the_votes_that_reach_him(flow, estate):
    _votes(flow, 2)
    rows = flow.client("b").get("/votes/mine").get_json()
    titles = [r["vote"]["title"] if "vote" in r else r["title"] for r in rows]
    # waiting first (open, closing soonest, then newest), then the others newest first;
    # building 8's votes never reach him
    assert sorted(titles) == sorted(["第0轮已投", "第0轮待投", "第0轮7号楼",
                                     "第1轮已投", "第1轮待投", "第1轮7号楼"])
    assert not any("8号楼" in t for t in titles)


def test_a_compounds_votes_are_paged_in_sql_at_a_fixed_cost(flow, estate):
    cid = estate.compound.id
    owner = flow.client("b")

    def page(client, **params):
        with statements() as seen:
            resp = client.get(f"/compounds/{cid}/votes", query_string=params)
        assert resp.status_code == 200
        return resp, len(seen)

    _votes(flow, 1)
    flow.create(title="草稿")
    _, few = page(flow.rc, per_page=3)
    _votes(flow, 3)
    flow.create(title="草稿")
    first, many = page(flow.rc, per_page=3)
    assert few == many, (few, many)
    # the staff see all 18 (16 and the two drafts), the owner the 16 from their notice on
    assert first.headers["X-Total-Count"] == "18"
    assert [v["title"] for v in first.get_json()] == ["草稿", "第2轮8号楼", "第2轮7号楼"]
    last, _ = page(owner, per_page=5, page=4)
    assert owner.get(f"/compounds/{cid}/votes").headers["X-Total-Count"] == "16"
    assert [v["title"] for v in last.get_json()] == ["第0轮已投"]


def test_the_votes_page_shows_fifty_a_page_with_the_total_and_the_compound_filter_kept(
        flow, estate, login, client, make):
    other = make.compound("别的小区")
    for i in range(52):
        flow.create(title=f"议题{i:02d}")
    login(make.user("rc_other", Role.rc_secretary, other))
    assert "议题" not in client.get("/votes/").get_data(as_text=True)  # not their compound
    login(estate.users["rc"])
    cid = estate.compound.id
    first = client.get(f"/votes/?compound={cid}").get_data(as_text=True)
    assert "共 52 项表决" in first and "议题51" in first and "议题02" in first
    assert "议题01" not in first and f"/votes/?compound={cid}&amp;page=2" in first
    second = client.get(f"/votes/?compound={cid}&page=2").get_data(as_text=True)
    assert "议题01" in second and "议题00" in second and "议题02" not in second
    beyond = client.get(f"/votes/?compound={cid}&page=9").get_data(as_text=True)
    assert "议题00" in beyond  # a page past the end shows the last one
