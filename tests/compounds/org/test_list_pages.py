"""The follow-up actions' and the resident requests' lists are ordered and paged in SQL: the
pages, read one after the other, give the order the lists always had (overdue first, …),
through the API and through the HTML pages' pager; a page loads only its rows, in as many
queries for 120 rows as for 3; turning a page keeps the filters; a page number out of range
lands on a page there is."""

from __future__ import annotations

import datetime as dt
import html
import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from compounds.org import actions as action_service
from compounds.org import organisations as org_service
from compounds.org import resident_requests as request_service
from compounds.org import views
from compounds.org.models import Action, Decision, Meeting, ResidentRequest
from core.api import PER_PAGE
from core.extensions import db
from core.inputs import local_today
from core.types import utcnow
from tests.acting import as_user
from tests.compounds.worlds import build_ox, four
from tests.sql import statements


@pytest.fixture
def ox(make):
    world = build_ox(make)
    world["party"], world["rcom"], world["oc"], world["prop"] = four(world)
    return world


# -- the worlds: rows written as they are stored, in a scrambled order ----------------------

#: (name, status, due in days from today), inserted in this order (so ids follow it)
ACTION_ROWS = [
    ("due_in_5", "dispatched", 5),
    ("evaluated_long_ago", "evaluated", -30),
    ("late_3_reported", "reported", -3),
    ("reported_back_late", "feedback", -20),  # past its date but reported back: not overdue
    ("late_10", "dispatched", -10),
    ("late_3_handling", "handling", -3),  # same date as late_3_reported, a later id
    ("evaluated_tomorrow", "evaluated", 1),
    ("due_today", "reported", 0),  # due today is not overdue yet
    ("reported_back_tomorrow", "feedback", 1),
    ("dispatched_tomorrow", "dispatched", 1),  # same date as the two above, a later id
]

#: the order the old Python sort gave, written out: the overdue (open and past the date) by
#: date then id; then the others not evaluated, by date then id; the evaluated last
ACTIONS_ALL = ["late_10", "late_3_reported", "late_3_handling",
               "reported_back_late", "due_today", "reported_back_tomorrow",
               "dispatched_tomorrow", "due_in_5",
               "evaluated_long_ago", "evaluated_tomorrow"]

ACTION_CASES = [  # (filters, the names listed in order)
    ({"status": "all"}, ACTIONS_ALL),
    ({}, ["late_10", "late_3_reported", "late_3_handling", "due_today",
          "dispatched_tomorrow", "due_in_5"]),  # open by default
    ({"status": "all", "overdue": True}, ["late_10", "late_3_reported", "late_3_handling"]),
    ({"status": "feedback"}, ["reported_back_late", "reported_back_tomorrow"]),
    ({"status": "evaluated"}, ["evaluated_long_ago", "evaluated_tomorrow"]),
]

#: (name, status, category, filed hours ago, reply due in hours from now); inserted in this
#: order. Replied and closed ones have their reply; the rest none.
REQUEST_ROWS = [
    ("fresh", "filed", "repairs", 2, 22),
    ("closed_recently", "closed", "repairs", 1, 23),
    ("late_50", "routed", "noise", 50, -2),
    ("late_30", "filed", "repairs", 30, -6),
    ("answered_late", "replied", "noise", 60, -36),  # answered after the limit: not overdue
    ("closed_long_ago", "closed", "noise", 100, -76),  # never overdue once answered
    ("fresh_twin", "routed", "noise", 2, 22),  # filed the same moment as fresh, a later id
    ("late_30_twin", "routed", "repairs", 30, -6),  # the same moment as late_30, a later id
    ("reopened", "routed", "repairs", 80, 10),  # sent back with a new limit: not overdue
]

#: the old order, written out: the overdue (no reply, past the limit) newest first; then the
#: others not closed, newest first; the closed last, newest first; the same moment: the
#: later id first
REQUESTS_ALL = ["late_30_twin", "late_30", "late_50",
                "fresh_twin", "fresh", "answered_late", "reopened",
                "closed_recently", "closed_long_ago"]

REQUEST_CASES = [
    ({"status": "all"}, REQUESTS_ALL),
    ({}, ["late_30_twin", "late_30", "late_50", "fresh_twin", "fresh", "answered_late",
          "reopened"]),  # open by default
    ({"status": "routed"}, ["late_30_twin", "late_50", "fresh_twin", "reopened"]),
    ({"status": "all", "category": "noise"},
     ["late_50", "fresh_twin", "answered_late", "closed_long_ago"]),
]


