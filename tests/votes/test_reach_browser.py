"""In a real browser, as the residents' committee secretary with a compound of some size:
the door-knocking list's reminder button (asked to confirm, sent once, then refused for the
day) and the vote page's reach block after it, at 1280 px and on a 375 px phone; the lobby
poster rendered to an image (the screenshots and the poster's PNG are for people to look at:
tests/_artifacts/shots)."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest

from compounds.models import Building, Entrance, Holding, Person, Unit, natural_key
from core.extensions import db
from tests.browser.harness import DESKTOP, PHONE, SHOTS, no_horizontal_overflow, shot, sign_in
from tests.factories import id_number

pytestmark = pytest.mark.browser

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _more_owners(estate, n: int = 40) -> None:
    """Building 9 with `n` owners, as a real roll has them: most with a mobile, some with
    none recorded, one with a landline (an SMS cannot go there)."""
    b = Building(compound_id=estate.compound.id, number="9", sort_key=natural_key("9"),
                 floors=20)
    db.session.add(b)
    db.session.flush()
    e = Entrance(building_id=b.id, number="1", sort_key=natural_key("1"))
    db.session.add(e)
    db.session.flush()
    for i in range(n):
        phone = "" if i % 9 == 4 else "021-62541234" if i == 7 else f"1371234{i:04d}"
        p = Person(name=f"{SURNAMES[i % len(SURNAMES)]}{'建国秀英志强海燕'[i % 8]}",
                   id_number=id_number(700 + i), phone=phone)
        number = f"{i // 2 + 1}0{i % 2 + 1}"
        u = Unit(compound_id=estate.compound.id, building_id=b.id, entrance_id=e.id,
                 number=number, sort_key=natural_key(number), floor=i // 2 + 1,
                 area=Decimal("89.50") + i, area_source="registered", developer_held=False,
                 label=f"9-1-{number}")
        u.holdings = [Holding(person=p, position=0)]
        db.session.add(u)
    db.session.commit()


def test_reminder_button_and_reach_on_desktop_and_phone(flow, estate, live_server,
                                                        page_factory):
    _more_owners(estate)
    vid = flow.open(question="拟使用维修资金为7号楼加装电梯，费用按楼层系数分摊。",
                    paper_collection="7号楼1单元门厅表决箱")
    for unit in ("7-1-101", "7-1-201", "9-1-101", "9-1-102", "9-1-201"):
        assert flow.cast(vid, unit).status_code == 201

    desk = page_factory(DESKTOP)
    sign_in(desk, live_server, "rc")
    desk.goto(f"{live_server}/votes/{vid}/doors")
    assert desk.is_visible("#send-reminder")
    assert no_horizontal_overflow(desk)
    shot(desk, "vote-doors-reminder-desktop")
    asked = []
    desk.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    desk.click("#send-reminder")
    desk.wait_for_load_state()
    assert len(asked) == 1 and ("短信" in asked[0] or "SMS" in asked[0])
    assert "已向 40 位" in desk.inner_text("body")
    # one reminder a day: the button says so instead of offering a refusal
    assert desk.is_disabled("#reminded-today") and not desk.is_visible("#send-reminder")
    assert no_horizontal_overflow(desk)
    shot(desk, "vote-doors-reminded-desktop")

    desk.goto(f"{live_server}/votes/{vid}")
    reach = desk.inner_text("#reach")
    assert "发布表决公告" in reach and "应通知业主" in reach
    assert no_horizontal_overflow(desk)
    desk.locator("#reach").scroll_into_view_if_needed()
    shot(desk, "vote-reach-desktop")

    phone = page_factory(PHONE)
    sign_in(phone, live_server, "rc")
    phone.goto(f"{live_server}/votes/{vid}")
    assert phone.is_visible("#reach") and no_horizontal_overflow(phone)
    shot(phone, "vote-reach-phone")
    phone.goto(f"{live_server}/votes/{vid}/doors")
    assert phone.is_visible("#reminded-today") and no_horizontal_overflow(phone)
    shot(phone, "vote-doors-reminder-phone")

    # the lobby poster, rendered for a person to look at
    pdf = flow.rc.get(f"/votes/{vid}/poster.pdf")
    assert pdf.status_code == 200
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "vote-poster.pdf").write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(SHOTS / "vote-poster.pdf"),
                    str(SHOTS / "vote-poster")], check=True)
