"""Rating periods ("2026Q3") of a district: their published versions and their state.

An unpublished period has no row (its draft is computed live); publishing stores version 1,
and each correction version n+1 (``RatingPeriod`` holds the state machine). Evidence of a
period may change while it is a draft or, for district staff only, while it is corrected.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import District
from core.errors import DomainError, conflict
from core.extensions import db
from core.inputs import local_today
from core.permissions import Target, may
from property.ratings import rules
from property.ratings.models import PeriodStatus, RatingPeriod


def parse_period(code) -> rules.Period:
    """The period written like 2026Q3, or ``invalid_period`` (422)."""
    try:
        return rules.period_parse(code)
    except ValueError:
        raise DomainError("invalid_period", _l("A rating period is written like 2026Q3."),
                          field="period") from None


def period_label(code: str) -> str:
    """The period as the report and the pages write it: "2026年第三季度"."""
    p = rules.period_parse(code)
    return f"{p.year}年第{'一二三四'[p.quarter - 1]}季度"


def versions(district_id: int, code: str) -> list[RatingPeriod]:
    """Every published version of a district's period, newest first."""
    return list(db.session.scalars(
        select(RatingPeriod).where(RatingPeriod.district_id == district_id,
                                   RatingPeriod.code == code)
        .order_by(RatingPeriod.version.desc())))


def latest_version(district_id: int, code: str) -> RatingPeriod | None:
    return db.session.scalar(
        select(RatingPeriod).where(RatingPeriod.district_id == district_id,
                                   RatingPeriod.code == code)
        .order_by(RatingPeriod.version.desc()).limit(1))


def period_state(district_id: int, code: str) -> str:
    """"draft" (never published), "published" (frozen) or "correcting"."""
    latest = latest_version(district_id, code)
    return "draft" if latest is None else latest.status


def check_open(district_id: int, code: str) -> None:
    """Evidence of a period may change while it is a draft or being corrected, and only
    district staff may change it during a correction (``period_frozen``, 409)."""
    state = period_state(district_id, code)
    if state == PeriodStatus.published:
        raise conflict("period_frozen",
                       _l("Period %(p)s is published and frozen; district staff may open "
                          "a correction.", p=code))
    if state == PeriodStatus.correcting and not may("rating.publish",
                                                    Target(district_id=district_id)):
        raise conflict("period_frozen",
                       _l("Period %(p)s is being corrected by district staff.", p=code))


def check_started(period: rules.Period) -> None:
    """Evidence is entered for a period that has begun (``period_not_started``, 422)."""
    if period.start > local_today():
        raise DomainError("period_not_started",
                          _l("Period %(p)s has not started yet.", p=period.code),
                          field="period")


def published_codes(district_id: int) -> list[str]:
    """Codes of the district's published periods, newest period first."""
    return list(db.session.scalars(
        select(RatingPeriod.code).where(RatingPeriod.district_id == district_id).distinct()
        .order_by(RatingPeriod.code.desc())))


def districts_with_published() -> list[District]:
    return list(db.session.scalars(
        select(District).where(District.id.in_(select(RatingPeriod.district_id)))
        .order_by(District.name)))
