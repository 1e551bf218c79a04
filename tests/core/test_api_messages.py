"""The inbox, the channel switches and the compound's outbox over the API."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.messaging.models import Message, OptOut
from core.models import AuditEntry
from tests.core.test_messages_web import _outbox_world, _tell


def _put(http, api_client, path, json):
    return http.put("/api/v1" + path, json=json,
                    headers={"Authorization": f"Bearer {api_client.token}"})


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# -- the inbox ----------------------------------------------------------------------------

def test_inbox_pages_filters_unread_and_marks_all_read(make, api):
    me, other = make.user("wangfang"), make.user("zhangwei")
    ids = [_tell(me, f"消息{n}", minutes_ago=10 - n, subject=n) for n in range(3)]
    theirs = _tell(other, "别人的", subject=9)
    mine = api(me)
    first = mine.get("/me/messages?per_page=2")
    assert first.headers["X-Total-Count"] == "3"
    assert [m["id"] for m in first.get_json()] == [ids[2], ids[1]]
    assert mine.post(f"/me/messages/{ids[0]}/read").status_code == 200
    unread = mine.get("/me/messages?unread=true").get_json()
    assert [m["id"] for m in unread] == [ids[2], ids[1]]
    resp = mine.post("/me/messages/read")
    assert resp.status_code == 200 and resp.get_json() == {"marked": 2}
    assert mine.get("/me/messages?unread=true").get_json() == []
    assert db.session.get(Message, theirs).read_at is None  # only one's own
    assert mine.get("/me/messages?per_page=0").status_code == 422


def test_channels_switched_off_and_on_with_an_email_address(make, api, client):
    me = make.user("wangfang")
    mine = api(me)
    now = mine.get("/me/notifications").get_json()
    assert (now["sms"], now["email_on"], now["email"]) == (True, True, "")
    resp = _put(client, mine, "/me/notifications", {"sms": False, "email_on": True,
                                                    "email": "wf@example.cn"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["sms"], resp.get_json()["email"]) == (False, "wf@example.cn")
    assert _count(OptOut) == 1
    kept = _put(client, mine, "/me/notifications", {"sms": True, "email_on": True})
    assert kept.get_json()["email"] == "wf@example.cn" and _count(OptOut) == 0


def test_a_bad_email_address_changes_nothing(make, api, client):
    me = make.user("wangfang")
    mine = api(me)
    before = _count(AuditEntry)
    resp = _put(client, mine, "/me/notifications", {"sms": False, "email_on": True,
                                                    "email": "not-an-address"})
    assert resp.status_code == 422
    assert "email" in resp.get_json()["error"]["details"]["fields"]
    db.session.expire_all()
    assert _count(OptOut) == 0 and _count(AuditEntry) == before
    assert _put(client, mine, "/me/notifications", {"sms": "no", "email_on": True}
                ).status_code == 422


# -- the outbox ---------------------------------------------------------------------------

def test_staff_list_the_outbox_filtered_with_reasons_in_words(make, api):
    c, rc, rc_other, sms_id = _outbox_world(make)
    staff = api(rc)
    every = staff.get(f"/compounds/{c.id}/outbox")
    assert every.status_code == 200
    rows = every.get_json()
    assert int(every.headers["X-Total-Count"]) == len(rows) == _count(Message)
    sms = staff.get(f"/compounds/{c.id}/outbox?channel=sms&status=uncertain").get_json()
    assert [m["id"] for m in sms] == [sms_id]
    assert sms[0]["resendable"] is True and sms[0]["address"] == "13900000001"
    assert sms[0]["reason_text"] != sms[0]["reason"]  # in words
    assert sms[0]["event"] == "vote.announced" and sms[0]["event_label"] != "vote.announced"
    skipped = staff.get(f"/compounds/{c.id}/outbox?status=skipped").get_json()
    assert skipped and all(m["status"] == "skipped" and not m["resendable"] for m in skipped)
    routed = staff.get(f"/compounds/{c.id}/outbox", query_string={
        "event": "request.routed"}).get_json()
    assert routed and {m["event"] for m in routed} == {"request.routed"}
    assert staff.get(f"/compounds/{c.id}/outbox?channel=fax").status_code == 422
    assert api(rc_other).get(f"/compounds/{c.id}/outbox").status_code == 403


def test_resend_an_uncertain_sms_once_and_refuse_the_rest(make, api):
    c, rc, rc_other, sms_id = _outbox_world(make)
    path = f"/compounds/{c.id}/outbox/{sms_id}/resend"
    before = _count(Message)
    assert api(rc_other).post(path).status_code == 403
    assert _count(Message) == before
    resp = api(rc).post(path)
    assert resp.status_code == 201, resp.get_json()
    copy = resp.get_json()
    assert copy["id"] != sms_id and copy["status"] == "queued" and copy["channel"] == "sms"
    assert db.session.get(Message, sms_id).status == "uncertain"  # the old row stays
    in_app = db.session.scalars(select(Message).where(Message.channel == "in_app")).first()
    refused = api(rc).post(f"/compounds/{c.id}/outbox/{in_app.id}/resend")
    assert refused.status_code == 422 and _count(Message) == before + 1
