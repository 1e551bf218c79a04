"""Resident requests (居民诉求): filed by an owner for a unit they hold (or recorded by the
secretary for a resident), routed by the residents' committee to one organisation,
answered by it within the category's time limit, closed with the resident's satisfaction.
Valid ones routed to the property company are its complaints (`valid_complaints`).

Who sees a request is written once, as an SQL condition (`visible`): the list uses it, and
the single check asks it of the one row — the two cannot drift. Every status change is
`ResidentRequest.move_to`; each writing function is one audited transaction.
"""

from __future__ import annotations

import datetime as dt

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, case, false, func, or_, select, true

from compounds.models import Compound, District, Holding, Person, RequestFollowup, Unit
from compounds.org import notices
from compounds.org.actions import score_from
from compounds.org.models import (
    REQUEST_LIMIT_HOURS,
    Organisation,
    OrgKind,
    RequestCategory,
    RequestStatus,
    ResidentRequest,
)
from compounds.org.organisations import authorize_act_for, org_in, org_of_kind
from compounds.registry import services as registry
from core import audit, inputs
from core.attachments import services as attachments
from core.errors import conflict, invalid
from core.extensions import db
from core.models import Role
from core.permissions import authorize, deny, is_staff, may, roles_over
from core.types import utcnow

# -- who sees which requests ----------------------------------------------------------------

def visible(compound: Compound):
    """The one visibility rule, as a condition on ResidentRequest for the current user in
    this compound: staff and oversight see every request; the property company those
    routed to it; an owner their own and their units'."""
    if is_staff(compound):
        return true()
    roles = roles_over(compound)
    seen = []
    if Role.property_manager in roles:
        seen.append(ResidentRequest.org_id.in_(
            select(Organisation.id).where(Organisation.kind == OrgKind.property.value)))
    if Role.owner in roles and current_user.person_id is not None:
        seen.append(ResidentRequest.person_id == current_user.person_id)
        seen.append(ResidentRequest.unit_id.in_(
            select(Holding.unit_id).where(Holding.person_id == current_user.person_id)))
    return or_(*seen) if seen else false()


def may_view_request(req: ResidentRequest) -> bool:
    """Whether the current user sees this request: `visible`, asked of its row."""
    if not may("request.view", req):
        return False
    return db.session.scalar(select(ResidentRequest.id).where(
        ResidentRequest.id == req.id, visible(req.compound))) is not None


def fetch_request(request_id: int, action: str) -> ResidentRequest:
    """core.loader's way to load a resident request named in a URL: the user must see it
    (`may_view_request`) and, for anything but reading, may do `action` on it."""
    req = db.session.get(ResidentRequest, request_id)
    if req is None:
        abort(404)
    if not may_view_request(req):
        deny("request.view", req)
    if action not in ("request.view", "signed_in"):
        authorize(action, req)
    return req


def requests_query(compound: Compound, *, status: str | None = None,
                   category: str | None = None) -> Select:
    """The compound's requests this user may see, as one ordered Select (the lists page it
    in SQL): overdue first, the closed last, then newest first (and by id, so that pages
    are stable)."""
    authorize("request.view", compound)
    q = select(ResidentRequest).where(ResidentRequest.compound_id == compound.id,
                                      visible(compound))
    if status == "open":
        q = q.where(ResidentRequest.status != RequestStatus.closed.value)
    elif status:
        q = q.where(ResidentRequest.status == status)
    if category:
        q = q.where(ResidentRequest.category == category)
    return q.order_by(case((ResidentRequest.overdue(utcnow()), 0), else_=1),
                      case((ResidentRequest.status == RequestStatus.closed.value, 1), else_=0),
                      ResidentRequest.filed_at.desc(), ResidentRequest.id.desc())


def list_requests(compound: Compound, *, status: str | None = None,
                  category: str | None = None) -> list[ResidentRequest]:
    """Every request of `requests_query`, in its order."""
    return list(db.session.scalars(requests_query(compound, status=status, category=category)))


def requests_page(compound: Compound, *, page: int = 1, size: int = 50,
                  status: str | None = None, category: str | None = None) -> registry.Page:
    """One page of `requests_query` (clamped to the pages there are), with the total."""
    return registry.page_of(requests_query(compound, status=status, category=category), page, size)


def my_requests_query() -> Select:
    """The signed-in owner's own requests, in every compound, newest first (by id, so that
    pages are stable); none for a user who is no registered person."""
    person_id = current_user.person_id
    return (select(ResidentRequest)
            .where(ResidentRequest.person_id == person_id if person_id else false())
            .order_by(ResidentRequest.filed_at.desc(), ResidentRequest.id.desc()))


