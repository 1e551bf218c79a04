"""What the 1+3+X tell each other (issue 12): a resident request routed to an organisation,
its reply to the resident, an unanswered request past its limit to the residents'
committee secretary; a follow-up action assigned to an organisation, and one past its due
date to the organisation and the party secretary.

Messages are written into the outbox in the caller's transaction (before its commit), to
accounts: an organisation's people are the accounts holding its acting role over the
compound (core.permissions.ACTING_ROLES; the property company's managers for the property
organisation). Staff are told in Tongxin and by e-mail where their account has one. The
overdue checks (`notify_overdue`) run daily (`flask messages overdue`, or the queue's
periodic task): each item is told once a day at most (`round_` is the date).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from compounds.models import Person
from compounds.notices import company_managers, compound_staff, path, people
from compounds.org.models import (
    ACTION_OPEN,
    Action,
    Organisation,
    OrgKind,
    RequestStatus,
    ResidentRequest,
)
from compounds.org.organisations import serving_company
from core.extensions import db
from core.inputs import SHANGHAI, local_today
from core.messaging.models import Channel
from core.messaging.outbox import Recipient, notify
from core.models import Role
from core.permissions import ACTING_ROLES, X_ACTING_ROLES
from core.types import utcnow

EMAIL = (Channel.email,)


def org_people(org: Organisation) -> list[Recipient]:
    """The accounts that act for `org` in its compound: the property company's managers
    for the property organisation, else the compound's holders of the kind's acting role
    (for the X, the party and residents'-committee secretaries who act on its behalf)."""
    if org.kind == OrgKind.property.value:
        company = serving_company(org.compound_id)
        return company_managers([company.id]) if company is not None else []
    roles = ACTING_ROLES.get(org.kind, X_ACTING_ROLES)
    return compound_staff(org.compound_id, roles)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")


def _short(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n - 1] + "…"


# -- resident requests ---------------------------------------------------------------------

def request_routed(req: ResidentRequest) -> int:
    """Routed (again, to another organisation: told again — `round_` is the org). A request
    reopened or escalated after a low satisfaction score (`req.followups` > 0) is told
    again even to the same organisation: each follow-up is its own round."""
    first = req.followups == 0
    body = ((f"居委会将一件居民诉求分派给{req.org.name}：" if first else
             f"居民对答复不满意（第{req.followups}次），诉求重新交{req.org.name}办理：")
            + f"{_short(req.text)}"
            f"（{req.compound.name}{'，' + req.unit.label if req.unit else ''}）。"
            f"请于{_when(req.due_at)}前答复。")
    title = (f"新分派的居民诉求 #{req.id}" if first else f"居民不满意，诉求重新办理 #{req.id}")
    round_ = str(req.org_id) if first else f"{req.org_id}-followup-{req.followups}"
    return notify("request.routed", org_people(req.org), title=title,
                  body=body, link=path("requests", req.id), subject=("request", req.id),
                  compound_id=req.compound_id, channels=EMAIL, round_=round_,
                  data={"request": req.id, "org": req.org.name, "due_at": _when(req.due_at),
                        "followup": req.followup or None})


def request_replied(req: ResidentRequest) -> int:
    """Answered: the owner who filed it (a request the secretary recorded for a resident
    without an account is followed up by the secretary in person: nobody to tell here)."""
    if req.person_id is None:
        return 0
    body = f"{req.org.name}答复了您的诉求“{_short(req.text, 40)}”：{_short(req.reply, 120)}"
    return notify("request.replied", people(Person.id == req.person_id),
                  title=f"您的诉求已答复 #{req.id}", body=body, link=path("requests", req.id),
                  subject=("request", req.id), compound_id=req.compound_id,
                  data={"request": req.id, "org": req.org.name})


def overdue_requests(now: dt.datetime | None = None) -> int:
    """Every request without a reply past its limit: the compound's residents' committee
    secretaries, once a day each. How many messages were written (no commit)."""
    now = now or utcnow()
    day = now.astimezone(SHANGHAI).date().isoformat()
    rows = db.session.scalars(select(ResidentRequest).where(
        ResidentRequest.replied_at.is_(None),
        ResidentRequest.status.in_([RequestStatus.filed.value, RequestStatus.routed.value]),
        ResidentRequest.due_at < now).order_by(ResidentRequest.id)).all()
    secretaries: dict[int, list[Recipient]] = {}
    written = 0
    for req in rows:
        if req.compound_id not in secretaries:
            secretaries[req.compound_id] = compound_staff(req.compound_id, [Role.rc_secretary])
        where = req.org.name if req.org is not None else "尚未分派"
        body = (f"居民诉求 #{req.id}（{where}）已超过答复时限（{_when(req.due_at)}）："
                f"{_short(req.text)}")
        written += notify("request.overdue", secretaries[req.compound_id],
                          title=f"居民诉求超时未答复 #{req.id}", body=body,
                          link=path("requests", req.id), subject=("request", req.id),
                          compound_id=req.compound_id, channels=EMAIL, round_=day,
                          data={"request": req.id, "due_at": _when(req.due_at)})
    return written


# -- follow-up actions of the joint meetings --------------------------------------------------

def action_assigned(action: Action) -> int:
    """Dispatched (分拨) to an organisation: its people (a new assignee is told again)."""
    body = (f"联席会议督办事项“{action.title}”已分拨给{action.org.name}，"
            f"请于{action.due_on:%Y年%m月%d日}前处置并反馈。"
            + (f"说明：{_short(action.dispatch_note, 200)}" if action.dispatch_note else ""))
    return notify("action.assigned", org_people(action.org), title=f"督办事项：{action.title}",
                  body=body, link=path("actions", action.id), subject=("action", action.id),
                  compound_id=action.compound_id, channels=EMAIL, round_=str(action.org_id),
                  data={"action": action.id, "org": action.org.name,
                        "due_on": action.due_on.isoformat()})


def overdue_actions(today: dt.date | None = None) -> int:
    """Every open action past its due date: its organisation's people and the compound's
    party secretary, once a day each. How many messages were written (no commit)."""
    today = today or local_today()
    rows = db.session.scalars(select(Action).where(
        Action.status.in_([s.value for s in ACTION_OPEN]), Action.due_on < today)
        .order_by(Action.id)).all()
    secretaries: dict[int, list[Recipient]] = {}
    acting: dict[int, list[Recipient]] = {}
    written = 0
    for action in rows:
        if action.org_id not in acting:
            acting[action.org_id] = org_people(action.org)
        if action.compound_id not in secretaries:
            secretaries[action.compound_id] = compound_staff(action.compound_id,
                                                             [Role.party_secretary])
        body = (f"督办事项“{action.title}”（{action.org.name}）已过完成期限"
                f"（{action.due_on:%Y年%m月%d日}），尚未反馈。")
        written += notify("action.overdue", [*acting[action.org_id],
                                             *secretaries[action.compound_id]],
                          title=f"督办事项逾期：{action.title}", body=body,
                          link=path("actions", action.id), subject=("action", action.id),
                          compound_id=action.compound_id, channels=EMAIL,
                          round_=today.isoformat(),
                          data={"action": action.id, "due_on": action.due_on.isoformat()})
    return written


def notify_overdue() -> int:
    """The compounds package's daily overdue check (requests and actions); one commit."""
    written = overdue_requests() + overdue_actions()
    db.session.commit()
    return written
