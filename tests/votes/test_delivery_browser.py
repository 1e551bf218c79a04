"""In a real browser at 375 px: a building volunteer taps a home in the delivery grid and
records that the notice was signed for; the public notice page on a phone."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models import Role
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.votes.worlds import add_user, reload
from votes.models import Vote

pytestmark = pytest.mark.browser


def test_volunteer_marks_a_delivery_on_a_phone(flow, estate, live_server, page_factory):
    add_user("volunteer", Role.volunteer, estate.compound.id)
    db.session.commit()
    vid = flow.open(paper_collection="7号楼1单元门厅表决箱")
    flow.rc.post(f"/votes/{vid}/deliveries", json={"unit": "7-1-101", "method": "posted"})
    unit_id = estate.unit("7-2-601").id

    phone = page_factory(PHONE)
    sign_in(phone, live_server, "volunteer")
    phone.goto(f"{live_server}/votes/{vid}/delivery")
    assert "1" in phone.inner_text("#delivery-summary")
    assert no_horizontal_overflow(phone)
    shot(phone, "vote-delivery-grid-phone")
    phone.click(f"#unit-{unit_id}")
    phone.wait_for_selector("#delivery-form")
    assert no_horizontal_overflow(phone)
    phone.check("input[name=method][value=in_person]")
    shot(phone, "vote-delivery-form-phone")
    phone.click("#delivery-form button[type=submit]")  # nobody signed: refused, on the field
    phone.wait_for_selector("#delivery-form .error")
    phone.fill("input[name=signed_by]", "李强")
    phone.check("input[name=method][value=in_person]")
    phone.click("#delivery-form button[type=submit]")
    phone.wait_for_selector(f"#unit-{unit_id}.reached")
    assert "2" in phone.inner_text("#delivery-summary")
    assert flow.rc.get(f"/votes/{vid}/deliveries").get_json()["delivered"] == 2
    shot(phone, "vote-delivery-done-phone")

    desk = page_factory(DESKTOP)
    sign_in(desk, live_server, "rc")
    desk.goto(f"{live_server}/votes/{vid}/delivery")
    shot(desk, "vote-delivery-grid-desktop")
    desk.goto(f"{live_server}/votes/{vid}")
    desk.click("#notice-links a[href$='/delivery']")
    desk.wait_for_selector("#delivery-summary")

    # the public page, as anyone scanning the QR code sees it
    key = reload(Vote, vid).public_key
    anon = page_factory(PHONE)
    anon.goto(f"{live_server}/votes/public/{key}")
    assert "7号楼1单元门厅表决箱" in anon.inner_text("#how-to-vote")
    assert no_horizontal_overflow(anon)
    shot(anon, "vote-public-notice-phone")