def _add_actions(ox, rows, org=None) -> dict[str, int]:
    today = local_today()
    ids = {}
    for name, status, days in rows:
        a = Action(compound_id=ox["c"].id, title=name, org_id=(org or ox["prop"]).id,
                   due_on=today + dt.timedelta(days=days), status=status)
        db.session.add(a)
        db.session.flush()
        ids[name] = a.id
    db.session.commit()
    return ids


def _add_requests(ox, rows, unit_ids=()) -> dict[str, int]:
    now = utcnow()
    ids = {}
    for i, (name, status, category, filed_ago, due_in) in enumerate(rows):
        filed = now - dt.timedelta(hours=filed_ago)
        answered = status in ("replied", "closed")
        r = ResidentRequest(
            compound_id=ox["c"].id, filer_name="居民", category=category, text=name,
            status=status, filed_at=filed, due_at=now + dt.timedelta(hours=due_in),
            org_id=None if status == "filed" else ox["prop"].id,
            unit_id=unit_ids[i % len(unit_ids)] if unit_ids else None,
            reply="已处理" if answered else "",
            replied_at=now - dt.timedelta(minutes=30) if answered else None,
            closed_at=now if status == "closed" else None,
            satisfaction=5 if status == "closed" else None)
        db.session.add(r)
        db.session.flush()
        ids[name] = r.id
    db.session.commit()
    return ids


# -- reading every page, through the API and through the HTML pager -------------------------

def _api_query(filters: dict) -> dict:
    return {k: ("true" if v is True else v) for k, v in filters.items()}


def _html_query(filters: dict) -> dict:
    return {k: ("1" if v is True else v) for k, v in filters.items()}


def _api_pages(client, url: str, filters: dict, per_page: int) -> list[list[int]]:
    pages, page = [], 1
    while True:
        resp = client.get(url, query_string={**_api_query(filters), "page": page,
                                             "per_page": per_page})
        assert resp.status_code == 200, resp.get_json()
        total = int(resp.headers["X-Total-Count"])
        pages.append([row["id"] for row in resp.get_json()])
        if page * per_page >= total:
            return pages
        page += 1


_PAGER = re.compile(r'<nav class="pager".*?</nav>', re.S)
_LINK = re.compile(r'<a href="([^"]+)">([^<]*)</a>')


def _pager_links(body: str) -> dict[str, str]:
    """The pager's links, "prev" and "next", as the browser would follow them."""
    nav = _PAGER.search(body)
    links = {}
    for href, label in _LINK.findall(nav.group(0) if nav else ""):
        links["next" if "›" in label else "prev"] = html.unescape(href)
    return links


def _rows(body: str, kind: str) -> list[int]:
    table = re.search(rf'<table class="grid" id="{kind}-table">.*?</table>', body, re.S)
    return [int(i) for i in re.findall(rf'href="/{kind}s/(\d+)"', table.group(0))]


def _html_pages(client, url: str, filters: dict, kind: str) -> list[list[int]]:
    """Page 1 with the filters, then each "next" link of the pager, as a user clicks."""
    resp = client.get(url, query_string=_html_query(filters))
    pages = []
    while True:
        assert resp.status_code == 200
        body = resp.get_data(as_text=True)
        pages.append(_rows(body, kind))
        nxt = _pager_links(body).get("next")
        if nxt is None:
            return pages
        assert len(pages) < 20, "the pager never ends"
        resp = client.get(nxt)


def _service_status(filters: dict) -> str | None:
    """The status as the pages and the API hand it to the service (open by default)."""
    status = filters.get("status", "open")
    return None if status == "all" else status


def _flat(pages):
    return [i for page in pages for i in page]


