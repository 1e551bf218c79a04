"""A request closed with satisfaction 2 or less is not the end: the district says whether it
reopens with the organisation that answered (the default) or goes up to the compound's
party organisation; either way routed again with a new time limit, and audited."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import Forbidden

from compounds.org import resident_requests as svc
from core.errors import DomainError
from core.models import AuditEntry, Role
from tests.acting import as_user
from tests.compounds.org.test_requests import _file, rq  # noqa: F401  (the fixture)
from tests.compounds.worlds import build_ox


@pytest.fixture
def ox(make):
    return build_ox(make)


def _answered(rq):  # noqa: F811
    req = _file(rq, category="repairs", text="楼道灯坏了三天")
    with as_user(rq["rc"]):
        svc.route_request(req, org_id=rq["prop"].id)
    with as_user(rq["pm"]):
        svc.reply_request(req, reply="已报修")
    return req


def _last_actions(n=1):
    from core.extensions import db
    return [e.action for e in db.session.scalars(
        db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(n))]


@pytest.mark.parametrize(("setting", "score", "status", "org_kind", "followup", "action"), [
    (None, 1, "routed", "property", "reopened", "request.reopen"),  # default: reopen
    ("reopen", 2, "routed", "property", "reopened", "request.reopen"),
    ("escalate", 2, "routed", "party", "escalated", "request.escalate"),
    ("escalate", 1, "routed", "party", "escalated", "request.escalate"),
    ("escalate", 3, "closed", "property", "", "request.close"),
    ("reopen", 5, "closed", "property", "", "request.close"),
])
def test_low_score_reopens_or_escalates_as_the_district_prefers(
        rq, make, setting, score, status, org_kind, followup, action):  # noqa: F811
    district = rq["c"].street.district
    if setting:
        staff = make.user("dist", Role.district_admin, district.id)
        with as_user(staff):
            svc.set_request_followup(district, setting)
    req = _answered(rq)
    first_due = req.due_at
    with as_user(rq["owner"]):
        svc.close_request(req, satisfaction=score, comment="灯还是不亮")
    assert req.status == status and req.org.kind == org_kind and req.followup == followup
    assert _last_actions() == [action]
    if status == "routed":
        assert req.followups == 1 and req.replied_at is None and req.due_at > first_due
        # answered again and closed for good
        who = rq["ps"] if org_kind == "party" else rq["pm"]
        with as_user(who):
            svc.reply_request(req, reply="已更换灯具并复查")
        with as_user(rq["owner"]):
            svc.close_request(req, satisfaction=5)
        assert req.status == "closed" and req.satisfaction == 5


def test_the_setting_is_district_staffs_audited_and_checked(rq, make):  # noqa: F811
    district = rq["c"].street.district
    with as_user(rq["rc"]), pytest.raises(Forbidden):
        svc.set_request_followup(district, "escalate")
    staff = make.user("dist", Role.district_admin, district.id)
    with as_user(staff):
        with pytest.raises(DomainError) as err:
            svc.set_request_followup(district, "ignore")
        assert err.value.field == "request_followup"
        svc.set_request_followup(district, "escalate")
    assert district.request_followup == "escalate"
    assert _last_actions() == ["district.request_followup"]


def test_an_answered_request_is_not_routed_by_hand(rq):  # noqa: F811
    req = _answered(rq)
    with as_user(rq["rc"]), pytest.raises(DomainError) as err:
        svc.route_request(req, org_id=rq["party"].id)
    assert err.value.status == 409


def _routed_messages(req):
    from core.extensions import db
    from core.messaging.models import Message
    return db.session.scalars(db.select(Message).where(
        Message.event == "request.routed", Message.subject_id == req.id)
        .order_by(Message.id)).all()


@pytest.mark.parametrize("setting", ["reopen", "escalate"])
def test_each_follow_up_tells_the_organisation_again(rq, make, setting):  # noqa: F811
    """A reopened request goes back to the same organisation: its people are told again —
    each follow-up its own event, not dropped as a duplicate of the first routing."""
    district = rq["c"].street.district
    with as_user(make.user("dist", Role.district_admin, district.id)):
        svc.set_request_followup(district, setting)
    req = _answered(rq)
    first = len(_routed_messages(req))
    assert first > 0
    for n in (1, 2):
        with as_user(rq["owner"]):
            svc.close_request(req, satisfaction=1, comment="还是没修好")
        rows = _routed_messages(req)[first:]
        assert rows, f"follow-up {n} told nobody"
        assert all(m.key.endswith(f":{req.org_id}-followup-{n}") for m in rows)
        assert all("不满意" in m.title for m in rows)
        first += len(rows)
        who = rq["ps"] if setting == "escalate" else rq["pm"]
        with as_user(who):
            svc.reply_request(req, reply=f"第{n}次处理")
