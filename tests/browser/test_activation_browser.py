"""An owner opens the link of their letter's QR code on a phone, chooses a username and a
password, and lands signed in with their units and votes; the residents' committee secretary
sees the compound's activation page on a desktop."""

from compounds.accounts import services
from core.models import Role
from tests.acting import as_user
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in


def _estate(make):
    c = make.compound("枫林苑")
    b7 = make.building(c, "7", entrances=("1", "2"))
    wang, li = make.person("王芳", n=801), make.person("李强", n=802)
    make.unit(b7, "101", owners=[wang])
    make.unit(b7, "201", entrance=b7.entrances[1], floor=2, owners=[li])
    rc = make.user("rc", Role.rc_secretary, c)
    return c, rc


def test_owner_activates_from_the_qr_link_on_a_phone(make, live_server, page_factory):
    compound, rc = _estate(make)
    with as_user(rc):
        letters = services.issue_letters(compound)
    code = next(x.code for x in letters if x.name == "王芳")

    phone = page_factory(viewport=PHONE)
    phone.goto(f"{live_server}/activate?code={code}")
    assert phone.input_value("input[name=code]") == code
    assert no_horizontal_overflow(phone)
    shot(phone, "activation-phone-form")
    phone.fill("input[name=username]", "wangfang")
    phone.fill("input[name=password]", "secret-pass-1")
    phone.fill("input[name=again]", "secret-pass-2")
    phone.click("button[type=submit]")
    assert "两次输入的密码不一致" in phone.inner_text("#activate-form")
    phone.fill("input[name=password]", "secret-pass-1")
    phone.fill("input[name=again]", "secret-pass-1")
    phone.fill("input[name=phone]", "13912345678")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server}/my/units")
    body = phone.inner_text("body")
    assert "账户已开通" in body and "7-1-101" in body and "枫林苑" in body
    assert "7-2-201" not in body  # 李强's
    assert phone.is_visible("text=我的表决")
    assert no_horizontal_overflow(phone)
    shot(phone, "activation-phone-done")
    phone.click("text=我的表决")
    phone.wait_for_url(f"{live_server}/votes/")

    # the same code a second time: the one message
    again = page_factory(viewport=PHONE)
    again.goto(f"{live_server}/activate?code={code}")
    again.fill("input[name=username]", "someone")
    again.fill("input[name=password]", "secret-pass-1")
    again.fill("input[name=again]", "secret-pass-1")
    again.click("button[type=submit]")
    assert "激活码无效或已过期" in again.inner_text("#activate-form")
    shot(again, "activation-phone-invalid")


def test_secretary_sees_progress_and_prints_per_building(make, live_server, page_factory):
    compound, rc = _estate(make)
    with as_user(rc):
        services.issue_letters(compound, scope=[{"building": "7", "entrance": "1"}])
    page = page_factory(viewport=DESKTOP)
    sign_in(page, live_server, "rc")
    page.goto(f"{live_server}/compounds/{compound.id}")
    page.click("text=业主账户开通")
    page.wait_for_url(f"{live_server}/compounds/{compound.id}/activation")
    totals = page.inner_text("#activation-totals")
    assert "2" in totals and "1" in totals
    owners = page.inner_text("#activation-owners")
    assert "王芳" in owners and "已发函待开通" in owners
    assert "李强" in owners and "未发函" in owners
    assert page.is_visible("button:has-text('打印全小区开通函')")
    assert page.locator("#activation-buildings button").count() == 3  # building, 2 entrances
    assert no_horizontal_overflow(page)
    shot(page, "activation-secretary-desktop")
    with page.expect_response(lambda r: "/activation/letters" in r.url) as resp:
        page.locator("#activation-buildings button", has_text="整栋").click()
    assert resp.value.headers["content-type"] == "application/pdf"
