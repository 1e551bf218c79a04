"""The home page's to-do lists (core.todo and every package's "home.todo" provider): for
each role exactly which items appear and which do not (out of scope, done, not yet due),
overdue marking, newest first, and a number of SQL statements that does not grow with the
data."""

from __future__ import annotations

import datetime as dt

import pytest

from compounds.org.models import Action, ResidentRequest
from core.extensions import db
from core.hooks import TodoItem
from core.inputs import local_today
from core.todo import overdue_days, todo_items
from core.types import utcnow
from tests.acting import as_user
from tests.core.todo_world import build
from tests.sql import statements
from tests.votes.worlds import end_notice


@pytest.fixture
def w(make, estate, flow):
    return build(make, estate, flow)


def items_of(user) -> list[TodoItem]:
    with as_user(user):
        return todo_items(user)


def links(items) -> list[str]:
    return [i.link for i in items]


def _newest_first(items):
    stamps = [i.created_at for i in items]
    assert stamps == sorted(stamps, reverse=True)


def test_owner_sees_the_reply_to_rate_the_election_and_the_top_up(w):
    ids = w.ids
    items = items_of(w.users["owner"])
    assert links(items) == [
        f"/requests/{ids['r_mine'].id}",  # replied 2 hours ago
        f"/units/{w.estate.unit('7-1-101').id}/fund",  # the top-up, 5 hours ago
        f"/elections/{ids['e'].id}",  # nominating since 2 days
    ]
    assert "评价" in str(items[0].title) or "rate" in str(items[0].title)
    assert items[0].due is None  # answered: no deadline left for the owner
    assert "3,200.00" in str(items[1].title)
    assert not any(i.overdue for i in items)
    # not: their closed request, another owner's reply, the expired top-up, anything staff do
    assert f"/requests/{ids['r_mine_closed'].id}" not in links(items)
    assert f"/requests/{ids['r_theirs'].id}" not in links(items)
    assert all(i.role == "owner" for i in items)


def test_owner_sees_an_election_during_its_objections_then_not_after(w):
    e = w.ids["e"]
    e.status, e.notice_starts_at = "notice", utcnow() - dt.timedelta(hours=1)
    e.notice_ends_at = utcnow() + dt.timedelta(days=6)
    db.session.commit()
    [item] = [i for i in items_of(w.users["owner"]) if i.link == f"/elections/{e.id}"]
    assert item.due == e.notice_ends_at
    e.notice_ends_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert f"/elections/{e.id}" not in links(items_of(w.users["owner"]))


def test_property_manager_sees_routed_requests_assigned_actions_records_and_rectification(w):
    ids = w.ids
    items = items_of(w.users["pm"])
    by_link = {i.link: i for i in items}
    assert set(by_link) == {
        f"/requests/{ids['r_prop_late'].id}", f"/requests/{ids['r_prop_fresh'].id}",
        f"/actions/{ids['a_prop_late'].id}", f"/actions/{ids['a_prop_later'].id}",
        f"/property/records/{ids['rec_bad'].id}/objection",
        f"/property/companies/{w.company.id}/rectification",
    }
    assert by_link[f"/requests/{ids['r_prop_late'].id}"].overdue
    assert not by_link[f"/requests/{ids['r_prop_fresh'].id}"].overdue
    assert by_link[f"/actions/{ids['a_prop_late'].id}"].overdue
    assert not by_link[f"/actions/{ids['a_prop_later'].id}"].overdue
    _newest_first(items)
    # once answered and reported back, they leave the list
    ids["r_prop_late"].move_to("replied")
    ids["a_prop_late"].move_to("feedback")
    db.session.commit()
    left = links(items_of(w.users["pm"]))
    assert f"/requests/{ids['r_prop_late'].id}" not in left
    assert f"/actions/{ids['a_prop_late'].id}" not in left


def test_rc_secretary_sees_votes_to_open_close_publish_requests_to_route_overdue_actions(w):
    ids = w.ids
    items = items_of(w.users["rc"])
    by_link = {i.link: i for i in items}
    assert set(by_link) == {
        f"/votes/{ids['v_announced']}", f"/votes/{ids['v_due']}", f"/votes/{ids['v_closed']}",
        f"/requests/{ids['r_new'].id}", f"/requests/{ids['r_old'].id}",
        f"/actions/{ids['a_prop_late'].id}",
    }
    assert by_link[f"/requests/{ids['r_old'].id}"].overdue
    assert not by_link[f"/requests/{ids['r_new'].id}"].overdue
    assert "开始表决" in str(by_link[f"/votes/{ids['v_announced']}"].title) or \
        "Open" in str(by_link[f"/votes/{ids['v_announced']}"].title)
    _newest_first(items)


def test_a_vote_is_to_open_only_once_its_notice_has_stood_its_days(w, flow):
    vid = flow.create(title="公告期内的表决")
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    assert f"/votes/{vid}" not in links(items_of(w.users["rc"]))  # 15 days to wait
    end_notice(vid)
    assert f"/votes/{vid}" in links(items_of(w.users["rc"]))


