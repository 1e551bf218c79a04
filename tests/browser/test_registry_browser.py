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


def test_secretary_removes_a_unit_typed_by_mistake_on_a_phone(make, live_server,
                                                              page_factory):
    """The secretary typed 7-2-3010 for 7-2-301: on the unit's edit page she removes it —
    "Cancel" at the question keeps it, "OK" removes it, and the way back finds nothing."""
    from compounds.registry import services
    from tests.acting import as_user

    compound = make.compound("梅岭苑")
    rc = make.user("rc", Role.rc_secretary, compound)
    b7 = make.building(compound, "7", entrances=("1", "2"))
    make.unit(b7, "301", entrance=b7.entrances[1], floor=3)
    with as_user(rc):
        wrong = services.save_unit(b7.entrances[1], None, number="3010", floor=3,
                                   area="88.05")
    page = page_factory(viewport=PHONE)
    sign_in(page, live_server, "rc")
    page.goto(f"{live_server}/compounds/{compound.id}/units/{wrong.id}/edit")
    button = page.locator("#unit-remove button")
    assert button.inner_text() == "删除房屋 7-2-3010"
    assert no_horizontal_overflow(page)
    shot(page, "unit-remove-phone")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))  # the wrong button: cancel
    button.click()
    assert asked == ["确定删除房屋 7-2-3010？删除后无法恢复。"]
    assert page.url.endswith(f"/units/{wrong.id}/edit")
    page.once("dialog", lambda d: answer(d, True))
    button.click()
    page.wait_for_url(f"{live_server}/compounds/{compound.id}")
    assert "房屋 7-2-3010 已删除。" in page.inner_text("body")
    table = page.inner_text("#unit-table")
    assert "7-2-301" in table and "7-2-3010" not in table
    shot(page, "unit-removed-phone")
    # the back button to the edit page of the removed unit: not found, nothing else
    page.go_back()
    assert page.goto(f"{live_server}/compounds/{compound.id}/units/{wrong.id}/edit") \
        .status == 404
