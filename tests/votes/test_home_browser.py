"""In a real browser, on a phone (375 px): the owner's home page puts the vote waiting for
them first, and after they vote it moves out of "待您表决"; an owner who is two voters is
told why on the ballot page; the secretary's records box on the vote page.

Screenshots go to tests/_artifacts/shots/ for people to look at."""

from __future__ import annotations

import pytest

from compounds.models import Holding
from core.extensions import db
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in

pytestmark = pytest.mark.browser


def test_owner_home_shows_the_waiting_vote_first_then_not_after_voting(
        flow, estate, live_server, page_factory):
    # 张伟 (c) co-owns 7-1-201 and now owns 7-2-401 alone: two voters, two ballots
    db.session.add(Holding(unit_id=estate.unit("7-2-401").id,
                           person_id=estate.people["c"].id, position=0))
    db.session.commit()
    vid = flow.open(title="7号楼加装电梯", closes_at="2099-12-31T17:00")
    phone = page_factory(PHONE)
    sign_in(phone, live_server, "owner_c")
    box = phone.locator("#waiting-votes")
    assert "待您表决" in box.inner_text()
    # first on the page, above the tiles
    assert phone.evaluate("() => document.querySelector('#waiting-votes').getBoundingClientRect()"
                          ".top < document.querySelector('.tiles').getBoundingClientRect().top")
    assert "与他人共有的 7-1-201" in box.inner_text()
    assert no_horizontal_overflow(phone)
    shot(phone, "home-waiting-phone")

    phone.click(f"#waiting-{vid} a.btn")
    phone.wait_for_selector("#voters-note")
    assert "您名下有 2 个表决权" in phone.inner_text("#voters-note")
    assert no_horizontal_overflow(phone)
    shot(phone, "ballot-two-voters-phone")
    for _ in range(2):  # one ballot for each voter
        radios = phone.locator("input[name=group][type=radio]")
        if radios.count():  # two voters still to vote: choose one
            radios.first.check()
        phone.check("input[name=choice][value=agree]")
        phone.check("input[name=confirm]")
        phone.click("#ballot-form button[type=submit]")
        phone.wait_for_selector(".receipt-card")
    assert phone.locator(".receipt-card").count() == 2

    phone.goto(f"{live_server}/")
    assert phone.locator(f"#waiting-{vid}").count() == 0
    assert "7号楼加装电梯" in phone.inner_text("#other-votes")
    assert "目前没有待您参加的表决" in phone.inner_text("#waiting-votes")
    shot(phone, "home-voted-phone")

    desk = page_factory(DESKTOP)
    sign_in(desk, live_server, "rc")
    desk.goto(f"{live_server}/votes/{vid}")
    assert "表决名册（Excel）" in desk.inner_text("#records")
    shot(desk, "vote-records-desktop")
    small = page_factory(PHONE)
    sign_in(small, live_server, "rc")
    small.goto(f"{live_server}/votes/{vid}")
    assert no_horizontal_overflow(small)
    shot(small, "vote-records-phone")