def _pages_read_in_order(api_client, page_client, monkeypatch, url, filters, kind, want):
    """The list read page after page, through the API (several page sizes) and through the
    HTML pager's links (several LIST_PAGE sizes), is `want`, every page but the last full."""
    for per_page in (1, 2, 3, 4, 100):
        pages = _api_pages(api_client, url, filters, per_page)
        assert _flat(pages) == want, per_page
        assert all(len(p) == per_page for p in pages[:-1]), per_page
    for size in (2, 3, 50):
        monkeypatch.setattr(views, "LIST_PAGE", size)
        pages = _html_pages(page_client, url, filters, kind)
        assert _flat(pages) == want, size
        assert len(pages) == max(1, -(-len(want) // size)), size


@pytest.mark.parametrize(("filters", "expected"), ACTION_CASES)
def test_the_actions_pages_read_in_order_are_the_lists_old_order(ox, client, login, api,
                                                                  monkeypatch, filters,
                                                                  expected):
    ids = _add_actions(ox, ACTION_ROWS)
    want = [ids[name] for name in expected]
    with as_user(ox["ps"]):
        assert [a.id for a in action_service.list_actions(
            ox["c"], status=_service_status(filters),
            overdue_only=bool(filters.get("overdue")))] == want
    _pages_read_in_order(api(ox["ps"]), login(ox["ps"]), monkeypatch,
                         f"/compounds/{ox['c'].id}/actions", filters, "action", want)


@pytest.mark.parametrize(("filters", "expected"), REQUEST_CASES)
def test_the_requests_pages_read_in_order_are_the_lists_old_order(ox, client, login, api,
                                                                   monkeypatch, filters,
                                                                   expected):
    ids = _add_requests(ox, REQUEST_ROWS)
    want = [ids[name] for name in expected]
    with as_user(ox["rc"]):
        assert [r.id for r in request_service.list_requests(
            ox["c"], status=_service_status(filters),
            category=filters.get("category"))] == want
    _pages_read_in_order(api(ox["rc"]), login(ox["rc"]), monkeypatch,
                         f"/compounds/{ox['c'].id}/requests", filters, "request", want)


# -- one page loads one page: as many queries for 120 rows as for 3 -------------------------

@contextmanager
def loaded(model):
    """The rows of `model` the ORM builds objects from, while the block runs."""
    seen = []

    def on_load(target, context):
        seen.append(target.id)

    event.listen(model, "load", on_load)
    try:
        yield seen
    finally:
        event.remove(model, "load", on_load)


def _fill(ox, start: int, stop: int) -> None:
    """Actions and requests numbered `start` to `stop`, about a third of them overdue; the
    actions decisions of joint meetings, the requests on the owners' units."""
    rows = range(start, stop)
    actions = _add_actions(ox, [(f"a{i}", ("dispatched", "handling", "feedback")[i % 3],
                                 i % 7 - 3) for i in rows])
    meetings = {}
    for i in rows:  # each action a joint meeting's decision, ten decisions a meeting
        if i // 10 not in meetings:
            meetings[i // 10] = Meeting(compound_id=ox["c"].id, title=f"联席会议{i // 10}",
                                        held_at=utcnow(), convener_id=ox["party"].id)
            db.session.add(meetings[i // 10])
            db.session.flush()
        decision = Decision(meeting_id=meetings[i // 10].id, position=i % 10 + 1,
                            text=f"决定{i}")
        db.session.add(decision)
        db.session.flush()
        db.session.get(Action, actions[f"a{i}"]).decision_id = decision.id
    db.session.commit()
    units = [u.id for u in ox["units"].values()]
    _add_requests(ox, [(f"r{i}", ("filed", "routed", "replied")[i % 3],
                        ("repairs", "noise")[i % 2], i % 50, 24 - i % 50) for i in rows],
                  units)


def _measure(client, url: str, model) -> tuple[int, int, int]:
    """(queries, rows built into objects, rows shown) for the list's first page."""
    for obj in list(db.session):  # none cached from setting up: every row read is counted
        if isinstance(obj, Action | ResidentRequest):
            db.session.expunge(obj)
    with statements() as stmts, loaded(model) as rows:
        resp = client.get(url, query_string={"status": "all"})
    assert resp.status_code == 200
    if resp.is_json:
        shown = len(resp.get_json())
    else:
        shown = len(_rows(resp.get_data(as_text=True),
                          "action" if model is Action else "request"))
    return len(stmts), len(rows), shown


def _lists(client, ps, rc, cid: int) -> dict[str, tuple[int, int, int]]:
    return {
        "actions page": _measure(client, f"/compounds/{cid}/actions", Action),
        "requests page": _measure(client, f"/compounds/{cid}/requests", ResidentRequest),
        "actions API": _measure(ps, f"/compounds/{cid}/actions", Action),
        "requests API": _measure(rc, f"/compounds/{cid}/requests", ResidentRequest),
    }


def test_a_list_loads_one_page_in_as_many_queries_for_120_rows_as_for_3(ox, client, login,
                                                                        api):
    ps, rc = api(ox["ps"]), api(ox["rc"])
    login(ox["ps"])
    cid = ox["c"].id
    _fill(ox, 0, 3)
    small = _lists(client, ps, rc, cid)
    _fill(ox, 3, 120)
    large = _lists(client, ps, rc, cid)
    for name in small:
        (q_small, loaded_small, shown_small), (q_large, loaded_large, shown_large) = (
            small[name], large[name])
        assert q_small == q_large, (name, small, large)
        assert loaded_small == shown_small == 3, (name, small)
        # one page (the pages' 50, the API's default per_page) built into objects, not 120
        size = PER_PAGE if name.endswith("API") else views.LIST_PAGE
        assert size < 120 and loaded_large == shown_large == size, (name, large)


# -- the pager keeps the filters; out-of-range pages land on a page there is ----------------

def test_turning_the_page_keeps_every_filter_of_the_actions(ox, client, login):
    police = _police(ox)
    wanted = _add_actions(ox, [(f"late{i}", "dispatched", -1 - i % 5) for i in range(60)])
    _add_actions(ox, [(f"police{i}", "dispatched", -2) for i in range(10)], org=police)
    _add_actions(ox, [(f"handling{i}", "handling", -2) for i in range(10)])
    _add_actions(ox, [(f"soon{i}", "dispatched", 3) for i in range(50)])
    login(ox["ps"])
    url = f"/compounds/{ox['c'].id}/actions"
    filters = {"status": "dispatched", "org": ox["prop"].id, "overdue": "1"}
    first = client.get(url, query_string=filters).get_data(as_text=True)
    assert "共 60 项督办事项" in first and "第1页，共2页" in first
    nxt = _pager_links(first)["next"]
    second = client.get(nxt)
    assert second.status_code == 200
    body = second.get_data(as_text=True)
    rows = _rows(body, "action")
    assert len(rows) == 10 and set(rows) <= set(wanted.values())
    assert body.count('<tr class="overdue">') == 10
    assert "共 60 项督办事项" in body and "第2页，共2页" in body
    back = client.get(_pager_links(body)["prev"]).get_data(as_text=True)
    assert _rows(back, "action") == _rows(first, "action")
    # the form shows the filters the page was turned with
    assert f'<option value="{ox["prop"].id}" selected>' in body
    assert 'name="overdue" value="1" checked' in body
    assert '<option value="dispatched" selected>' in body


def _police(ox):
    with as_user(ox["ps"]):
        return org_service.save_organisation(ox["c"], None, kind="police", name="社区警务室")


def test_turning_the_page_keeps_every_filter_of_the_requests(ox, client, login):
    wanted = _add_requests(ox, [(f"noise{i}", "routed", "noise", i + 1, 24)
                                for i in range(55)])
    _add_requests(ox, [(f"repairs{i}", "routed", "repairs", i + 1, 24) for i in range(20)])
    _add_requests(ox, [(f"filed{i}", "filed", "noise", i + 1, 24) for i in range(20)])
    login(ox["rc"])
    url = f"/compounds/{ox['c'].id}/requests"
    first = client.get(url, query_string={"status": "routed", "category": "noise"})
    body = first.get_data(as_text=True)
    assert "共 55 件居民诉求" in body and "第1页，共2页" in body
    second = client.get(_pager_links(body)["next"]).get_data(as_text=True)
    rows = _rows(second, "request")
    # the 5 oldest of the 55 (newest first): neither a repair nor a filed one
    assert rows == [wanted[f"noise{i}"] for i in range(50, 55)]
    assert "共 55 件居民诉求" in second and "第2页，共2页" in second


#: (the page asked for, the page shown) of three pages
OUT_OF_RANGE = [("0", 1), ("-3", 1), ("abc", 1), ("", 1), ("1", 1), ("2", 2), ("3", 3),
                ("4", 3), ("99", 3), (str(10**30), 3)]


def test_a_page_number_out_of_range_shows_a_page_there_is(ox, client, login):
    actions = _add_actions(ox, [(f"a{i}", "dispatched", 3) for i in range(120)])
    requests = _add_requests(ox, [(f"r{i}", "routed", "noise", i + 1, 24)
                                  for i in range(120)])
    login(ox["rc"])
    cid = ox["c"].id
    for asked, shown in OUT_OF_RANGE:
        for kind, ids in (("action", actions), ("request", requests)):
            resp = client.get(f"/compounds/{cid}/{kind}s", query_string={"page": asked})
            assert resp.status_code == 200, (kind, asked)
            body = resp.get_data(as_text=True)
            start = (shown - 1) * 50  # same date / filed an hour apart: in the order made
            names = [f"{kind[0]}{i}" for i in range(start, min(start + 50, 120))]
            assert _rows(body, kind) == [ids[n] for n in names], (kind, asked)
            assert f"第{shown}页，共3页" in body, (kind, asked)


def test_a_query_argument_named_like_the_urls_own_does_not_break_the_pager(ox, client,
                                                                           login):
    _add_actions(ox, [(f"a{i}", "dispatched", 3) for i in range(60)])
    login(ox["ps"])
    cid = ox["c"].id
    for extra in ({"cid": "999999"}, {"endpoint": "x"}, {"_external": "1"},
                  {"_anchor": "x"}):
        resp = client.get(f"/compounds/{cid}/actions", query_string=extra)
        assert resp.status_code == 200, extra
        nxt = _pager_links(resp.get_data(as_text=True))["next"]
        assert nxt.startswith(f"/compounds/{cid}/actions?") and "#" not in nxt, (extra, nxt)
        assert client.get(nxt).status_code == 200, (extra, nxt)


def test_the_pager_keeps_an_argument_given_twice_twice(ox, client, login):
    _add_actions(ox, [(f"a{i}", "dispatched", 3) for i in range(60)])
    login(ox["ps"])
    url = f"/compounds/{ox['c'].id}/actions?tag=a&tag=b&status=open"
    nxt = _pager_links(client.get(url).get_data(as_text=True))["next"]
    assert parse_qs(urlsplit(nxt).query) == {"tag": ["a", "b"], "status": ["open"],
                                             "page": ["2"]}


# -- the owner's own requests, in every compound --------------------------------------------

def _own_requests(ox, start: int, stop: int) -> list[int]:
    """Requests `start` to `stop` filed by 王芳 (one hour apart, the later the newer), and as
    many of another owner's, which never show in hers."""
    wang, other = ox["people"]["王芳"], next(p for n, p in ox["people"].items() if n != "王芳")
    now, mine = utcnow(), []
    for i in range(start, stop):
        for person in (wang, other):
            r = ResidentRequest(compound_id=ox["c"].id, person_id=person.id,
                                filer_name=person.name, category="repairs", text=f"r{i}",
                                status="filed", filed_at=now - dt.timedelta(hours=1000 - i),
                                due_at=now + dt.timedelta(hours=24))
            db.session.add(r)
            db.session.flush()
            if person is wang:
                mine.append(r.id)
    db.session.commit()
    return mine


def test_the_owners_own_requests_are_paged_newest_first_at_a_fixed_cost(ox, client, login,
                                                                        api):
    owner = api(ox["owner"])
    login(ox["owner"])
    mine = _own_requests(ox, 0, 3)
    small = {"page": _measure(client, "/my/requests", ResidentRequest),
             "API": _measure(owner, "/me/requests", ResidentRequest)}
    mine += _own_requests(ox, 3, 120)
    large = {"page": _measure(client, "/my/requests", ResidentRequest),
             "API": _measure(owner, "/me/requests", ResidentRequest)}
    for name, size in (("page", views.LIST_PAGE), ("API", PER_PAGE)):
        assert small[name][0] == large[name][0], (name, small, large)
        assert small[name][1:] == (3, 3) and large[name][1:] == (size, size), (name, large)

    newest_first = mine[::-1]
    assert _flat(_html_pages(client, "/my/requests", {}, "request")) \
        == newest_first
    assert _flat(_api_pages(owner, "/me/requests", {}, 40)) == newest_first
    body = client.get("/my/requests").get_data(as_text=True)
    assert re.search(r'id="request-total">([^<]*)<', body).group(1) == "共 120 件居民诉求"
