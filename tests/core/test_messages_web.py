"""The inbox (page, badge, API), each owner's channel switches, and the compound's outbox
page for its staff: filters, reasons, and sending an uncertain message once more."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.extensions import db
from core.messaging.models import Message, OptOut
from core.messaging.outbox import Recipient, notify
from core.models import AuditEntry, Role
from core.types import utcnow


def _tell(user, title, *, minutes_ago=0, subject=1, compound_id=None, channels=()):
    notify("vote.announced", [Recipient(user_id=user.id, person_id=user.person_id,
                                        name=user.display_name, phone="13900000001",
                                        email="wf@example.cn")],
           title=title, body=f"{title}的正文", link=f"/votes/{subject}",
           subject=("vote", subject), compound_id=compound_id, channels=channels)
    db.session.commit()
    m = db.session.scalars(select(Message).where(Message.title == title,
                                                 Message.channel == "in_app")).one()
    m.created_at = utcnow() - dt.timedelta(minutes=minutes_ago)
    db.session.commit()
    return m.id


def test_the_api_lists_ones_messages_newest_first_and_marks_them_read(app, make, api):
    me, other = make.user("wangfang"), make.user("zhangwei")
    old = _tell(me, "表决公告", minutes_ago=60, subject=1)
    new = _tell(me, "表决提醒", minutes_ago=1, subject=2)
    theirs = _tell(other, "别人的消息", subject=3)
    mine = api(me)
    listed = mine.get("/me/messages").get_json()
    assert [m["id"] for m in listed] == [new, old]
    assert listed[0] == {"id": new, "title": "表决提醒", "body": "表决提醒的正文",
                         "link": "/votes/2", "created_at": listed[0]["created_at"],
                         "read": False}
    resp = mine.post(f"/me/messages/{old}/read")
    assert resp.status_code == 200 and resp.get_json()["read"] is True
    assert [m["read"] for m in mine.get("/me/messages").get_json()] == [False, True]
    # somebody else's message: as if it did not exist
    resp = mine.post(f"/me/messages/{theirs}/read")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert db.session.get(Message, theirs).read_at is None
    assert mine.get("/me/messages?page=2").get_json() == []
    assert api().get("/me/messages").status_code == 401


def test_the_api_is_documented(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/me/messages"]
    assert "404" in paths["/api/v1/me/messages/{mid}/read"]["post"]["responses"]


def test_the_badge_counts_unread_messages_and_opening_one_reads_it(app, make, login):
    me = make.user("wangfang")
    first = _tell(me, "表决公告", minutes_ago=5, subject=7)
    _tell(me, "表决提醒", subject=8)
    client = login(me)
    home = client.get("/").get_data(as_text=True)
    assert 'id="unread-count">2<' in home
    page = client.get("/messages").get_data(as_text=True)
    assert page.index("表决提醒") < page.index("表决公告")  # newest first
    assert page.count('class="inbox-item unread"') == 2 and "2 条未读" in page
    resp = client.get(f"/messages/{first}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/votes/7")
    assert 'id="unread-count">1<' in client.get("/").get_data(as_text=True)
    client.post("/messages/read")
    home = client.get("/").get_data(as_text=True)
    assert "unread-count" not in home and 'id="inbox-link"' in home


def test_someone_elses_message_does_not_open(app, make, login):
    me, other = make.user("wangfang"), make.user("zhangwei")
    theirs = _tell(other, "别人的消息")
    assert login(me).get(f"/messages/{theirs}").status_code == 404
    assert db.session.get(Message, theirs).read_at is None


def test_an_owner_switches_sms_and_email_off_and_on(app, make, login):
    person = make.person("王芳", phone="13900000001")
    me = make.user("wangfang", Role.owner, person=person)
    me.phone = "13900000001"
    db.session.commit()
    client = login(me)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "13900000001" in page and "短信通知" in page
    resp = client.post("/account/notifications", data={"email_on": "y",
                                                       "email": "not-an-address"})
    assert "请输入电子邮件地址" in resp.get_data(as_text=True)
    assert db.session.scalars(select(OptOut)).all() == []
    resp = client.post("/account/notifications", data={"email_on": "y",
                                                       "email": "wf@example.cn"})
    assert resp.status_code == 302
    rows = db.session.scalars(select(OptOut)).all()
    assert [(r.channel, r.user_id, r.person_id) for r in rows] == [("sms", me.id, person.id)]
    db.session.expire_all()
    assert db.session.get(type(me), me.id).email == "wf@example.cn"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "messages.channels_set")).one()
    assert entry.object_id == str(me.id) or entry.object_id == me.id
    # the next event does not text them; e-mail goes to the new address
    notify("vote.announced", [Recipient(user_id=me.id, person_id=person.id, name="王芳",
                                        phone="13900000001", email="wf@example.cn")],
           title="表决公告", subject=("vote", 9), channels=("sms", "email"))
    db.session.commit()
    status = {m.channel: (m.status, m.reason) for m in db.session.scalars(select(Message))}
    assert status["sms"] == ("skipped", "opted_out") and status["email"] == ("queued", "")
    client.post("/account/notifications", data={"sms": "y", "email": "wf@example.cn"})
    assert [r.channel for r in db.session.scalars(select(OptOut))] == ["email"]


def _outbox_world(make):
    c = make.compound("枫林苑")
    rc = make.user("rc", Role.rc_secretary, c)
    other = make.compound("乙小区", street="二街道")
    rc_other = make.user("rc_b", Role.rc_secretary, other)
    owner = make.user("wangfang")
    people = [Recipient(user_id=owner.id, person_id=1, name="王芳", phone="13900000001",
                        email="wf@example.cn"),
              Recipient(person_id=2, name="张伟", phone="12345")]
    notify("vote.announced", people, title="表决公告", subject=("vote", 1), compound_id=c.id,
           channels=("sms", "email"))
    notify("request.routed", people[:1], title="诉求已转交", subject=("request", 1),
           compound_id=c.id)
    db.session.commit()
    sms = db.session.scalars(select(Message).where(Message.channel == "sms",
                                                   Message.person_id == 1)).one()
    sms.status, sms.attempts, sms.handed_at = "uncertain", 1, utcnow()
    sms.reason = "the worker stopped after handing it to the provider: perhaps delivered"
    db.session.commit()
    return c, rc, rc_other, sms.id


def test_staff_see_the_outbox_filtered_with_reasons(app, make, login):
    c, rc, rc_other, _ = _outbox_world(make)
    client = login(rc)
    # reached from the compound's page
    assert f"/compounds/{c.id}/outbox" in client.get(f"/compounds/{c.id}").get_data(as_text=True)
    page = client.get(f"/compounds/{c.id}/outbox").get_data(as_text=True)
    assert "发件记录" in page and "共 7 条" in page
    assert "不是有效的手机号" in page and "未开通同心账户" in page and "结果不确定" in page
    sms = client.get(f"/compounds/{c.id}/outbox?channel=sms").get_data(as_text=True)
    assert sms.count("<tr data-message") == 2 and "站内消息</td>" not in sms
    routed = client.get(f"/compounds/{c.id}/outbox?event=request.routed").get_data(
        as_text=True)
    assert routed.count("<tr data-message") == 1 and "诉求已转交" in routed
    skipped = client.get(f"/compounds/{c.id}/outbox?status=skipped").get_data(as_text=True)
    assert skipped.count("<tr data-message") == 3
    assert login(rc_other).get(f"/compounds/{c.id}/outbox").status_code == 403


def test_an_uncertain_sms_is_sent_again_once_audited(app, make, login):
    c, rc, rc_other, mid = _outbox_world(make)
    assert login(rc_other).post(f"/compounds/{c.id}/outbox/{mid}/resend").status_code == 403
    client = login(rc)
    resp = client.post(f"/compounds/{c.id}/outbox/{mid}/resend?channel=sms")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("channel=sms")
    again = db.session.scalars(select(Message).where(Message.key.like("%:resend1"))).one()
    old = db.session.get(Message, mid)
    assert (again.status, again.channel, again.address, again.attempts) == (
        "queued", "sms", "13900000001", 0)
    assert again.key == old.key + ":resend1" and old.status == "uncertain"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "message.resent")).one()
    assert entry.compound_id == c.id
    # the new row is queued, not uncertain: no second button; an in-app row has none
    page = client.get(f"/compounds/{c.id}/outbox").get_data(as_text=True)
    assert page.count(">重新发送</button>") == 1
    in_app = db.session.scalars(select(Message).where(Message.channel == "in_app")).first()
    resp = client.post(f"/compounds/{c.id}/outbox/{in_app.id}/resend", follow_redirects=True)
    assert "只有发送结果不确定或发送失败的邮件、短信可以重新发送" in resp.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Message)) == 8
