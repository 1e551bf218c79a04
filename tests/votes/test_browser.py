"""In a real browser: an owner votes on a phone, the secretary enters a paper ballot, watches
progress and the building picture, closes the vote and prints the result notice.

Screenshots (desktop 1280 and phone 375 wide) go to tests/_artifacts/shots/ (TONGXIN_SHOTS) for
people to look at; the tests check that nothing is wider than the phone's screen.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import select

from core.extensions import db
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.votes.worlds import end_period
from votes.models import Ballot, RollGroup, RollUnit

pytestmark = pytest.mark.browser


def test_owner_votes_on_a_phone_and_secretary_runs_the_vote(flow, estate, live_server,
                                                            page_factory, tmp_path):
    vid = flow.open(question="拟在7号楼、8号楼加装电梯。\n费用按楼层系数分摊，一楼不分摊。\n"
                             "政府补贴按上海市规定申请。",
                    closes_at="2099-12-31T17:00")
    flow.cast(vid, "7-2-302", who="e")

    # -- the owner, on a phone -------------------------------------------------------------
    phone = page_factory(PHONE)
    sign_in(phone, live_server, "owner_b")
    phone.goto(f"{live_server}/votes/")
    phone.click(f"a[href='/votes/{vid}/ballot']")
    phone.wait_for_selector("#ballot-form")
    assert "费用按楼层系数分摊" in phone.inner_text("#fulltext")
    assert "7-1-102、7-2-601" in phone.inner_text("#ballot-form")
    assert no_horizontal_overflow(phone)
    shot(phone, "vote-ballot-phone")
    phone.check("input[name=choice][value=agree]")
    phone.check("input[name=confirm]")
    phone.click("#ballot-form button[type=submit]")
    phone.wait_for_selector(".receipt-card")
    code = phone.inner_text(".receipt-card .receipt")
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert phone.locator("#ballot-form").count() == 0
    assert no_horizontal_overflow(phone)
    shot(phone, "vote-ballot-done-phone")
    db.session.expire_all()
    assert db.session.scalar(select(Ballot.channel).join(
        RollUnit, RollUnit.group_id == Ballot.group_id).where(RollUnit.label == "7-1-102")) \
        == "online"

    # the receipt, checked by anyone
    phone.goto(f"{live_server}/votes/receipt")
    phone.fill("input[name=code]", code.lower())
    phone.click("#receipt-form button[type=submit]")
    phone.wait_for_selector("#receipt-result")
    assert "7号楼加装电梯" in phone.inner_text("#receipt-result")

    # -- the secretary, at the desk --------------------------------------------------------
    desk = page_factory(DESKTOP)
    sign_in(desk, live_server, "rc")
    desk.goto(f"{live_server}/votes/{vid}")
    desk.click(f"a[href='/votes/{vid}/paper']")
    serial = db.session.scalar(select(RollGroup.serial).where(RollGroup.labels == "8-1-101"))
    desk.fill("input[name=serial]", serial)
    desk.check("input[name=choice][value=oppose]")
    desk.click("#paper-form button[type=submit]")
    desk.wait_for_selector(".flash-success")
    assert "8-1-101" in desk.inner_text("#recent-table")
    shot(desk, "vote-paper-desktop")

    desk.goto(f"{live_server}/votes/{vid}/progress")
    needed = desk.inner_text("#needed")
    # 75.00 + 160.00 + 99.99 = 334.99 of 499.75 (2/3 of 749.62, rounded up)
    assert "164.76" in needed and "2" in needed
    shot(desk, "vote-progress-desktop")
    desk.goto(f"{live_server}/votes/{vid}/buildings")
    assert desk.locator("td.room.voted").count() == 4  # 7-1-102, 7-2-601, 7-2-302, 8-1-101
    assert desk.locator("td.room.none").count() == 5
    shot(desk, "vote-buildings-desktop")

    # the same pages on the secretary's phone
    sphone = page_factory(PHONE)
    sign_in(sphone, live_server, "rc")
    for path, name in (("progress", "vote-progress-phone"), ("buildings", "vote-buildings-phone"),
                       ("doors", "vote-doors-phone")):
        sphone.goto(f"{live_server}/votes/{vid}/{path}")
        assert no_horizontal_overflow(sphone), path
        shot(sphone, name)
    sphone.goto(f"{live_server}/votes/{vid}")
    assert no_horizontal_overflow(sphone)
    shot(sphone, "vote-show-phone")

    # the period runs out: the vote closes by itself; publish, print the notice
    end_period(vid)
    desk.goto(f"{live_server}/votes/{vid}")
    desk.on("dialog", lambda d: d.accept())
    desk.wait_for_selector("#result")
    desk.click(f"form[action='/votes/{vid}/publish'] button")
    desk.wait_for_selector(f"a[href='/votes/{vid}/notice.pdf']")
    shot(desk, "vote-result-desktop")
    resp = desk.request.get(f"{live_server}/votes/{vid}/notice.pdf")
    assert resp.ok and resp.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(resp.body())
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                             capture_output=True, text=True, check=True).stdout)
    assert "表决结果公告" in text and "参与表决334.9944.68%342.85%" in text
