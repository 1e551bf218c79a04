"""Issue 14's pages in chromium at 1280 px and on a 375 px phone: the owner's sub-ledger
keeps its 余额 column in view on the phone; the arrears lists page and the audit log (labels,
staff by name and office) fit both widths."""


from core.extensions import db
from core.inputs import local_today
from core.models import Role
from owners_committee.fund import services as fund_services
from property.fees import arrears
from tests.acting import as_user
from tests.browser.harness import PHONE, no_horizontal_overflow, shot, sign_in
from tests.owners_committee.worlds import build_estate, build_world, user


def test_the_owners_ledger_keeps_the_balance_in_view_on_a_phone(make, live_server,
                                                                  page_factory):
    estate = build_estate(make)
    c, unit = estate.compound, estate.units.a
    with as_user(estate.oc):
        fund_services.post_entry(c, unit=unit.label, kind="initial", amount="1234567.89",
                                 memo="首期专项维修资金（开发商代收后划转）")
        fund_services.post_entry(c, unit=unit.label, kind="interest", amount="88.88",
                                 memo="银行结息")
    for width, viewport in (("1280", None), ("375", PHONE)):
        page = page_factory(viewport)
        sign_in(page, live_server, "owner")
        page.goto(f"{live_server}/units/{unit.id}/fund")
        page.wait_for_selector("#unit-entries")
        header = page.locator("#unit-entries th", has_text="余额").first
        box = header.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= (375 if width == "375" else 1280), box
        text = page.inner_text("#unit-entries")
        assert "1,234,567.89" in text and "银行结息" in text  # the memo, under the kind
        assert no_horizontal_overflow(page)
        shot(page, f"issue14-unit-ledger-{width}")


def test_the_arrears_page_and_the_audit_log_fit_both_widths(make, live_server, page_factory):
    w = build_world(make)
    user("pm", Role.property_manager, w.company.id).display_name = "李经理"
    district = w.c.street.district
    admin = user("district", Role.district_admin, district.id)
    admin.display_name = "王敏"
    db.session.commit()
    with as_user(db.session.scalar(db.select(type(admin)).filter_by(username="pm"))):
        arrears.import_arrears(w.c, "a.csv", (
            "房号,欠费金额\n" + "\n".join(f"{u.label},{1234.5 * (i + 1)}"
                                     for i, u in enumerate(w.units.values()))).encode(),
            local_today())
    for width, viewport in (("1280", None), ("375", PHONE)):
        page = page_factory(viewport)
        sign_in(page, live_server, "pm")
        page.goto(f"{live_server}/compounds/{w.c.id}/fee-arrears")
        page.wait_for_selector("#arrears-lists")
        page.click("#arrears-lists summary")
        text = page.inner_text("main")
        assert "物业费欠费清单" in text and "安居物业" in text and "11,110.50" in text
        assert no_horizontal_overflow(page)
        shot(page, f"issue14-fee-arrears-{width}")
        if width == "1280":  # an upload with bad rows: every one listed, nothing imported
            page.fill("input[name=as_of]", local_today().isoformat())
            page.set_input_files("input[name=file]", files=[{
                "name": "bad.csv", "mimeType": "text/csv",
                "buffer": "房号,欠费金额\n9-9-999,1\n7-1-101,abc\n".encode()}])
            page.click("#arrears-submit")
            page.wait_for_selector("#import-errors")
            assert page.locator("#import-errors tbody tr").count() == 2
            shot(page, "issue14-fee-arrears-errors-1280")
        page = page_factory(viewport)
        sign_in(page, live_server, "district")
        page.goto(f"{live_server}/admin/audit/")
        text = page.inner_text("main")
        assert "导入物业费欠费清单" in text and "李经理（安居物业）" in text
        assert "fee_arrears.import" not in text
        assert no_horizontal_overflow(page)
        shot(page, f"issue14-audit-{width}")
