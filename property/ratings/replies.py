"""Which rectification replies are due: one definition for the company's page, its to-do
list and the overdue reminders (a module of its own: the replies' service imports the
reminders, so the reminders cannot import it)."""

from __future__ import annotations

from sqlalchemy import select

from property.ratings.models import (
    CALLING_LISTS,
    PeriodStatus,
    RatingPeriod,
    RatingResult,
    Rectification,
    RectificationStatus,
)

#: a reply in these states answers the call (no further reply is due)
ANSWERING = (RectificationStatus.submitted.value, RectificationStatus.accepted.value)


def replies_due(*columns):
    """SELECT `columns` over the results that call for a rectification reply still due: a
    company warned or black-listed in the newest version of a published period, with no
    reply pending or accepted. The one definition behind the company's page, its to-do list
    and the overdue reminders."""
    answered = select(Rectification.id).where(
        Rectification.company_id == RatingResult.company_id,
        Rectification.district_id == RatingPeriod.district_id,
        Rectification.period == RatingPeriod.code, Rectification.status.in_(ANSWERING))
    return (select(*columns).select_from(RatingPeriod)
            .join(RatingResult, RatingResult.period_id == RatingPeriod.id)
            .where(RatingPeriod.status != PeriodStatus.superseded.value,
                   RatingResult.listing.in_(CALLING_LISTS), ~answered.exists()))
