"""In a real browser: each role's home page opens on what is waiting for them (core.todo) —
the items, the count in the title, overdue marked in red — and an item's link opens the page
where the work is done. Every role at 1280 px, the owner also at 375 px; nothing overflows.

Screenshots go to tests/_artifacts/shots/todo-*.png for people to look at."""

from __future__ import annotations

import pytest

from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.core.todo_world import build

pytestmark = pytest.mark.browser


def _check(page, base, username, *, count, texts, overdue, click, lands_on, name):
    sign_in(page, base, username)
    box = page.locator("#todo")
    text = box.inner_text()
    assert "待办事项" in text
    assert page.inner_text("#todo-count") == str(count)
    for t in texts:
        assert t in text, (t, text)
    assert page.locator("li.todo-item.overdue").count() == overdue
    if overdue:
        assert page.locator(".todo-overdue").first.inner_text().startswith(("逾期", "已逾期"))
    assert no_horizontal_overflow(page)
    shot(page, f"todo-{name}")
    with page.expect_navigation() as nav:
        page.click(f"#todo a.todo-title[href='{click}']")
    assert nav.value.status == 200
    assert lands_on in page.inner_text("main") if page.locator("main").count() \
        else lands_on in page.inner_text("body")


ROLES = {
    # username, items, overdue items, an item's link, a text on the page it opens
    "owner": ("owner_a", 3, 0, ["您的诉求已答复", "维修资金续筹", "正在推荐候选人"]),
    "pm": ("pm", 6, 2, ["答复诉求", "办理并反馈", "不良信用记录", "应提交整改回复", "逾期"]),
    "rc": ("rc", 6, 2, ["开始表决", "截止并计票", "公告表决结果", "分派路人甲的诉求",
                        "督办事项逾期"]),
    "ps": ("ps", 5, 0, ["审核候选人", "联席会议", "确定会议纪要", "分拨督办事项",
                        "评价办理结果"]),
    "street": ("street", 4, 4, ["梅岭苑：2 件居民诉求逾期未答复", "远景苑：1 项督办事项逾期"]),
    "district": ("district", 3, 1, ["答复安居物业有限公司的异议",
                                    "审核远景物业有限公司的整改回复"]),
}


def _link_and_landing(w, role):
    ids = w.ids
    return {
        "owner": (f"/requests/{ids['r_mine'].id}", "楼道灯坏了"),
        "pm": (f"/requests/{ids['r_prop_late'].id}", "楼道灯坏了"),
        "rc": (f"/votes/{ids['v_announced']}", "更换小区大门"),
        "ps": (f"/candidates/{ids['cand_ready'].id}", "陈静"),
        "street": (f"/compounds/{w.c.id}/actions?overdue=1", "修复7号楼屋面渗漏"),
        "district": (f"/property/rectifications?district={w.c.street.district_id}",
                     "远景物业有限公司"),
    }[role]


@pytest.mark.parametrize("role", list(ROLES))
def test_each_roles_home_page_lists_what_waits_for_them(role, make, estate, flow,
                                                       live_server, page_factory):
    w = build(make, estate, flow)
    username, count, overdue, texts = ROLES[role]
    link, landing = _link_and_landing(w, role)
    _check(page_factory(DESKTOP), live_server, username, count=count, texts=texts,
           overdue=overdue, click=link, lands_on=landing, name=f"{role}-desktop")


def test_owner_home_on_a_phone_votes_first_then_the_todo_list(make, estate, flow, live_server,
                                                             page_factory):
    w = build(make, estate, flow)
    phone = page_factory(PHONE)
    sign_in(phone, live_server, "owner_a")
    # the votes waiting for the owner first, then the to-do list, then the tiles
    assert phone.evaluate(
        "() => document.querySelector('#waiting-votes').getBoundingClientRect().top"
        " < document.querySelector('#todo').getBoundingClientRect().top"
        " && document.querySelector('#todo').getBoundingClientRect().top"
        " < document.querySelector('.tiles').getBoundingClientRect().top")
    assert phone.inner_text("#todo-count") == "3"
    assert no_horizontal_overflow(phone)
    shot(phone, "todo-owner-phone")
    with phone.expect_navigation() as nav:
        phone.click(f"#todo a.todo-title[href='/units/{w.estate.unit('7-1-101').id}/fund']")
    assert nav.value.status == 200
    assert no_horizontal_overflow(phone)


def test_nothing_waiting_says_so(make, live_server, page_factory):
    c = make.compound("空闲苑")
    make.user("idle_rc", "rc_secretary", c)
    page = page_factory(DESKTOP)
    sign_in(page, live_server, "idle_rc")
    assert page.inner_text("#todo-count") == "0"
    assert "目前没有等待您处理的事项" in page.inner_text("#todo-empty")
    shot(page, "todo-empty-desktop")