def my_requests_page(*, page: int = 1, size: int = 50) -> registry.Page:
    """One page of `my_requests_query`, with the total."""
    return registry.page_of(my_requests_query(), page, size)


# -- filing, routing, answering, closing ----------------------------------------------------

def _new_request(compound: Compound, *, unit, person, name, phone, category, text,
                 channel, files=()) -> ResidentRequest:
    staged = attachments.stage(files)  # the photos judged before anything is written
    cat = inputs.choice(RequestCategory, category, "category", _l("Category"))
    text = inputs.text(text, "text", _l("Your request"), 5000)
    now = utcnow()
    req = ResidentRequest(
        compound_id=compound.id, unit_id=unit.id if unit else None,
        person_id=person.id if person else None, filer_name=name,
        filer_phone=inputs.phone(phone, "phone", _l("Phone for a call back")),
        channel=channel, filed_by=inputs.actor_name(), category=cat.value, text=text,
        status=RequestStatus.filed.value, filed_at=now,
        due_at=now + dt.timedelta(hours=REQUEST_LIMIT_HOURS[cat]))
    req.compound = compound
    db.session.add(req)
    db.session.flush()
    audit.record("request.file", "request", req.id,
                 {"category": cat.value, "unit": unit.label if unit else None,
                  "channel": channel}, compound_id=compound.id)
    attachments.add_staged("requests", req, staged)  # one transaction with the request
    db.session.commit()
    return req


def file_request(unit: Unit, *, category, text, phone="", files=()) -> ResidentRequest:
    """An owner files a request about life in the compound, for a unit they hold (with
    photos: `files`, uploads from the form, saved with it or not at all)."""
    authorize("request.file", unit)
    person = db.session.get(Person, current_user.person_id) if current_user.person_id else None
    if person is None:
        raise invalid(_l("Your account is not linked to an owner"))
    # what the owner typed is checked; else the registry's number, if it is one
    typed = inputs.phone(phone, "phone", _l("Phone for a call back"))
    return _new_request(unit.compound, unit=unit, person=person, name=person.name,
                        phone=typed or inputs.phone_or_none(person.phone) or "",
                        category=category, text=text,
                        channel="online", files=files)


def record_request(compound: Compound, *, name, phone="", unit=None, category,
                   text, files=()) -> ResidentRequest:
    """The secretary records a request received in person or by phone (a tenant, say)."""
    authorize("request.record", compound)
    name = inputs.text(name, "name", _l("Full name"), 64)
    u = registry.unit_in(compound, unit) if unit not in (None, "") else None
    return _new_request(compound, unit=u, person=None, name=name, phone=phone,
                        category=category, text=text, channel="recorded", files=files)


def route_request(req: ResidentRequest, *, org_id, note="", valid=True,
                  invalid_reason="") -> ResidentRequest:
    """The residents' committee secretary routes the request to the responsible
    organisation (again, to another, until it is answered); one found not valid (a
    duplicate, not a service matter) says why and is not counted as a complaint."""
    authorize("request.route", req)
    if req.status == RequestStatus.replied.value:  # only a low score sends it back
        raise req.refused(RequestStatus.routed)
    req.check_move(RequestStatus.routed)
    org = org_in(req.compound_id, org_id,
                 _l("Route the request to one of the compound's organisations"))
    valid = bool(valid)
    reason = inputs.text(invalid_reason, "invalid_reason", _l("Why it is not valid"), 200,
                         required=not valid)
    note = inputs.text(note, "note", _l("Note"), 2000, required=False)
    req.org_id, req.org = org.id, org
    req.move_to(RequestStatus.routed)
    req.routed_by, req.route_note = inputs.actor_name(), note
    req.valid, req.invalid_reason = valid, "" if valid else reason
    audit.record("request.route", "request", req.id,
                 {"org": org.name, "kind": org.kind, "valid": valid, "reason": reason},
                 compound_id=req.compound_id)
    notices.request_routed(req)  # the organisation's people, with the event
    db.session.commit()
    return req


def reply_request(req: ResidentRequest, *, reply) -> ResidentRequest:
    """The responsible organisation answers."""
    if req.org is None:
        raise conflict("invalid_state", _l("The request has not been routed yet"))
    authorize_act_for("request.respond", req.org)
    req.check_move(RequestStatus.replied)
    req.reply = inputs.text(reply, "reply", _l("Reply"), 5000)
    req.move_to(RequestStatus.replied)
    req.replied_by = inputs.actor_name()
    audit.record("request.reply", "request", req.id,
                 {"org": req.org.name, "late": req.replied_at > req.due_at},
                 compound_id=req.compound_id)
    notices.request_replied(req)
    db.session.commit()
    return req


