"""The residents' committee secretary creates an elevator project with a bad plan on a
desktop, reads the Chinese message beside the field with everything typed still there,
fixes it and sees the project's state; an owner reads their own share on the ballot on a
375 px phone."""

import datetime as dt

from core.extensions import db
from tests.acting import as_user
from tests.browser.harness import PHONE, no_horizontal_overflow, shot, sign_in
from tests.votes.worlds import end_notice
from votes import services as vote_services
from votes.models import Vote


def test_secretary_fixes_a_bad_plan_and_owner_reads_the_share(estate, live_server,
                                                               page_factory):
    c = estate.compound
    page = page_factory()
    sign_in(page, live_server, estate.users["rc"].username)
    page.goto(f"{live_server}/compounds/{c.id}/elevator/new")
    page.fill("input[name=title]", "7号楼2单元加装电梯")
    page.select_option("select[name=building]", "7")
    page.fill("input[name=entrance]", "2")
    page.fill("input[name=cost]", "800000")
    page.fill("input[name=fund]", "20000")
    page.fill("textarea[name=coefficients]", "1: 0\n2: 0.6\n3: 1\n4: 1.2\n5: 1.4\n6: 1.6\n7: 1.8")
    page.click("section.card form button[type=submit]")
    error = page.inner_text(".has-error")
    assert "7层超出本楼总层数（6层）" in error
    assert page.input_value("input[name=title]") == "7号楼2单元加装电梯"
    assert page.input_value("input[name=entrance]") == "2"
    assert page.input_value("input[name=fund]") == "20000"
    assert "7: 1.8" in page.input_value("textarea[name=coefficients]")
    shot(page, "elevator-bad-plan-desktop")
    page.fill("textarea[name=coefficients]", "1: 0\n2: 0.6\n3: 1\n4: 1.2\n5: 1.4\n6: 1.6")
    page.click("section.card form button[type=submit]")
    page.wait_for_selector("#share-table")
    assert "草拟中" in page.inner_text(".pagehead")
    assert "7-2-601" in page.inner_text("#share-table")
    shot(page, "elevator-project-desktop")

    # the vote runs: announced, its notice's 15 days pass, opened (as the secretary does on
    # the vote's page)
    vid = int(page.get_attribute("#project-votes a", "href").rsplit("/", 1)[1])
    with as_user("rc"):
        vote = db.session.get(Vote, vid)
        vote.closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        db.session.commit()
        vote_services.announce(vote)
    end_notice(vid)
    with as_user("rc"):
        vote_services.open_vote(db.session.get(Vote, vid))
    page.reload()
    assert "表决中" in page.inner_text(".pagehead")
    assert no_horizontal_overflow(page)

    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, estate.users["rc"].username)
    phone.goto(page.url)
    assert no_horizontal_overflow(phone)
    shot(phone, "elevator-project-phone")

    owner = page_factory(viewport=PHONE)
    sign_in(owner, live_server, estate.users["b"].username)  # owns 7-2-601
    owner.goto(f"{live_server}/votes/{vid}/ballot")
    share = owner.inner_text("#elevator-share")
    assert "7-2-601" in share and "166,666.67" in share and "按楼层系数分摊" in share
    assert no_horizontal_overflow(owner)
    shot(owner, "elevator-ballot-phone")
    desk = page_factory()
    sign_in(desk, live_server, estate.users["b"].username)
    desk.goto(f"{live_server}/votes/{vid}/ballot")
    shot(desk, "elevator-ballot-desktop")
