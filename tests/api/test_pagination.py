"""One pagination for every list (core.api): ?page=&per_page=, the body a JSON array, the
rest in headers — X-Total-Count and RFC 8288 Link (first, prev, next, last) — and bounds
refused with 422 naming the parameter. Driven through a real list, a compound's units."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from compounds.models import Unit
from core.api import MAX_PER_PAGE, PER_PAGE
from core.extensions import db
from core.loader import MAX_ID

_LINK = re.compile(r'<([^>]*)>; rel="(\w+)"')


@pytest.fixture
def units(make, api):
    """Compound with five units, and a system administrator's API client."""
    c = make.compound("分页苑")
    b = make.building(c, "1", floors=6, entrances=("1",))
    ids = [make.unit(b, f"{n}01", floor=n).id for n in range(1, 6)]
    return c, ids, api(make.user("pager", admin=True))


def _links(resp) -> dict[str, dict]:
    """rel → {"path", "page", "per_page"} of the Link header."""
    out = {}
    for url, rel in _LINK.findall(resp.headers["Link"]):
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        out[rel] = {"path": parts.path, "page": int(query["page"]),
                    "per_page": int(query["per_page"])}
    return out


def test_pages_cover_the_list_once_in_order_with_total_and_links(units):
    c, ids, admin = units
    path = f"/compounds/{c.id}/units"
    seen = []
    expected_links = {
        1: {"first": 1, "next": 2, "last": 3},
        2: {"first": 1, "prev": 1, "next": 3, "last": 3},
        3: {"first": 1, "prev": 2, "last": 3},
    }
    for page in (1, 2, 3):
        resp = admin.get(path, query_string={"page": page, "per_page": 2})
        assert resp.status_code == 200
        assert resp.headers["X-Total-Count"] == "5"
        links = _links(resp)
        assert {rel: link["page"] for rel, link in links.items()} == expected_links[page]
        assert all(link["per_page"] == 2 and link["path"] == "/api/v1" + path
                   for link in links.values())
        seen += [u["id"] for u in resp.get_json()]
    assert seen == ids


def test_the_links_lead_where_they_say(units, client):
    c, ids, admin = units
    resp = admin.get(f"/compounds/{c.id}/units", query_string={"per_page": 2})
    for rel, want in (("next", ids[2:4]), ("last", ids[4:]), ("first", ids[:2])):
        url = _link_url(resp, rel)
        followed = client.get(url, headers={"Authorization": f"Bearer {admin.token}"})
        assert [u["id"] for u in followed.get_json()] == want, rel


def _link_url(resp, rel) -> str:
    return next(url for url, r in _LINK.findall(resp.headers["Link"]) if r == rel)


def test_defaults_and_a_page_past_the_end(units):
    c, ids, admin = units
    resp = admin.get(f"/compounds/{c.id}/units")
    assert [u["id"] for u in resp.get_json()] == ids
    assert _links(resp)["first"]["per_page"] == PER_PAGE
    assert set(_links(resp)) == {"first", "last"}

    past = admin.get(f"/compounds/{c.id}/units", query_string={"page": 9, "per_page": 2})
    assert past.status_code == 200 and past.get_json() == []
    assert past.headers["X-Total-Count"] == "5"
    assert _links(past)["last"]["page"] == 3 and "next" not in _links(past)


def test_an_empty_list_has_one_page(make, api):
    c = make.compound("空苑")
    admin = api(make.user("pager0", admin=True))
    resp = admin.get(f"/compounds/{c.id}/units")
    assert resp.status_code == 200 and resp.get_json() == []
    assert resp.headers["X-Total-Count"] == "0"
    assert {rel: link["page"] for rel, link in _links(resp).items()} == {"first": 1, "last": 1}


@pytest.mark.parametrize(("args", "field"), [
    ({"page": 0}, "page"),
    ({"page": -1}, "page"),
    ({"page": "two"}, "page"),
    ({"page": MAX_ID + 1}, "page"),
    ({"per_page": 0}, "per_page"),
    ({"per_page": MAX_PER_PAGE + 1}, "per_page"),
    ({"per_page": "1.5"}, "per_page"),
])
def test_out_of_bounds_is_422_naming_the_parameter(units, args, field):
    c, _, admin = units
    resp = admin.get(f"/compounds/{c.id}/units", query_string=args)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["details"]["fields"]) == [field]


def test_the_largest_page_size_is_allowed(units):
    c, ids, admin = units
    resp = admin.get(f"/compounds/{c.id}/units", query_string={"per_page": MAX_PER_PAGE})
    assert resp.status_code == 200 and len(resp.get_json()) == len(ids)


def test_the_document_declares_the_parameters_and_headers(client):
    op = client.get("/api/v1/openapi.json").get_json()[
        "paths"]["/api/v1/compounds/{cid}/units"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
    assert params["page"]["minimum"] == 1 and params["page"]["maximum"] == MAX_ID
    assert params["per_page"]["minimum"] == 1
    assert params["per_page"]["maximum"] == MAX_PER_PAGE
    headers = op["responses"]["200"]["headers"]
    assert headers["X-Total-Count"]["required"] and headers["Link"]["required"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "422" in op["responses"]


def test_the_links_keep_the_filters(units, make, client):
    c, ids, admin = units
    other = make.building(c, "2", floors=6, entrances=("1",))
    make.unit(other, "101", floor=1)
    building = db.session.get(Unit, ids[0]).building_id
    resp = admin.get(f"/compounds/{c.id}/units",
                     query_string={"building": building, "per_page": 2})
    assert resp.headers["X-Total-Count"] == "5"  # the other building's unit is filtered out
    for url, _ in _LINK.findall(resp.headers["Link"]):
        assert parse_qs(urlsplit(url).query)["building"] == [str(building)]
    last = client.get(_link_url(resp, "last"), headers={"Authorization": f"Bearer {admin.token}"})
    assert [u["id"] for u in last.get_json()] == ids[4:]
