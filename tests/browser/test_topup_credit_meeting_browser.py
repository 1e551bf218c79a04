"""In a real browser at 1280 px and 375 px: a top-up plan made for one entrance on the
basis of a local rule, a credit record withdrawn by district staff with its reason, and a
joint meeting's sign-in sheet with a cross-appointed person counted once and a guest."""

from compounds.org import meetings
from compounds.org import organisations as orgs
from core.models import Role
from tests.acting import as_user
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.compounds.worlds import build_ox, four
from tests.owners_committee.worlds import build_estate
from tests.property.worlds import PropertyWorld, periods_back

RULE = "《某市住宅专项维修资金管理实施细则》第二十条：未成立业主大会的，由居委会组织续筹。"


def test_top_up_plan_for_one_entrance(make, live_server, page_factory):
    c = build_estate(make).compound
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_factory(viewport=size)
        sign_in(page, live_server, "oc")
        page.goto(f"{live_server}/compounds/{c.id}/fund/plans/new")
        page.fill("input[name=title]", f"7号楼2单元续筹{name}")
        page.fill("textarea[name=scope]", "7-2")
        page.click("#plan-form button[type=submit]")
        assert "业主大会" in page.inner_text("main")  # no basis: refused, says why
        assert no_horizontal_overflow(page)
        shot(page, f"topup-form-refused-{name}")
        page.fill("textarea[name=local_rule]", RULE)
        page.click("#plan-form button[type=submit]")
        page.wait_for_selector("#plan-basis")
        text = page.inner_text("main")
        assert "7号楼2单元" in text and "第二十条" in text and "7-1-101" not in text
        assert no_horizontal_overflow(page)
        shot(page, f"topup-plan-{name}")


def test_withdraw_a_credit_record(make, live_server, page_factory):
    world = PropertyWorld(make)
    period = periods_back(1)
    company, compound = world.served(score="90", period=period.code)
    district = compound.street.district
    make.user("qu", Role.district_admin, district)
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        record = world.record(company, district, period, -5, evidence=f"误录的记录{name}")
        page = page_factory(viewport=size)
        sign_in(page, live_server, "qu")
        page.goto(f"{live_server}/property/credit?district={district.id}&period={period.code}")
        page.click(f"#record-{record.id} details.withdraw summary")
        page.fill(f"#withdraw-reason-{record.id}", "录入时选错了公司")
        page.click(f"#record-{record.id} details.withdraw button[type=submit]")
        page.wait_for_selector(f"#record-{record.id} .tag")
        assert "已撤销" in page.inner_text(f"#record-{record.id}")
        assert no_horizontal_overflow(page)
        shot(page, f"credit-withdrawn-{name}")


def test_sign_in_sheet_with_a_guest(make, live_server, page_factory):
    ox = build_ox(make)
    party, _rcom, oc, _prop = four(ox)
    with as_user(ox["ps"]):
        sec = orgs.add_member(party, unit=ox["units"]["王芳"].label, name="王芳",
                              position="secretary")
        twice = orgs.add_member(oc, same_as=sec.id, position="committee_member")
        chair = orgs.add_member(oc, unit=ox["units"]["李强"].label, name="李强",
                                position="director")
        m = meetings.create_meeting(ox["c"], title="2026年第四季度联席会议",
                                    held_at="2026-11-20T19:00", place="居民区活动室")
        meetings.set_attendance(m, [sec.id, twice.id, chair.id])
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_factory(viewport=size)
        sign_in(page, live_server, ox["ps"].username)
        page.goto(f"{live_server}/meetings/{m.id}")
        page.fill("#guest-form input[name=name]", f"赵大爷{name}")
        page.fill("#guest-form input[name=affiliation]", "7-2-301")
        page.click("#guest-form button[type=submit]")
        page.wait_for_selector("#guest-list")
        count = page.inner_text("#present-count")
        assert "到会 2 人" in count and "列席" in count
        assert no_horizontal_overflow(page)
        shot(page, f"meeting-guests-{name}")
