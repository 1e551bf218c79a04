"""What the 1+3+X tell each other (compounds.org.notices): a routed request to the
organisation's people (the property company's managers), the reply to the resident, an
overdue request to the residents' committee secretary once a day; an assigned action to its
organisation, an overdue one to it and the party secretary. In the event's transaction,
once, and never for an event that rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from compounds.org import actions, meetings
from compounds.org import notices as org_notices
from compounds.org import resident_requests as svc
from compounds.org.models import Action, ResidentRequest
from core.extensions import db
from core.messaging.models import Message
from core.models import Role
from core.types import utcnow
from tests.acting import as_user
from tests.compounds.worlds import build_ox, four, serving_company


def _messages(event: str) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.event == event)
                                   .order_by(Message.id)))


def _who(rows) -> set[tuple[int | None, str]]:
    return {(m.user_id, m.channel) for m in rows}


@pytest.fixture
def w(make):
    ox = build_ox(make)
    party, rcom, oc, prop = four(ox)
    company = serving_company(ox["c"], "安居物业", 5)
    pm = make.user("pm", Role.property_manager, company.id)
    pm.email = "pm@anju.example.cn"
    other = serving_company(make.compound("别的小区"), "别家物业", 6)
    make.user("pm_other", Role.property_manager, other.id)  # another company: never told
    db.session.commit()
    with as_user(ox["ps"]):
        meeting = meetings.create_meeting(ox["c"], title="2026年第二季度联席会议",
                                          held_at="2026-05-20T19:00", place="活动室")
    return dict(ox, party=party, rcom=rcom, oc=oc, prop=prop, pm=pm, meeting=meeting)


def _routed(w, org="prop") -> ResidentRequest:
    with as_user(w["owner"]):
        req = svc.file_request(w["units"]["王芳"], category="property_service",
                               text="保洁不到位，垃圾桶满溢")
    with as_user(w["rc"]):
        svc.route_request(req, org_id=w[org].id, note="请物业一日内处理")
    return req


def test_routed_request_tells_the_companys_managers_in_tongxin_and_by_email(w):
    req = _routed(w)
    rows = _messages("request.routed")
    assert _who(rows) == {(w["pm"].id, "in_app"), (w["pm"].id, "email")}
    email = next(m for m in rows if m.channel == "email")
    assert (email.status, email.address) == ("queued", "pm@anju.example.cn")
    assert rows[0].link == f"/requests/{req.id}"
    assert "保洁不到位" in rows[0].body and "安居物业" in rows[0].body


def test_routed_to_the_residents_committee_tells_its_secretary(w):
    _routed(w, "rcom")
    rows = _messages("request.routed")
    # the secretary's account has no e-mail: the e-mail row is skipped, with the reason
    assert {(m.user_id, m.channel, m.status, m.reason) for m in rows} == {
        (w["rc"].id, "in_app", "sent", ""), (w["rc"].id, "email", "skipped", "no_email")}


def test_reply_tells_the_resident_who_filed_it(w):
    req = _routed(w)
    with as_user(w["pm"]):
        svc.reply_request(req, reply="已增加清运频次至每日两次")
    rows = _messages("request.replied")
    assert _who(rows) == {(w["owner"].id, "in_app")}
    assert rows[0].person_id == w["people"]["王芳"].id
    assert "已增加清运频次" in rows[0].body and rows[0].link == f"/requests/{req.id}"


def test_overdue_request_to_the_secretary_once_a_day(w):
    req = _routed(w)
    req.due_at = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    assert org_notices.notify_overdue() == 2  # in-app and e-mail (skipped: no address)
    assert org_notices.notify_overdue() == 0  # the same day again: nothing
    rows = _messages("request.overdue")
    assert {m.user_id for m in rows} == {w["rc"].id}
    assert "超过答复时限" in rows[0].body
    # the next day it is said again
    tomorrow = utcnow() + dt.timedelta(days=1)
    assert org_notices.overdue_requests(tomorrow) == 2
    db.session.commit()


def test_a_rolled_back_routing_tells_nobody(w):
    with as_user(w["owner"]):
        req = svc.file_request(w["units"]["王芳"], category="noise", text="楼上装修太吵")
    with as_user(w["rc"]):
        req.org_id, req.org = w["prop"].id, w["prop"]
        assert org_notices.request_routed(req) == 2
    db.session.rollback()
    assert _messages("request.routed") == []


def _action(w, due="2026-06-03", org="prop") -> Action:
    with as_user(w["ps"]):
        d = meetings.add_decision(w["meeting"], text="完成3号楼屋面渗漏排查",
                                  org_id=w[org].id, due_on=due)
    return d.action


def test_assigned_action_tells_the_assignee_once(w):
    action = _action(w)
    with as_user(w["ps"]):
        actions.dispatch_action(action, note="请物业落实")
    rows = _messages("action.assigned")
    assert _who(rows) == {(w["pm"].id, "in_app"), (w["pm"].id, "email")}
    assert rows[0].link == f"/actions/{action.id}" and "请物业落实" in rows[0].body
    assert org_notices.action_assigned(action) == 0  # the same event again: nothing


def test_overdue_action_to_the_organisation_and_the_party_secretary(w):
    action = _action(w, due="2026-06-03")
    with as_user(w["ps"]):
        actions.dispatch_action(action)
    assert org_notices.overdue_actions(dt.date(2026, 6, 3)) == 0  # due today: not yet late
    assert org_notices.overdue_actions(dt.date(2026, 6, 4)) == 4
    assert org_notices.overdue_actions(dt.date(2026, 6, 4)) == 0
    db.session.commit()
    rows = _messages("action.overdue")
    assert {m.user_id for m in rows} == {w["pm"].id, w["ps"].id}
    assert "已过完成期限" in rows[0].body


def test_flask_messages_overdue_runs_the_checks_once_a_day(w, app):
    req = _routed(w)
    req.due_at = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["messages", "overdue"])
    assert first.exit_code == 0 and "resident requests and actions: 2 messages" in first.output
    second = runner.invoke(args=["messages", "overdue"])
    assert "resident requests and actions: 0 messages" in second.output
    assert len(_messages("request.overdue")) == 2
