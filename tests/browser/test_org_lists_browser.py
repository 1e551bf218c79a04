"""The resident requests' and the follow-up actions' lists in pages of 50, in chromium at
1280 px and on a 375 px phone: the total, the pager under the table (nothing wider than the
screen), and turning the page keeps the filter the list was asked with."""

from tests.browser.harness import PHONE, no_horizontal_overflow, shot, sign_in
from tests.compounds.org.test_list_pages import _add_actions, _add_requests
from tests.compounds.worlds import build_ox, four


def test_the_requests_and_actions_pages_page_on_a_desktop_and_a_phone(make, live_server,
                                                                       page_factory):
    ox = build_ox(make)
    ox["party"], ox["rcom"], ox["oc"], ox["prop"] = four(ox)
    _add_requests(ox, [(f"楼道灯不亮，第{i}次反映", ("filed", "routed", "replied")[i % 3],
                        ("repairs", "noise")[i % 2], i + 1, 24 - i % 40) for i in range(120)])
    _add_actions(ox, [(f"督办事项{i}", ("dispatched", "handling")[i % 2], i % 9 - 4)
                      for i in range(120)])  # 55 past their date
    cid = ox["c"].id
    for width, viewport in (("1280", None), ("375", PHONE)):
        page = page_factory(viewport)
        sign_in(page, live_server, "rc")
        page.goto(f"{live_server}/compounds/{cid}/requests?status=all&category=noise")
        assert page.inner_text("#request-total") == "共 60 件居民诉求"
        assert page.locator("#request-table tbody tr").count() == 50
        pager = page.locator("nav.pager")
        assert "第1页，共2页" in pager.inner_text()
        assert no_horizontal_overflow(page)
        box = pager.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= (375 if width == "375" else 1280), box
        shot(page, f"org-requests-page1-{width}")
        pager.get_by_role("link").last.click()  # 下一页 ›
        page.wait_for_url("**page=2**")
        assert "category=noise" in page.url and "status=all" in page.url
        assert page.locator("#request-table tbody tr").count() == 10
        assert "第2页，共2页" in page.inner_text("nav.pager")
        assert page.locator("select[name=category]").input_value() == "noise"
        assert no_horizontal_overflow(page)
        shot(page, f"org-requests-page2-{width}")
        page.goto(f"{live_server}/compounds/{cid}/requests?status=all&page=2")
        pager = page.locator("nav.pager")  # a middle page: both links and the place
        assert pager.get_by_role("link").count() == 2 and "第2页，共3页" in pager.inner_text()
        box = pager.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= (375 if width == "375" else 1280), box
        assert no_horizontal_overflow(page)
        shot(page, f"org-requests-middle-{width}")

        page.goto(f"{live_server}/compounds/{cid}/actions?overdue=1")
        assert page.inner_text("#action-total") == "共 55 项督办事项"
        page.locator("nav.pager").get_by_role("link").last.click()
        page.wait_for_url("**page=2**")
        assert "overdue=1" in page.url
        rows = page.locator("#action-table tbody tr")
        assert rows.count() == 5 and page.locator("#action-table tbody tr.overdue").count() == 5
        assert page.locator("input[name=overdue]").is_checked()
        assert no_horizontal_overflow(page)
        shot(page, f"org-actions-page2-{width}")
