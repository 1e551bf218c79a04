"""An owner on a 375 px phone sees the unread count in the header, opens the inbox from it,
opens a message (it is read, and they land on the vote), and the count goes down; the
secretary's outbox page on a desktop."""

from sqlalchemy import select

from core.extensions import db
from core.messaging.models import Message
from core.messaging.outbox import Recipient, notify
from core.models import Role
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in


def test_owner_opens_the_inbox_from_the_badge_on_a_phone(make, live_server, page_factory):
    person = make.person("王芳", phone="13900000001")
    owner = make.user("owner", Role.owner, person=person)
    for n, title in enumerate(("表决公告：7号楼加装电梯", "表决提醒：还有3天截止")):
        notify("vote.announced" if n == 0 else "vote.reminder",
               [Recipient(user_id=owner.id, person_id=person.id, name="王芳")],
               title=title, body="请在截止前通过同心或纸质表决票表决。" * (n + 1),
               link="/my/units", subject=("vote", 1))
    db.session.commit()

    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, "owner")
    assert phone.inner_text("#unread-count") == "2"
    assert no_horizontal_overflow(phone)
    shot(phone, "messages-phone-badge")
    phone.click("#inbox-link")
    phone.wait_for_url(f"{live_server}/messages")
    items = phone.locator(".inbox-item")
    assert items.count() == 2
    assert "表决提醒" in items.nth(0).inner_text()  # newest first
    assert phone.locator(".inbox-item.unread").count() == 2
    assert no_horizontal_overflow(phone)
    shot(phone, "messages-phone-inbox")
    phone.click("text=表决公告：7号楼加装电梯")
    phone.wait_for_url(f"{live_server}/my/units")
    assert phone.inner_text("#unread-count") == "1"
    phone.click("#inbox-link")
    assert phone.locator(".inbox-item.unread").count() == 1
    phone.click("text=短信和邮件通知设置")
    phone.wait_for_url(f"{live_server}/account/notifications")
    assert "13900000001" in phone.inner_text("#my-contacts") or "未登记" in phone.inner_text(
        "#my-contacts")
    assert no_horizontal_overflow(phone)
    shot(phone, "messages-phone-settings")


def test_secretary_sees_the_outbox_on_a_desktop(make, live_server, page_factory):
    c = make.compound("枫林苑")
    make.user("rc", Role.rc_secretary, c)
    notify("vote.announced", [Recipient(person_id=1, name="王芳", phone="13900000001"),
                              Recipient(person_id=2, name="张伟", phone="12345")],
           title="表决公告：7号楼加装电梯", subject=("vote", 1), compound_id=c.id,
           channels=("sms",))
    db.session.commit()
    sms = db.session.scalars(select(Message).where(Message.person_id == 1,
                                                   Message.channel == "sms")).one()
    sms.status, sms.reason = "uncertain", "the worker stopped after handing it to the provider"
    db.session.commit()
    page = page_factory(viewport=DESKTOP)
    sign_in(page, live_server, "rc")
    page.goto(f"{live_server}/compounds/{c.id}/outbox")
    assert "不是有效的手机号" in page.inner_text("#outbox-rows")
    assert no_horizontal_overflow(page)
    shot(page, "outbox-desktop")
    page.click("button:has-text('重新发送')")
    assert "已重新排队发送" in page.inner_text("body")
    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, "rc")
    phone.goto(f"{live_server}/compounds/{c.id}/outbox?channel=sms")
    assert no_horizontal_overflow(phone)
    shot(phone, "outbox-phone")
