"""An owners'-committee member records an emergency repair (preview, then post) on a
desktop; an owner reads the project and their own unit's statement on a 375 px phone."""

import re
import subprocess

from owners_committee.fund import services as fund_services
from tests.acting import as_user
from tests.browser.harness import PHONE, no_horizontal_overflow, shot, sign_in
from tests.owners_committee.worlds import build_estate


def test_member_records_a_project_and_owner_reads_statement(make, live_server, page_factory,
                                                             tmp_path):
    estate = build_estate(make)
    c = estate.compound
    with as_user(estate.oc):
        for label, amount in (("7-1-101", "8805.00"), ("7-1-102", "3000.00"),
                              ("7-2-101", "6666.00"), ("8-1-101", "7777.00")):
            fund_services.post_entry(c, unit=label, kind="initial", amount=amount)
        fund_services.spread(c, kind="interest", total="88.88", basis="balance", memo="银行结息")

    # -- the committee member, on a desktop ------------------------------------------------
    page = page_factory()
    sign_in(page, live_server, "oc")
    page.goto(f"{live_server}/fund/")
    page.click(f"#funds a[href='/compounds/{c.id}/fund']")
    page.wait_for_selector("#fund-stats")
    page.click(f"a[href='/compounds/{c.id}/fund/projects/new']")
    page.fill("input[name=title]", "7号楼屋面防水抢修")
    page.fill("textarea[name=description]", "暴雨后7号楼顶层多户渗漏，须立即修复屋面防水层。")
    page.fill("textarea[name=scope]", "7")
    page.fill("input[name=cost]", "18000.00")
    page.fill("input[name=contractor]", "上海某某修缮公司")
    page.check("input[name=emergency]")
    page.select_option("select[name=emergency_kind]", "roof_leak")
    page.fill("textarea[name=reason]", "顶层三户漏水，危及用电安全")
    page.click("button[name=action][value=preview]")
    page.wait_for_selector("#preview")
    preview = page.inner_text("#preview-shares")
    assert "7-1-101" in preview and "7-2-102" in preview and "8-1-101" not in preview
    shot(page, "fund-project-preview-desktop")
    page.click("#post-project")
    page.wait_for_selector("#shares")
    assert re.search(r"/compounds/\d+/fund/projects/\d+$", page.url)
    shares = page.inner_text("#shares")
    assert "18,000.00" in shares and "7-2-102" in shares
    assert "顶层三户漏水" in page.inner_text("#project-approval")
    shot(page, "fund-project-desktop")
    page.goto(f"{live_server}/compounds/{c.id}/fund")
    assert "7号楼屋面防水抢修" in page.inner_text("#projects")
    low = page.inner_text("#low-balance")
    assert "7-1-102" in low  # ¥3,000 paid, its share took it below 30 %
    shot(page, "fund-compound-desktop")

    # -- the owner, on a phone -------------------------------------------------------------
    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, "owner")
    phone.goto(f"{live_server}/fund/")
    mine = phone.inner_text("#my-fund")
    assert "7-1-101" in mine and "8-1-101" in mine and "7-1-102" not in mine
    assert no_horizontal_overflow(phone)
    shot(phone, "fund-index-phone")
    phone.click(f"#my-fund a[href='/units/{estate.units.a.id}/fund']")
    phone.wait_for_selector("#unit-entries")
    entries = phone.inner_text("#unit-entries")
    assert "7号楼屋面防水抢修" in entries and "8,805.00" in entries and "88.88" not in entries
    assert len(phone.query_selector_all("#unit-entries tbody tr")) == 3
    assert no_horizontal_overflow(phone)
    shot(phone, "fund-unit-phone")
    href = phone.get_attribute("#statement-pdf", "href")
    pdf = phone.request.get(f"{live_server}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf.body())
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True,
                                             capture_output=True, text=True).stdout)
    assert "住宅专项维修资金分户账对账单" in text and "7-1-101" in text and "王芳" in text
    assert "维修分摊：7号楼屋面防水抢修" in text
    # someone else's statement is refused
    other = phone.request.get(f"{live_server}/units/{estate.units.b.id}/fund/statement.pdf")
    assert other.status == 403
    phone.goto(f"{live_server}/compounds/{c.id}/fund")
    assert no_horizontal_overflow(phone)
    shot(phone, "fund-compound-phone")
    phone.click("#projects a")
    phone.wait_for_selector("#shares")
    assert no_horizontal_overflow(phone)
    shot(phone, "fund-project-phone")
