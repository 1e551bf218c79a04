"""A top-up plan (续筹) tells the owners of the units that owe something, in Tongxin and by
SMS, with the plan; the developer's units nobody; once; not at all when the plan rolls back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.extensions import db
from core.messaging.models import Message
from owners_committee.fund import notices, services


def _messages() -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.event == "fund.top_up")
                                   .order_by(Message.id)))


def test_top_up_plan_tells_the_owners_of_the_units_that_owe(oc):
    plan = services.create_top_up_plan(oc.compound, title="2026年度续筹", target_pct=100,
                                       local_rule="地方规定",
                                       due_on=dt.date(2026, 12, 31))
    rows = _messages()
    assert {(m.recipient_name, m.channel) for m in rows} == {
        (n, ch) for n in ("王芳", "李强", "赵敏") for ch in ("in_app", "sms")}
    wang = next(m for m in rows if m.recipient_name == "王芳" and m.channel == "in_app")
    assert wang.status == "sent" and wang.link == "/fund"
    assert "2026年度续筹" in wang.title and "请于2026年12月31日前缴纳" in wang.body
    assert {m.status for m in rows if m.channel == "sms"} == {"queued"}
    assert notices.top_up_plan_issued(plan, oc.compound) == 0  # once


def test_a_rolled_back_plan_tells_nobody(oc):
    plan = services.create_top_up_plan(oc.compound, title="续筹", target_pct=50,
                                       local_rule="地方规定")
    db.session.execute(Message.__table__.delete())
    db.session.commit()
    assert notices.top_up_plan_issued(plan, oc.compound) == 6
    db.session.rollback()
    assert _messages() == []
