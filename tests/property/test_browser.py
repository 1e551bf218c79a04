"""District staff publish the lists and print the report in a real browser; the public, a
company and a phone see the result. Screenshots go to TONGXIN_SHOTS for people to look at."""

from __future__ import annotations

import subprocess

import pytest

from core.extensions import db
from core.models import Role
from tests.browser.harness import (
    DESKTOP,
    PHONE,
    SHOTS,
    no_horizontal_overflow,
    shot,
    sign_in,
)
from tests.property.worlds import periods_back

pytestmark = pytest.mark.browser


@pytest.fixture
def lists(make, world):
    period = periods_back(1)
    red, compound = world.served(612, score="94", period=period.code, name="槐荫新村")
    district = compound.street.district
    red.name = "上海槐安物业管理有限公司"
    warned, _ = world.served(1512, inspection="54.99", period=period.code, name="澄澜华庭")
    warned.name = "上海澄明物业服务有限公司（长风分公司）"
    black, _c3 = world.served(52, score="80", period=period.code, name="桐华公寓")
    black.name = "上海桐心物业管理有限公司"
    world.record(black, district, period, -20, kind="veto", veto_reason="fund_misuse",
                 evidence="未经业主大会表决擅自动用专项维修资金十二万元用于外墙粉刷", commit=False)
    world.record(red, district, period, 3, evidence="台风期间连夜排除地下车库积水",
                 commit=False)
    db.session.commit()  # with the renamed companies
    make.user("qu", Role.district_admin, district)
    make.user("wuye", Role.property_manager, black.id)
    return {"period": period, "district": district, "red": red, "warned": warned,
            "black": black}


def test_district_staff_publish_and_print(live_server, page_factory, lists, tmp_path):
    code = lists["period"].code
    page = page_factory(viewport=DESKTOP)
    sign_in(page, live_server, "qu")
    page.goto(f"{live_server}/property/ratings")
    page.click(f"text={code}")
    page.wait_for_selector("#publish-btn")
    assert "草稿" in page.inner_text("#period-state") or "Draft" in page.inner_text(
        "#period-state")
    shot(page, "property-publish-desktop")

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#publish-btn")
    page.wait_for_selector("#correct-btn")
    state = page.inner_text("#period-state")
    assert "1" in state
    assert lists["black"].name in page.inner_text("#list-black")
    assert lists["red"].name in page.inner_text("#list-red")
    assert lists["warned"].name in page.inner_text("#list-warning")
    shot(page, "property-published-desktop")

    href = page.get_attribute("#print-report", "href")
    resp = page.request.get(live_server + href)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    pdf = SHOTS / "property-report.pdf"
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(resp.body())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "红黑榜" in text and "盖章" in text and "第 1 页" in text.replace("第1页", "第 1 页")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / "property-report")],
                   check=True)

    page.goto(f"{live_server}/property/companies/{lists['black'].id}")
    assert "擅自动用专项维修资金" in page.inner_text("#record-table")
    shot(page, "property-company-desktop")

    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, "qu")
    phone.goto(f"{live_server}/property/ratings/{code}")
    assert no_horizontal_overflow(phone)
    shot(phone, "property-period-phone")
    phone.goto(f"{live_server}/property/companies/{lists['black'].id}")
    assert no_horizontal_overflow(phone)
    shot(phone, "property-company-phone")

    # the public, without signing in, on a desktop and on a phone
    public = page_factory(viewport=DESKTOP)
    public.goto(f"{live_server}/ratings")
    assert lists["red"].name in public.inner_text("#list-red")
    assert "一票否决" in public.inner_text("#list-black")
    shot(public, "property-public-desktop")
    phone = page_factory(viewport=PHONE)
    phone.goto(f"{live_server}/ratings")
    assert no_horizontal_overflow(phone)
    shot(phone, "property-public-phone")

    # the black-listed company sees its record on the phone and may object to it
    company = page_factory(viewport=PHONE)
    sign_in(company, live_server, "wuye")
    company.goto(f"{live_server}/property/companies/{lists['black'].id}")
    assert no_horizontal_overflow(company)
    assert company.locator(".rect-due").count() == 1
    shot(company, "property-company-own-phone")
    company.goto(f"{live_server}/property/companies/{lists['red'].id}")
    assert "403" in company.title() or company.locator("text=403").count() >= 1
