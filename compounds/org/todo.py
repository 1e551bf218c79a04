"""What the 1+3+X's work puts on each role's to-do list (hook "home.todo", core.todo):

- owner: their own requests answered and waiting for their satisfaction score;
- property manager: requests routed to the company's organisation and not yet answered
  (overdue past the category's time limit), actions assigned to it and not reported back
  (overdue past their due date);
- residents' committee secretary: requests to route, the compound's overdue actions;
- party secretary: joint meetings coming up or whose minutes are not final, actions to
  dispatch (上报) and results to evaluate (反馈);
- street staff: per compound of the street, how many requests and actions are overdue.

Each query is bounded (core.todo.PER_QUERY rows) and the number of queries depends on the
user's grants, never on the number of rows.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from compounds.models import Compound
from compounds.org.models import (
    ACTION_OPEN,
    Action,
    ActionStatus,
    Meeting,
    Organisation,
    OrgKind,
    RequestStatus,
    ResidentRequest,
)
from core import permissions
from core.extensions import db
from core.hooks import TodoItem
from core.inputs import SHANGHAI, local_today
from core.models import Role
from core.todo import PER_QUERY, scopes
from core.types import utcnow

_OPEN = [s.value for s in ACTION_OPEN]


def _excerpt(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _request_item(req: ResidentRequest, title, role: Role, started, now) -> TodoItem:
    # the reply's deadline is the organisation's; an answered request has none left
    waiting_reply = req.replied_at is None
    return TodoItem(title=title, link=url_for("org.request_show", rid=req.id),
                    kind=_l("Resident request"), created_at=started, role=role.value,
                    due=req.due_at if waiting_reply else None, overdue=req.overdue(now),
                    compound=req.compound.name)


def _action_item(action: Action, title, role: Role, today) -> TodoItem:
    return TodoItem(title=title, link=url_for("org.action", aid=action.id),
                    kind=_l("Follow-up action"),
                    created_at=action.dispatched_at or action.reported_at, role=role.value,
                    due=action.due_on, overdue=action.overdue(today),
                    compound=action.compound.name)


def _owner(user) -> list[TodoItem]:
    if user.person_id is None or not scopes(user, Role.owner):
        return []
    rows = db.session.scalars(
        select(ResidentRequest).where(ResidentRequest.person_id == user.person_id,
                                      ResidentRequest.channel == "online",
                                      ResidentRequest.status == RequestStatus.replied.value)
        .order_by(ResidentRequest.replied_at.desc()).limit(PER_QUERY))
    now = utcnow()
    return [_request_item(r, _l("Your request has been answered: read the reply and rate it"),
                          Role.owner, r.replied_at, now) for r in rows]


def _property_manager(user) -> list[TodoItem]:
    compounds = set()
    for company_id in scopes(user, Role.property_manager):
        compounds |= permissions.resolve("served_compounds", company_id)
    if not compounds:
        return []
    ours = select(Organisation.id).where(Organisation.compound_id.in_(compounds),
                                         Organisation.kind == OrgKind.property.value)
    now, today = utcnow(), local_today()
    requests = db.session.scalars(
        select(ResidentRequest).where(ResidentRequest.org_id.in_(ours),
                                      ResidentRequest.status == RequestStatus.routed.value)
        .order_by(ResidentRequest.routed_at.desc()).limit(PER_QUERY))
    items = [_request_item(r, _l("Answer the request: %(text)s",
                                 text=_excerpt(r.text)), Role.property_manager, r.routed_at, now)
             for r in requests]
    actions = db.session.scalars(
        select(Action).where(Action.org_id.in_(ours), Action.status.in_(
            [ActionStatus.dispatched.value, ActionStatus.handling.value]))
        .order_by(Action.dispatched_at.desc()).limit(PER_QUERY))
    items += [_action_item(a, _l("Carry out and report back: %(t)s", t=a.title),
                           Role.property_manager, today) for a in actions]
    return items


def _rc_secretary(user) -> list[TodoItem]:
    ids = scopes(user, Role.rc_secretary)
    if not ids:
        return []
    now, today = utcnow(), local_today()
    requests = db.session.scalars(
        select(ResidentRequest).where(ResidentRequest.compound_id.in_(ids),
                                      ResidentRequest.status == RequestStatus.filed.value)
        .order_by(ResidentRequest.filed_at.desc()).limit(PER_QUERY))
    items = [_request_item(r, _l("Route the request of %(name)s", name=r.filer_name),
                           Role.rc_secretary, r.filed_at, now) for r in requests]
    actions = db.session.scalars(
        select(Action).where(Action.compound_id.in_(ids), Action.status.in_(_OPEN),
                             Action.due_on < today)
        .order_by(Action.due_on.desc()).limit(PER_QUERY))
    items += [_action_item(a, _l("Overdue action: %(t)s (%(org)s)", t=a.title, org=a.org.name),
                           Role.rc_secretary, today) for a in actions]
    return items


def _party_secretary(user) -> list[TodoItem]:
    ids = scopes(user, Role.party_secretary)
    if not ids:
        return []
    now, today = utcnow(), local_today()
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.compound_id.in_(ids),
                              or_(Meeting.held_at >= now, Meeting.minutes_final_at.is_(None)))
        .order_by(Meeting.created_at.desc()).limit(PER_QUERY))
    items = []
    for m in meetings:
        if m.held_at >= now:
            title = _l("Joint meeting on %(when)s: %(t)s", t=m.title,
                       when=m.held_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))
        else:
            title = _l("Finalise the minutes and decisions: %(t)s", t=m.title)
        items.append(TodoItem(title=title, link=url_for("org.meeting", mid=m.id),
                              kind=_l("Joint meeting"), created_at=m.created_at,
                              role=Role.party_secretary.value, compound=m.compound.name))
    actions = db.session.scalars(
        select(Action).where(Action.compound_id.in_(ids), Action.status.in_(
            [ActionStatus.reported.value, ActionStatus.feedback.value]))
        .order_by(Action.reported_at.desc()).limit(PER_QUERY))
    for a in actions:
        if a.status == ActionStatus.reported.value:
            item = _action_item(a, _l("Dispatch the action: %(t)s", t=a.title),
                                Role.party_secretary, today)
        else:  # reported back: the party organisation evaluates it (no longer overdue)
            item = TodoItem(title=_l("Evaluate the result: %(t)s", t=a.title),
                            link=url_for("org.action", aid=a.id), kind=_l("Follow-up action"),
                            created_at=a.feedback_at or a.reported_at,
                            role=Role.party_secretary.value, compound=a.compound.name)
        items.append(item)
    return items


def _street_staff(user) -> list[TodoItem]:
    """One item per compound and kind: "梅岭苑: 3 requests overdue", linking to the list."""
    ids = scopes(user, Role.street_staff)
    if not ids:
        return []
    now, today = utcnow(), local_today()
    in_street = Compound.street_id.in_(ids)
    requests = db.session.execute(
        select(Compound.id, Compound.name, func.count(ResidentRequest.id),
               func.min(ResidentRequest.due_at), func.max(ResidentRequest.filed_at))
        .join(ResidentRequest, ResidentRequest.compound_id == Compound.id)
        .where(in_street, ResidentRequest.replied_at.is_(None),
               ResidentRequest.status != RequestStatus.closed.value,
               ResidentRequest.due_at < now)
        .group_by(Compound.id, Compound.name).order_by(Compound.id).limit(PER_QUERY))
    items = [TodoItem(title=_l("%(c)s: %(n)s resident requests overdue without a reply",
                               c=name, n=n),
                      link=url_for("org.requests_list", cid=cid, status="open"),
                      kind=_l("Resident request"), created_at=latest,
                      role=Role.street_staff.value, due=oldest, overdue=True, compound=name)
             for cid, name, n, oldest, latest in requests]
    actions = db.session.execute(
        select(Compound.id, Compound.name, func.count(Action.id), func.min(Action.due_on),
               func.max(Action.reported_at))
        .join(Action, Action.compound_id == Compound.id)
        .where(in_street, Action.status.in_(_OPEN), Action.due_on < today)
        .group_by(Compound.id, Compound.name).order_by(Compound.id).limit(PER_QUERY))
    items += [TodoItem(title=_l("%(c)s: %(n)s follow-up actions overdue", c=name, n=n),
                       link=url_for("org.actions", cid=cid, overdue="1"),
                       kind=_l("Follow-up action"), created_at=latest,
                       role=Role.street_staff.value, due=oldest, overdue=True, compound=name)
              for cid, name, n, oldest, latest in actions]
    return items


def todo(user) -> list[TodoItem]:
    """"home.todo": the 1+3+X's items for every role the user holds."""
    return [*_owner(user), *_property_manager(user), *_rc_secretary(user),
            *_party_secretary(user), *_street_staff(user)]
