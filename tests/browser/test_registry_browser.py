"""The residents' committee secretary signs in, opens the compound, imports a ledger
and sees the units — in a real browser, on a desktop and on a phone."""

from core.models import Role
from tests.browser.harness import PHONE, no_horizontal_overflow, shot, sign_in
from tests.factories import id_number

LEDGER = "\n".join([
    "楼号,单元,室号,楼层,建筑面积,面积来源,开发商持有,业主姓名,身份证号",
    f"7,2,301,3,88.05,登记,0,王芳;李强,{id_number(11)};{id_number(12)}",
    f"7,2,302,3,92.10,实测,0,赵敏,{id_number(13)}",
    "7,2,401,4,88.05,登记,1,,",
]) + "\n"


def test_secretary_imports_ledger_and_sees_units(make, live_server, page_factory, tmp_path):
    compound = make.compound("梅岭苑")
    make.user("rc", Role.rc_secretary, compound)
    ledger = tmp_path / "台账.csv"
    ledger.write_text(LEDGER, encoding="utf-8")

    page = page_factory()
    sign_in(page, live_server, "rc")
    page.click("text=小区")
    page.click("text=梅岭苑")
    page.click("text=导入台账")
    page.set_input_files("input[type=file]", str(ledger))
    page.click("#ledger-import-submit")
    page.wait_for_selector("text=新增")
    shot(page, "registry-import-result")

    page.goto(f"{live_server}/compounds/{compound.id}")
    table = page.inner_text("#unit-table")
    assert "7-2-301" in table and "王芳" in table and "李强" in table
    assert "7-2-401" in table
    totals = page.inner_text("#totals")
    assert "3" in totals and "268.20" in totals
    shot(page, "registry-compound-desktop")

    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, "rc")
    phone.goto(f"{live_server}/compounds/{compound.id}")
    assert no_horizontal_overflow(phone)
    shot(phone, "registry-compound-phone")
    phone.click("text=7-2-301")
    body = phone.inner_text("body")
    assert id_number(11) not in body and "3101**********" in body
    shot(phone, "registry-unit-phone")
