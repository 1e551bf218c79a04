"""The hurried secretary, in a real browser: no close button while the period runs, an
extension with its reason, no way to cancel once counted (not even by a hand-made post);
then the street office revokes the decision and the result stays, marked."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models import Role
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.votes.worlds import add_user, end_period, reload
from votes.models import Vote

pytestmark = pytest.mark.browser


def test_a_count_is_final_in_the_browser(flow, estate, live_server, page_factory):
    add_user("street1", Role.street_staff, estate.compound.street_id)
    db.session.commit()
    vid = flow.open(closes_at="2099-06-30T17:00")
    flow.cast(vid, "7-1-101", "oppose")

    desk = page_factory(DESKTOP)
    desk.on("dialog", lambda d: d.accept())
    sign_in(desk, live_server, "rc")
    desk.goto(f"{live_server}/votes/{vid}")
    assert desk.locator(f"form[action='/votes/{vid}/close']").count() == 0
    assert "表决期满时自动截止" in desk.inner_text("main")

    # extend: the reason is asked for, then the new period is on the page
    desk.click("#extend summary")
    desk.fill("#extend input[name=closes_at]", "2099-07-15T17:00")
    desk.fill("#extend textarea[name=reason]", "暑期外出业主较多，延长十五日")
    desk.click("#extend button[type=submit]")
    desk.wait_for_selector(".flash-success")
    assert "暑期外出业主较多" in desk.inner_text("#extensions")
    assert "2099-07-15" in desk.inner_text("main")
    shot(desk, "vote-extended-desktop")

    # the period runs out; the count appears and cancelling is no longer offered
    end_period(vid)
    desk.goto(f"{live_server}/votes/{vid}")
    desk.wait_for_selector("#result")
    assert desk.locator(f"form[action='/votes/{vid}/cancel']").count() == 0
    # the back button brings the old page with its cancel form: posting it is refused
    token = desk.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    resp = desk.request.post(f"{live_server}/votes/{vid}/cancel",
                             form={"reason": "结果不理想", "csrf_token": token})
    assert resp.ok and "不能再取消" in resp.text()
    assert reload(Vote, vid).status == "closed"

    # the street office revokes it, with its reason and basis
    street = page_factory(DESKTOP)
    street.on("dialog", lambda d: d.accept())
    sign_in(street, live_server, "street1")
    street.goto(f"{live_server}/votes/{vid}")
    street.click("#revoke summary")
    street.fill("#revoke textarea[name=reason]", "表决票未依法送达全体业主")
    street.fill("#revoke input[name=basis]", "《物业管理条例》第十九条第二款")
    street.click("#revoke button[type=submit]")
    street.wait_for_selector("#revoked")
    assert "第十九条第二款" in street.inner_text("#revoked")
    assert street.locator("#result").count() == 1
    shot(street, "vote-revoked-desktop")
    phone = page_factory(PHONE)
    sign_in(phone, live_server, "rc")
    phone.goto(f"{live_server}/votes/{vid}")
    assert phone.locator("#revoked").count() == 1 and no_horizontal_overflow(phone)
    shot(phone, "vote-revoked-phone")
