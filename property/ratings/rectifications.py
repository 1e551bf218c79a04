"""Rectification (整改): a company warned or black-listed in a published period replies with
what it found and did; district staff accept the reply or return it for another."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import District
from core import audit
from core.attachments import services as attachments
from core.errors import conflict
from core.extensions import db
from core.inputs import actor_name, text
from core.permissions import Target, authorize
from core.types import utcnow
from property.companies.models import Company
from property.districts import get_district
from property.ratings import notices
from property.ratings.models import (
    CALLING_LISTS,
    RatingPeriod,
    RatingResult,
    Rectification,
    RectificationStatus,
)
from property.ratings.periods import latest_version, parse_period
from property.ratings.replies import replies_due


def listing_of(company_id: int, district_id: int, code: str) -> str | None:
    """The company's list in the newest published version of the period (None: not listed)."""
    latest = latest_version(district_id, code)
    if latest is None:
        return None
    return db.session.scalar(select(RatingResult.listing).where(
        RatingResult.period_id == latest.id, RatingResult.company_id == company_id))


def _replies(company_id: int, district_id: int, code: str):
    return select(Rectification.status).where(
        Rectification.company_id == company_id, Rectification.district_id == district_id,
        Rectification.period == code)


def rectification_due(company: Company) -> list[tuple[District, str, str]]:
    """(district, period, list) where the company owes a rectification reply."""
    rows = db.session.execute(
        replies_due(RatingPeriod.district_id, RatingPeriod.code, RatingResult.listing)
        .where(RatingResult.company_id == company.id)
        .order_by(RatingPeriod.code.desc())).all()
    return [(get_district(district_id), code, listing) for district_id, code, listing in rows]


def submit_rectification(company: Company, district: District, period_code: str,
                         reply, files=()) -> Rectification:
    """A warned or black-listed company's rectification reply for a published period.

    409: ``not_listed``, ``rectification_pending`` (a reply waits for review),
    ``rectification_accepted``. The photos and documents of the work (`files`) come with it.
    """
    authorize("rating.respond", company)
    staged = attachments.stage(files)
    period = parse_period(period_code)
    listing = listing_of(company.id, district.id, period.code)
    if listing not in CALLING_LISTS:
        raise conflict("not_listed", _l("The company is not warned or black-listed in %(p)s.",
                                        p=period.code))
    states = set(db.session.scalars(_replies(company.id, district.id, period.code)))
    if RectificationStatus.submitted.value in states:
        raise conflict("rectification_pending", _l("A reply is waiting for review."))
    if RectificationStatus.accepted.value in states:
        raise conflict("rectification_accepted", _l("The rectification has been accepted."))
    rect = Rectification(company_id=company.id, district_id=district.id, period=period.code,
                         listing=listing, reply=text(reply, "reply", _l("Reply"), 8000),
                         submitted_by=actor_name())
    db.session.add(rect)
    db.session.flush()
    audit.record("rectification.submit", "rectification", rect.id,
                 {"company_id": company.id, "district_id": district.id,
                  "period": period.code, "listing": listing})
    attachments.add_staged("rectifications", rect, staged)
    notices.rectification_submitted(rect)
    db.session.commit()
    return rect


def review_rectification(rect: Rectification, *, accept: bool, note="") -> Rectification:
    """District staff accept the reply or return it (with a note) for another one.
    ``already_reviewed`` (409) for a reply reviewed before."""
    authorize("rating.publish", Target(district_id=rect.district_id))
    remark = text(note, "note", _l("Note"), 4000, required=not accept)
    rect.move_to(RectificationStatus.accepted if accept else RectificationStatus.returned)
    rect.review_note = remark
    rect.reviewed_by, rect.reviewed_at = actor_name(), utcnow()
    audit.record("rectification.review", "rectification", rect.id,
                 {"status": rect.status, "note": remark})
    if not accept:
        notices.rectification_returned(rect)
    db.session.commit()
    return rect


def rectifications_of_district(district_id: int) -> list[Rectification]:
    return list(db.session.scalars(
        select(Rectification).where(Rectification.district_id == district_id)
        .order_by(Rectification.status != RectificationStatus.submitted.value,
                  Rectification.submitted_at.desc())))


def rectifications_of_company(company_id: int) -> list[Rectification]:
    return list(db.session.scalars(
        select(Rectification).where(Rectification.company_id == company_id)
        .order_by(Rectification.submitted_at.desc())))
