"""What the votes give lower packages and ask of higher ones (core.hooks): the box of open
votes on the 1+3+X overview, and the election's own ballot page, without which a matter-3
vote takes no ballot at all (fails closed)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core import hooks
from core.extensions import db
from core.models import Role, RoleGrant
from tests.acting import as_user
from votes import plugin
from votes.models import Ballot
from votes.panels import open_votes


def test_the_overview_shows_the_votes_announced_or_open(flow, estate, login):
    flow.create(title="草稿中的表决")
    announced = flow.create(title="已公告的表决")
    flow.rc.post(f"/votes/{announced}/announce")
    opened = flow.open(title="正在表决")
    closed = flow.open(title="已截止的表决")
    flow.close(closed)
    page = login(estate.users["rc"]).get(f"/compounds/{estate.compound.id}/org")
    assert page.status_code == 200
    box = re.search(r'<section class="card" id="ox-votes">.*?</section>',
                    page.get_data(as_text=True), re.S).group(0)
    assert f'href="/votes/{opened}"' in box and f'href="/votes/{announced}"' in box
    assert box.index("正在表决") < box.index("已公告的表决")  # open first
    assert "草稿中的表决" not in box and "已截止的表决" not in box
    # an owner of the compound sees the same box (drafts never)
    owner_page = login(estate.users["a"]).get(f"/compounds/{estate.compound.id}/org")
    assert "已公告的表决" in owner_page.get_data(as_text=True)


def test_no_box_for_those_who_may_not_see_the_compounds_votes(estate, make):
    elsewhere = make.user("rc_far", Role.rc_secretary, make.compound("别处"))
    with as_user(elsewhere):
        assert open_votes(estate.compound) is None
    with as_user(estate.users["rc"]):
        assert open_votes(estate.compound).context["votes"] == []


def test_an_election_vote_takes_no_ballot_without_the_election_package(flow, monkeypatch):
    vid = flow.open("committee")
    monkeypatch.setitem(hooks._many, "votes.own_ballot_page", [])
    resp = flow.cast(vid, "7-1-101")
    assert resp.status_code == 500 and resp.get_json()["error"]["code"] == "internal_error"
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    # and the app does not start that way: votes declares the hook required
    monkeypatch.delitem(hooks._many, "votes.own_ballot_page")
    with pytest.raises(hooks.HookMissing):
        hooks.check_required(plugin.REQUIRED_HOOKS)


def test_with_the_election_package_an_ordinary_matter_3_vote_takes_ballots(flow):
    vid = flow.open("committee")  # no election owns it
    assert flow.cast(vid, "7-1-101").status_code == 201


def test_drafts_are_listed_only_where_the_user_is_staff(flow, estate, make, api):
    """The secretary of 梅岭苑 who also owns a flat in another compound does not see that
    compound's drafts (the list's "staff here?" is the rule reading one vote applies)."""
    other = make.compound("别的小区")
    make.unit(make.building(other, "1"), "101", owners=[estate.people["a"]])
    other_rc = make.user("rc_other", Role.rc_secretary, other)
    draft = api(other_rc).post(f"/compounds/{other.id}/votes",
                               json={"title": "别处的草稿", "matter": "other"}).get_json()["id"]
    user = make.user("rc_and_owner", Role.rc_secretary, estate.compound,
                     person=estate.people["a"])
    db.session.add(RoleGrant(user_id=user.id, role=Role.owner.value))
    db.session.commit()
    both = api(user)
    assert both.get(f"/compounds/{other.id}/votes").get_json() == []
    assert both.get(f"/votes/{draft}").status_code == 404
    mine = flow.create(title="本小区草稿")
    assert [v["id"] for v in both.get(f"/compounds/{estate.compound.id}/votes").get_json()] \
        == [mine]