def may_close_request(req: ResidentRequest) -> bool:
    """The filer closes an answered request; a recorded one, the secretary (回访)."""
    if not req.can_move_to(RequestStatus.closed):
        return False
    if req.channel == "recorded":
        return may("request.record", req)
    return (current_user.is_authenticated and req.person_id is not None
            and (current_user.is_admin or current_user.person_id == req.person_id))


def close_request(req: ResidentRequest, *, satisfaction, comment="") -> ResidentRequest:
    """The resident closes the request with a satisfaction score (1–5); for a recorded
    request the secretary enters the resident's score (回访)."""
    req.check_move(RequestStatus.closed)
    if not may_close_request(req):
        deny("request.file", req)
    score = score_from(satisfaction, "satisfaction")
    comment = inputs.text(comment, "comment", _l("Comment"), 2000, required=False)
    req.satisfaction, req.closing_comment = score, comment
    if score <= LOW_SATISFACTION:
        return _follow_up(req, score, comment)
    req.move_to(RequestStatus.closed)
    req.closed_by = inputs.actor_name()
    audit.record("request.close", "request", req.id, {"satisfaction": score},
                 compound_id=req.compound_id)
    db.session.commit()
    return req


#: a closing score at or below this is not the end: the request is reopened or escalated
LOW_SATISFACTION = 2


def _follow_up(req: ResidentRequest, score: int, comment: str) -> ResidentRequest:
    """A resident who is not satisfied (score ≤ 2): as the district prefers
    (`District.request_followup`), the request goes back to the organisation that answered,
    or up to the compound's party organisation (back to the same one if there is none),
    routed again with a new time limit. The answer that did not satisfy stays in the audit
    chain with the score."""
    district = req.compound.street.district
    escalate = district.request_followup == RequestFollowup.escalate.value
    party = org_of_kind(req.compound_id, OrgKind.party) if escalate else None
    target = party or req.org
    kind = "escalated" if party is not None else "reopened"
    previous_org, previous_reply = req.org.name, req.reply
    req.org_id, req.org = target.id, target
    req.move_to(RequestStatus.routed)
    now = utcnow()
    req.due_at = now + dt.timedelta(hours=REQUEST_LIMIT_HOURS[RequestCategory(req.category)])
    req.replied_at, req.replied_by = None, ""
    req.routed_by = inputs.actor_name()
    req.followups += 1
    req.followup = kind
    audit.record("request.escalate" if party is not None else "request.reopen", "request",
                 req.id, {"satisfaction": score, "comment": comment, "org": target.name,
                          "answered_by": previous_org, "reply": previous_reply,
                          "district_rule": district.request_followup},
                 compound_id=req.compound_id)
    notices.request_routed(req)  # told again, even the same organisation: a round of its own
    db.session.commit()
    return req


def set_request_followup(district: District, value) -> District:
    """The district's choice for requests closed with satisfaction ≤ 2 (district staff)."""
    authorize("district.settings", district)
    choice = inputs.choice(RequestFollowup, value, "request_followup",
                           _l("A request closed with satisfaction 2 or less"))
    before = district.request_followup
    district.request_followup = choice.value
    audit.record("district.request_followup", "district", district.id,
                 {"before": before, "after": choice.value})
    db.session.commit()
    return district


# -- complaints about the property company (the ratings' feed) -------------------------------

def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=inputs.SHANGHAI).astimezone(dt.UTC)


def valid_complaints_by_compound(compound_ids, start_date: dt.date,
                                 end_date: dt.date) -> dict[int, int]:
    """Valid complaints about the property company (DOMAIN §5), per compound, in one
    grouped query: requests routed to the compound's property company, not marked
    invalid, filed from `start_date` to `end_date` inclusive (Beijing dates). No
    permission check: the ratings service calls it after checking its own."""
    if end_date < start_date:
        return {}
    rows = db.session.execute(
        select(ResidentRequest.compound_id, func.count(ResidentRequest.id))
        .join(Organisation, Organisation.id == ResidentRequest.org_id)
        .where(ResidentRequest.compound_id.in_(compound_ids),
               Organisation.kind == OrgKind.property.value,
               ResidentRequest.valid.is_(True),
               ResidentRequest.filed_at >= _day_start(start_date),
               ResidentRequest.filed_at < _day_start(end_date + dt.timedelta(days=1)))
        .group_by(ResidentRequest.compound_id))
    return {cid: int(n) for cid, n in rows}


def valid_complaints(compound_id: int, start_date: dt.date, end_date: dt.date) -> int:
    """`valid_complaints_by_compound` for one compound."""
    return valid_complaints_by_compound([compound_id], start_date, end_date).get(
        compound_id, 0)
