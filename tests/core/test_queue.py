"""The queue's consumer and its channels: e-mail to a real SMTP server, the Aliyun SMS
request signed as the provider documents it and sent to a local HTTP server, retries that
back off and give up, and the rules asked again at send time (quiet hours, opt-outs)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from core.extensions import db
from core.inputs import SHANGHAI
from core.messaging import queue, sending
from core.messaging.channels import sms
from core.messaging.models import Message, OptOut
from core.messaging.outbox import Recipient, notify
from tests.core.mailserver import smtp_server

NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)


def _at(hour, minute=0, day=7):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)


def _write(channels=("sms", "email"), *, event="vote.announced", data=None, now=NOON):
    # written at noon, as the sends below are: at night an SMS would wait for the morning
    people = [Recipient(person_id=1, name="王芳", phone="13900000001", email="wf@example.cn")]
    notify(event, people, title="表决公告：加装电梯", body="请于12月20日前表决。",
           link="/votes/1", subject=("vote", 1), compound_id=1, channels=channels,
           data=data or {"title": "加装电梯"}, now=now)
    db.session.commit()
    # this event's rows only, in order (PostgreSQL returns an unordered SELECT in any order)
    return {m.channel: m.id for m in db.session.scalars(
        select(Message).where(Message.event == event).order_by(Message.id))}


def _row(mid):
    db.session.expire_all()
    return db.session.get(Message, mid)


def _smtp_config(port):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "MAIL_FROM": "notice@tongxin.cn",
            "PUBLIC_BASE_URL": "https://tongxin.example.cn"}


def test_an_email_reaches_a_real_smtp_server_in_chinese(app):
    ids = _write(("email",))
    with smtp_server() as (inbox, port):
        outcome = sending.send_one(ids["email"], _smtp_config(port), now=NOON)
    assert outcome.status == "sent"
    [(rcpt, mail)] = inbox.mails
    assert rcpt == ["wf@example.cn"]
    assert mail["Subject"] == "表决公告：加装电梯"
    assert "王芳" in str(mail["To"]) and "wf@example.cn" in str(mail["To"])
    body = mail.get_content()
    assert "请于12月20日前表决。" in body and "https://tongxin.example.cn/votes/1" in body
    row = _row(ids["email"])
    # the Message-ID is the row's key: a resend of the same notice is recognisable
    assert mail["Message-ID"] == "<vote.announced.vote.1.p1.email@tongxin.cn>"
    assert (row.status, row.provider_id, row.attempts) == ("sent", mail["Message-ID"], 1)
    # claimed once: the same task delivered twice sends nothing more
    with smtp_server() as (inbox2, port2):
        assert sending.send_one(ids["email"], _smtp_config(port2), now=NOON) is None
    assert inbox2.mails == []


def test_a_refused_send_backs_off_1_5_30_minutes_then_gives_up(app):
    mid = _write(("email",))["email"]
    now = NOON
    with smtp_server() as (inbox, port):
        inbox.refusals = ["451 4.3.0 mailbox busy, try later"] * 4
        for waited in (1, 5, 30):
            outcome = sending.send_one(mid, _smtp_config(port), now=now)
            row = _row(mid)
            assert (row.status, outcome.retry_at) == ("failed", now + dt.timedelta(
                minutes=waited))
            assert "451" in row.reason
            # not before its time: a drain now sends nothing
            assert sending.send_one(mid, _smtp_config(port), now=now) is None
            now = now + dt.timedelta(minutes=waited)
        outcome = sending.send_one(mid, _smtp_config(port), now=now)
    row = _row(mid)
    assert (row.status, row.attempts, row.not_before, outcome.retry_at) == (
        "failed", 4, None, None)
    assert row.reason.startswith("gave up after 4 attempts") and "451" in row.reason
    assert inbox.mails == []
    assert sending.due_ids(now=now + dt.timedelta(days=1)) == []


def test_a_retry_that_succeeds_is_sent_once(app):
    mid = _write(("email",))["email"]
    with smtp_server() as (inbox, port):
        inbox.refusals = ["451 try later"]
        sending.send_one(mid, _smtp_config(port), now=NOON)
        assert sending.send_one(mid, _smtp_config(port),
                                now=NOON + dt.timedelta(minutes=1)).status == "sent"
    assert len(inbox.mails) == 1 and _row(mid).attempts == 2


def test_a_permanent_refusal_is_not_retried(app):
    mid = _write(("email",))["email"]
    with smtp_server() as (inbox, port):
        inbox.refusals = ["550 5.1.1 no such mailbox"]
        outcome = sending.send_one(mid, _smtp_config(port), now=NOON)
    row = _row(mid)
    assert (row.status, row.not_before, outcome.retry_at) == ("failed", None, None)
    assert "550" in row.reason


@pytest.mark.parametrize(("moment", "waits_until"), [
    (_at(21), _at(8, day=8)), (_at(23, 59), _at(8, day=8)), (_at(6), _at(8)),
    (_at(7, 59), _at(8)),
])
def test_no_sms_in_the_quiet_hours_checked_again_at_send_time(app, tmp_path, moment,
                                                              waits_until):
    mid = _write(("sms",))["sms"]
    db.session.execute(db.update(Message).values(not_before=None))  # written in the day
    db.session.commit()
    log = tmp_path / "sms.log"
    config = {"SMS_PROVIDER": "log", "SMS_LOG_FILE": str(log)}
    outcome = sending.send_one(mid, config, now=moment)
    row = _row(mid)
    assert (row.status, row.not_before, row.attempts, outcome.retry_at) == (
        "queued", waits_until, 0, waits_until)
    assert not log.exists()
    assert sending.send_one(mid, config, now=waits_until - dt.timedelta(minutes=1)) is None
    assert sending.send_one(mid, config, now=waits_until).status == "sent"
    [line] = log.read_text(encoding="utf-8").splitlines()
    sent = json.loads(line)
    assert (sent["to"], sent["event"], sent["data"]) == ("13900000001", "vote.announced",
                                                        {"title": "加装电梯"})
    assert "表决公告" in sent["text"]


def test_an_owner_who_opted_out_since_the_event_is_not_texted(app, tmp_path):
    ids = _write(("sms", "email"))
    db.session.add(OptOut(person_id=1, channel="sms"))
    db.session.commit()
    log = tmp_path / "sms.log"
    with smtp_server() as (inbox, port):
        config = {**_smtp_config(port), "SMS_LOG_FILE": str(log)}
        assert sending.drain(config, now=NOON) == 1  # the e-mail only
    assert (_row(ids["sms"]).status, _row(ids["sms"]).reason) == ("skipped", "opted_out")
    assert _row(ids["email"]).status == "sent" and len(inbox.mails) == 1
    assert not log.exists()


def test_the_tasks_drain_what_is_due(app, tmp_path):
    """The tasks themselves (as the consumer runs them), called in this process."""
    ids = _write(("email",))
    with smtp_server() as (inbox, port):
        app.config.update(_smtp_config(port))
        try:
            assert queue.tasks.drain.call_local() == 1
            assert queue.tasks.send.call_local(ids["email"]) is None  # already sent
        finally:
            app.config.update(SMTP_HOST="localhost", SMTP_PORT=25)
    assert len(inbox.mails) == 1


# -- Aliyun SMS -------------------------------------------------------------------------

def test_the_signature_of_the_documented_example():
    """Aliyun's worked example of the RPC signature (DescribeRegions, AccessKeyId testid,
    AccessKeySecret testsecret: developer.aliyun.com/ask/210168 "API 签名机制(示例)", and
    the signature shown in help.aliyun.com's "Signature mechanism" pages)."""
    params = {"TimeStamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid",
              "Action": "DescribeRegions", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
              "Version": "2014-05-26", "SignatureVersion": "1.0"}
    assert sms.string_to_sign(params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2014-05-26")
    assert sms.signature(params, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="


@pytest.mark.parametrize(("text", "encoded"), [
    ("a b", "a%20b"), ("a*b", "a%2Ab"), ("a~b", "a~b"), ("-_.", "-_."), ("+/=", "%2B%2F%3D"),
    ("加装电梯", "%E5%8A%A0%E8%A3%85%E7%94%B5%E6%A2%AF"),
])
def test_percent_encoding_follows_aliyun(text, encoded):
    assert sms.percent_encode(text) == encoded


class _FakeAliyun(BaseHTTPRequestHandler):
    answers: ClassVar[list[dict]] = []
    seen: ClassVar[list[dict]] = []

    def do_GET(self):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query,
                                            keep_blank_values=True))
        _FakeAliyun.seen.append(query)
        body = json.dumps(_FakeAliyun.answers.pop(0)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_aliyun():
    server = HTTPServer(("127.0.0.1", 0), _FakeAliyun)
    _FakeAliyun.answers, _FakeAliyun.seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", _FakeAliyun
    server.shutdown()
    server.server_close()


ALIYUN = {"SMS_PROVIDER": "aliyun", "ALIYUN_ACCESS_KEY_ID": "LTAI-test",
          "ALIYUN_ACCESS_KEY_SECRET": "s3cret", "ALIYUN_SMS_SIGN_NAME": "同心社区",
          "ALIYUN_SMS_TEMPLATES": {"vote.announced": "SMS_480000001"}}


def test_sendsms_is_a_signed_request_with_the_rows_key(app, fake_aliyun):
    url, server = fake_aliyun
    server.answers = [{"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0",
                       "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"}]
    mid = _write(("sms",))["sms"]
    outcome = sending.send_one(mid, {**ALIYUN, "ALIYUN_SMS_ENDPOINT": url}, now=NOON)
    assert outcome.status == "sent"
    [query] = server.seen
    signature = query.pop("Signature")
    assert signature == sms.signature(query, "s3cret")  # the server can check it
    assert (query["Action"], query["Version"], query["PhoneNumbers"], query["SignName"],
            query["TemplateCode"], query["SignatureMethod"], query["SignatureVersion"]) == (
        "SendSms", "2017-05-25", "13900000001", "同心社区", "SMS_480000001", "HMAC-SHA1", "1.0")
    assert json.loads(query["TemplateParam"]) == {"title": "加装电梯"}
    assert query["OutId"] == "vote.announced.vote.1.p1.sms"
    assert _row(mid).provider_id == "900619746936498440^0"


@pytest.mark.parametrize(("answer", "retried"), [
    ({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}, True),
    ({"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}, False),
])
def test_the_providers_refusal_is_retried_or_not(app, fake_aliyun, answer, retried):
    url, server = fake_aliyun
    server.answers = [answer]
    mid = _write(("sms",))["sms"]
    outcome = sending.send_one(mid, {**ALIYUN, "ALIYUN_SMS_ENDPOINT": url}, now=NOON)
    row = _row(mid)
    assert row.status == "failed" and answer["Code"] in row.reason
    assert (outcome.retry_at is not None) is retried


def test_an_event_without_a_template_is_not_sent(app, fake_aliyun):
    url, server = fake_aliyun
    mid = _write(("sms",), event="vote.opened")["sms"]
    sending.send_one(mid, {**ALIYUN, "ALIYUN_SMS_ENDPOINT": url}, now=NOON)
    row = _row(mid)
    assert (row.status, row.not_before) == ("failed", None)
    assert "no SMS template for vote.opened" in row.reason and server.seen == []


def test_a_dead_workers_rows_are_retried_or_left_uncertain(app):
    ids = _write(("email",))
    other = _write(("email",), event="vote.opened")
    for mid in (ids["email"], other["email"]):
        assert sending.claim(mid, NOON)
    row = _row(ids["email"])
    row.handed_at = NOON
    db.session.commit()
    assert sending.recover(now=NOON + dt.timedelta(minutes=4)) == {
        "uncertain": 0, "failed": 0, "queued": 0}  # within the lease: still theirs
    assert sending.recover(now=NOON + dt.timedelta(minutes=6)) == {
        "uncertain": 1, "failed": 0, "queued": 1}
    assert _row(ids["email"]).status == "uncertain"
    assert _row(other["email"]).status == "queued"
    assert sending.due_ids(now=NOON + dt.timedelta(minutes=6)) == [other["email"]]


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs Redis (TEST_REDIS_URL)")
def test_on_redis_a_woken_drain_is_queued_and_a_consumer_sends_it(app):
    """Production's back-end: the waker's task goes through a real Redis, and what a
    consumer dequeues and runs sends the message."""
    h = queue.make_huey(os.environ["TEST_REDIS_URL"])
    h.flush()
    tasks = queue.register(h)
    ids = _write(("email",))
    with smtp_server() as (inbox, port):
        app.config.update(_smtp_config(port))
        try:
            tasks.drain()  # what the waker does after the commit
            assert h.pending_count() == 1
            task = h.dequeue()  # what a consumer does
            assert h.execute(task) == 1
        finally:
            app.config.update(SMTP_HOST="localhost", SMTP_PORT=25)
            h.flush()
    assert len(inbox.mails) == 1 and _row(ids["email"]).status == "sent"