def test_rc_secretary_may_close_a_vote_everyone_has_voted_in(w, flow):
    vid = flow.open(title="全员已投", closes_at="2099-12-31T17:00")
    assert f"/votes/{vid}" not in links(items_of(w.users["rc"]))
    # one paper ballot per voter: a home of each of the 7 voter groups
    for label in ("7-1-101", "7-1-102", "7-1-201", "7-1-202", "7-2-302", "7-2-401", "8-1-101"):
        assert flow.cast(vid, label).status_code == 201
    assert f"/votes/{vid}" in links(items_of(w.users["rc"]))


def test_party_secretary_sees_reviews_meetings_and_actions_to_dispatch_or_evaluate(w):
    ids = w.ids
    items = items_of(w.users["ps"])
    assert set(links(items)) == {
        f"/candidates/{ids['cand_ready'].id}",
        f"/meetings/{ids['m_next'].id}", f"/meetings/{ids['m_open'].id}",
        f"/actions/{ids['a_reported'].id}", f"/actions/{ids['a_feedback'].id}",
    }
    _newest_first(items)


def test_street_staff_see_overdue_counts_per_compound_of_their_street(w):
    items = items_of(w.users["street"])
    titles = sorted(str(i.title) for i in items)
    assert len(items) == 4  # requests and actions, for 梅岭苑 and 远景苑; 他街苑 is elsewhere
    assert all(i.overdue for i in items)
    assert any("梅岭苑" in t and "2" in t for t in titles)  # r_old and r_prop_late
    assert not any("他街苑" in t for t in titles)
    assert f"/compounds/{w.c.id}/actions?overdue=1" in links(items)
    assert f"/compounds/{w.c2.id}/requests?status=open" in links(items)


def test_district_admin_sees_objections_due_within_two_working_days_and_replies(w):
    ids = w.ids
    items = items_of(w.users["district"])
    d = w.c.street.district_id
    assert set(links(items)) == {
        f"/property/objections?district={d}#objection-{ids['obj_soon'].id}",
        f"/property/objections?district={d}#objection-{ids['obj_late'].id}",
        f"/property/rectifications?district={d}",
    }
    late = next(i for i in items if i.link.endswith(f"objection-{ids['obj_late'].id}"))
    assert late.overdue and overdue_days(late, local_today()) == 1
    soon = next(i for i in items if i.link.endswith(f"objection-{ids['obj_soon'].id}"))
    assert not soon.overdue


def test_a_user_with_two_roles_sees_both_lists_merged(w):
    from core.models import RoleGrant

    user = w.users["ps"]
    db.session.add(RoleGrant(user_id=user.id, role="rc_secretary", scope_id=w.c.id))
    db.session.commit()
    db.session.refresh(user)
    items = items_of(user)
    assert {i.role for i in items} == {"party_secretary", "rc_secretary"}
    _newest_first(items)


@pytest.mark.parametrize("days, overdue, expected", [
    (0, True, 0), (1, True, 1), (10, True, 10), (3, False, 0)])
def test_overdue_days_count_from_the_deadline_in_beijing(days, overdue, expected):
    today = dt.date(2026, 3, 10)
    item = TodoItem("x", "/x", "k", utcnow(), "owner", due=today - dt.timedelta(days=days),
                    overdue=overdue)
    assert overdue_days(item, today) == expected
    # a datetime deadline counts by its Beijing date: 23:30 UTC is the next day in Beijing
    moment = dt.datetime(2026, 3, 8, 23, 30, tzinfo=dt.UTC)
    assert overdue_days(TodoItem("x", "/x", "k", utcnow(), "owner", due=moment,
                                 overdue=True), today) == 1




def _more_of_everything(w, n: int) -> None:
    now, today = utcnow(), local_today()
    for i in range(n):
        db.session.add(ResidentRequest(
            compound_id=w.c.id, filer_name=f"居民{i}", category="noise", text="噪声",
            status="filed", filed_at=now - dt.timedelta(hours=i), due_at=now - dt.timedelta(
                minutes=i)))
        db.session.add(Action(compound_id=w.c.id, org_id=w.ids["a_prop_late"].org_id,
                              title=f"事项{i}", status="dispatched",
                              due_on=today - dt.timedelta(days=1), reported_at=now,
                              dispatched_at=now))
    db.session.commit()


@pytest.mark.parametrize("who", ["owner", "pm", "rc", "ps", "street", "district"])
def test_the_home_page_costs_the_same_number_of_statements_whatever_the_data(
        w, client, login, who):
    login(w.users[who])
    client.get("/")  # warm: the session's first page loads the account

    def cost():
        db.session.expire_all()
        with statements() as seen:
            resp = client.get("/")
        assert resp.status_code == 200
        return len(seen)

    before = cost()
    _more_of_everything(w, 20)
    assert cost() == before
