"""What the ratings put on the to-do lists (hook "home.todo", core.todo):

- property manager: the company's bad (and veto) records it has not objected to while their
  period is still a draft — an objection upheld then changes the published score (one may
  still object later: the record page says so) —, and the rectification replies due
  (warned or black-listed in a published period, no reply pending or accepted);
- district administrator: the companies' objections whose answer is due within
  TODO_OBJECTION_WORKING_DAYS working days (default 2; the district's holidays and make-up
  days respected) or overdue, and the rectification replies waiting for review.

The number of queries depends on the user's grants, not on the rows (each capped).
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.hooks import TodoItem
from core.inputs import local_today
from core.models import Role
from core.todo import PER_QUERY, scopes
from property.districts import get_district
from property.ratings import calendar, rules
from property.ratings.models import (
    CreditKind,
    CreditObjection,
    CreditRecord,
    CreditStatus,
    ObjectionStatus,
    RatingPeriod,
    RatingResult,
    Rectification,
    RectificationStatus,
)
from property.ratings.periods import period_label
from property.ratings.rectifications import replies_due


def _manager(user) -> list[TodoItem]:
    companies = [c for c in scopes(user, Role.property_manager) if c is not None]
    if not companies:
        return []
    published = select(RatingPeriod.id).where(RatingPeriod.district_id == CreditRecord.district_id,
                                              RatingPeriod.code == CreditRecord.period)
    objected = select(CreditObjection.id).where(CreditObjection.record_id == CreditRecord.id)
    records = db.session.scalars(
        select(CreditRecord).where(
            CreditRecord.company_id.in_(companies),
            CreditRecord.kind.in_([CreditKind.bad.value, CreditKind.veto.value]),
            CreditRecord.status == CreditStatus.active.value,
            ~objected.exists(), ~published.exists())
        .order_by(CreditRecord.created_at.desc()).limit(PER_QUERY))
    items = [TodoItem(title=_l("Bad credit record of %(d)s (%(p)s points): object before "
                               "%(period)s is published", d=r.occurred_on.isoformat(),
                               p=r.points, period=period_label(r.period)),
                      link=url_for("property.objection_new", record_id=r.id),
                      kind=_l("Credit record"), created_at=r.created_at,
                      role=Role.property_manager.value) for r in records]

    # warned or black-listed, no reply answering
    due = db.session.execute(
        replies_due(RatingResult.company_id, RatingResult.listing, RatingPeriod.code,
                    RatingPeriod.published_at)
        .where(RatingResult.company_id.in_(companies))
        .order_by(RatingPeriod.published_at.desc()).limit(PER_QUERY))
    # the list's name outside the message: babel extracts no call nested in another's arguments
    lists = {"black": _l("black list"), "warning": _l("warning list")}
    items += [TodoItem(title=_l("Rectification reply due: %(list)s in %(period)s",
                                list=lists.get(listing, lists["warning"]),
                                period=period_label(code)),
                       link=url_for("property.rectification_new", company_id=company_id),
                       kind=_l("Rectification"), created_at=published_at,
                       role=Role.property_manager.value)
              for company_id, listing, code, published_at in due]
    return items


def _district_admin(user) -> list[TodoItem]:
    districts = [d for d in scopes(user, Role.district_admin) if d is not None]
    if not districts:
        return []
    today = local_today()
    ahead = current_app.config.get("TODO_OBJECTION_WORKING_DAYS", 2)
    items = []
    for district_id in districts:
        # the district's own calendar (holidays, make-up days) sets "within N working days"
        horizon = calendar.calendar_for(get_district(district_id)).add_working_days(
            today, ahead).day
        objections = db.session.scalars(
            select(CreditObjection).join(CreditRecord,
                                         CreditRecord.id == CreditObjection.record_id)
            .where(CreditRecord.district_id == district_id,
                   CreditObjection.status == ObjectionStatus.pending.value,
                   CreditObjection.deadline <= horizon)
            .order_by(CreditObjection.filed_at.desc()).limit(PER_QUERY))
        items += [TodoItem(
            title=_l("Answer the objection of %(c)s", c=o.record.company.name),
            link=url_for("property.objections", district=district_id) + f"#objection-{o.id}",
            kind=_l("Objection"), created_at=o.filed_at, role=Role.district_admin.value,
            due=o.deadline, overdue=rules.is_overdue(o.deadline, today))
            for o in objections]
    rects = db.session.scalars(
        select(Rectification).where(Rectification.district_id.in_(districts),
                                    Rectification.status == RectificationStatus.submitted.value)
        .order_by(Rectification.submitted_at.desc()).limit(PER_QUERY))
    items += [TodoItem(title=_l("Review the rectification reply of %(c)s (%(period)s)",
                                c=r.company.name, period=period_label(r.period)),
                       link=url_for("property.rectifications", district=r.district_id),
                       kind=_l("Rectification"), created_at=r.submitted_at,
                       role=Role.district_admin.value) for r in rects]
    return items


def todo(user) -> list[TodoItem]:
    """"home.todo": the ratings' items for the company's manager and district staff."""
    return [*_manager(user), *_district_admin(user)]
