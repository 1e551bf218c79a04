"""The outbox: `notify` writes one row per recipient and channel in the caller's
transaction, skips (with the reason) what cannot or must not go out, keeps SMS out of the
quiet hours, and writes an event only once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.extensions import db
from core.inputs import SHANGHAI, mobile_or_none
from core.messaging.models import Message, OptOut
from core.messaging.outbox import Recipient, morning_after_quiet, notify, reach


def _rows():
    return {(m.recipient_name, m.channel): m for m in db.session.scalars(select(Message))}


def test_one_row_per_recipient_and_channel_with_the_reason_of_each_skip(app, make):
    user = make.user("wangfang")
    people = [Recipient(user_id=user.id, person_id=1, name="王芳", phone="139 0000 0001",
                        email="wf@example.cn"),
              Recipient(person_id=2, name="张伟", phone="abc-not-a-phone"),
              Recipient(person_id=3, name="刘洋")]
    db.session.add(OptOut(person_id=1, channel="email"))
    n = notify("vote.announced", people, title="表决公告", body="…", link="/votes/1",
               subject=("vote", 1), compound_id=1, channels=("sms", "email"))
    db.session.commit()
    assert n == 9
    rows = _rows()
    assert (rows["王芳", "in_app"].status, rows["王芳", "in_app"].sent_at is not None) == (
        "sent", True)
    assert (rows["王芳", "sms"].status, rows["王芳", "sms"].address) == ("queued", "13900000001")
    assert (rows["王芳", "email"].status, rows["王芳", "email"].reason) == ("skipped",
                                                                          "opted_out")
    assert (rows["张伟", "in_app"].status, rows["张伟", "in_app"].reason) == ("skipped",
                                                                          "no_account")
    assert (rows["张伟", "sms"].status, rows["张伟", "sms"].reason) == ("skipped",
                                                                      "invalid_phone")
    assert (rows["刘洋", "sms"].reason, rows["刘洋", "email"].reason) == ("no_phone", "no_email")


def test_an_event_is_written_once_and_a_new_round_again(app):
    people = [Recipient(person_id=7, name="陈静", phone="13900000007")]
    for _ in range(2):
        notify("vote.reminder", people, title="提醒", subject=("vote", 3), channels=("sms",),
               round_="2026-12-07")
    assert notify("vote.reminder", people, title="提醒", subject=("vote", 3),
                  channels=("sms",), round_="2026-12-08") == 2
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(Message)) == 4


def test_a_rolled_back_event_tells_nobody(app):
    notify("vote.announced", [Recipient(person_id=1, name="王芳", phone="13900000001")],
           title="表决公告", subject=("vote", 1), channels=("sms",))
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Message)) == 0


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 7, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)


@pytest.mark.parametrize(("moment", "waits_until"), [
    (_at(8), None), (_at(12), None), (_at(20, 59), None),
    (_at(21), _at(8) + dt.timedelta(days=1)), (_at(23, 30), _at(8) + dt.timedelta(days=1)),
    (_at(0, 5), _at(8)), (_at(7, 59), _at(8)),
])
def test_no_sms_in_the_quiet_hours(moment, waits_until):
    assert morning_after_quiet(moment) == waits_until


@pytest.mark.parametrize(("typed", "number"), [
    ("13900000001", "13900000001"), ("139-0000-0001", "13900000001"),
    ("+86 139 0000 0001", "13900000001"), ("008613900000001", "13900000001"),
    ("12900000001", None), ("1390000000", None), ("abc-not-a-phone", None), ("", None),
    ("021-62345678", None),
])
def test_mobile_numbers(typed, number):
    assert mobile_or_none(typed) == number


def test_reach_counts_people_and_messages_by_channel_and_state(app, make):
    user = make.user("wangfang")
    notify("vote.announced", [Recipient(user_id=user.id, person_id=1, name="王芳",
                                        phone="13900000001"),
                              Recipient(person_id=2, name="张伟")],
           title="表决公告", subject=("vote", 5), channels=("sms",))
    db.session.commit()
    r = reach("vote", 5)
    assert r.people == 2
    assert (r.count("in_app", "sent"), r.count("in_app", "skipped")) == (1, 1)
    assert (r.count("sms", "queued"), r.count("sms", "skipped")) == (1, 1)
    assert reach("vote", 6).people == 0
