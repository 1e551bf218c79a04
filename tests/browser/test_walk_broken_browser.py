"""In a real browser, the pages the walk's fixes changed, at 1280 px and 375 px: the repair
project's preview with its kind of emergency, the opening-balance import with its as-of date,
and a candidate's declarations refused for one relative's ID number, shown again as typed."""

from owners_committee.election import services as election_services
from tests.acting import as_user
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.factories import id_number
from tests.owners_committee.worlds import build_estate, build_world, start


def test_project_preview_and_import_page(make, live_server, page_factory):
    c = build_estate(make).compound
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_factory(viewport=size)
        sign_in(page, live_server, "oc")
        page.goto(f"{live_server}/compounds/{c.id}/fund/projects/new")
        assert page.input_value("select[name=emergency_kind]") == ""
        page.fill("input[name=title]", "7号楼屋面抢修")
        page.fill("textarea[name=scope]", "7")
        page.fill("input[name=cost]", "3000.00")
        page.check("input[name=emergency]")
        page.select_option("select[name=emergency_kind]", "elevator")
        page.fill("textarea[name=reason]", "暴雨后顶层漏水")
        page.click("button[name=action][value=preview]")
        assert "没有电梯" in page.inner_text("main")
        page.select_option("select[name=emergency_kind]", "roof_leak")
        page.click("button[name=action][value=preview]")
        page.wait_for_selector("#preview-emergency-kind")
        assert page.inner_text("#preview-emergency-kind") == "屋面渗漏"
        assert no_horizontal_overflow(page)
        shot(page, f"walk-project-preview-{name}")
        page.goto(f"{live_server}/compounds/{c.id}/fund/import")
        assert page.locator("input[name=as_of][type=date]").count() == 1
        assert no_horizontal_overflow(page)
        shot(page, f"walk-import-{name}")


def test_declarations_come_back_as_typed(make, live_server, page_factory):
    w = build_world(make)
    e = start(w)
    with as_user(w.rc):
        cand = election_services.nominate(e, unit=w.units["王芳"].label, name="王芳",
                                          nomination="self")
    bad = id_number(603)[:-1] + ("0" if id_number(603)[-1] != "0" else "1")
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_factory(viewport=size)
        sign_in(page, live_server, "rc")
        page.goto(f"{live_server}/candidates/{cand.id}")
        page.fill("input[name=occupation]", "会计师")
        page.fill("textarea[name=relative_id_numbers]",
                  f"{id_number(601)}\n{id_number(602)}\n{bad}")
        page.click("#declarations button[type=submit]")
        page.wait_for_selector(".has-error")
        assert "第3行亲属的身份证号码校验位不正确" in page.inner_text("main")
        assert page.input_value("input[name=occupation]") == "会计师"
        assert no_horizontal_overflow(page)
        shot(page, f"walk-declarations-refused-{name}")
