"""District staff keep the working calendar's local days and the request follow-up on
the district settings page, at 1280 px and on a 375 px phone."""

from core.models import Role
from tests.browser.harness import PHONE, no_horizontal_overflow, shot, sign_in


def test_district_staff_add_a_local_day_and_choose_the_followup(make, live_server,
                                                                page_factory):
    c = make.compound("梅岭苑")
    district = c.street.district
    make.user("qu", Role.district_admin, district.id)
    for width, viewport in (("1280", None), ("375", PHONE)):
        page = page_factory(viewport)
        sign_in(page, live_server, "qu")
        page.goto(f"{live_server}/property/district-settings?district={district.id}")
        if width == "1280":
            page.fill("input[name='day-day']", "2026-07-06")
            page.fill("input[name='day-note']", "区防汛假日")
            page.click("#calendar button.primary")
            page.wait_for_selector("#calendar table")
            page.check("input[name='fu-request_followup'][value=escalate]")
            page.click("#followup button.primary")
            page.wait_for_selector("#followup")
        text = page.inner_text("main")
        assert "2026-07-06" in text and "区防汛假日" in text and "工作日历" in text
        assert page.is_checked("input[name='fu-request_followup'][value=escalate]")
        assert no_horizontal_overflow(page)
        shot(page, f"district-settings-{width}")
