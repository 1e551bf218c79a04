"""The owners' satisfaction survey (业主满意度测评): one response per unit and period, online
by an owner or on paper entered by the residents' committee."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.errors import conflict, invalid
from core.extensions import db
from core.inputs import actor_name, local_today, text
from core.permissions import authorize
from property.districts import compound_district
from property.ratings import rules
from property.ratings.labels import SURVEY_ITEMS
from property.ratings.models import SurveyResponse
from property.ratings.periods import check_open, check_started, parse_period


def survey_periods(today: dt.date | None = None) -> list[rules.Period]:
    """Periods owners may answer now: the current quarter and the one before (until published)."""
    current = rules.period_of(today or local_today())
    return [current, rules.previous_period(current)]


def _answers(answers: dict) -> dict[str, int]:
    clean: dict[str, int] = {}
    for key, value in (answers or {}).items():
        if key not in SURVEY_ITEMS:
            raise invalid(_l("Unknown survey item: %(k)s", k=key), "answers")
        if value in (None, ""):
            continue
        if isinstance(value, bool):
            value = None
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if str(value).strip() != str(number) or not 1 <= number <= 5:
            raise invalid(_l("Each answer is a whole number from 1 to 5"), key)
        clean[key] = number
    if not clean:
        raise invalid(_l("Answer at least one item"), "answers")
    return clean


def _answered_already(unit, period_code: str):
    return conflict("duplicate_response",
                    _l("Unit %(u)s has already answered the survey of %(p)s.",
                       u=unit.label, p=period_code))


def submit_survey(unit, period_code: str, answers: dict, *, channel: str = "online",
                  serial: str = "") -> SurveyResponse:
    """One unit's satisfaction answers (1–5 per item) for a period; one response per unit.

    Online: an owner of the unit, for the current or previous quarter. Paper: the residents'
    committee (or district staff) enters the form with its number. A second response for the
    same unit and period is refused (``duplicate_response``, 409), whoever sends it.
    """
    period = parse_period(period_code)
    compound = unit.compound
    if channel == "online":
        authorize("rating.survey", unit)
        if period.code not in {p.code for p in survey_periods()}:
            raise conflict("survey_closed", _l("The survey of %(p)s is not open.", p=period.code),
                           "period")
    elif channel == "paper":
        authorize("rating.evidence", compound)
        check_started(period)
    else:
        raise invalid(_l("Unknown channel"), "channel")
    check_open(compound_district(compound), period.code)
    clean = _answers(answers)
    if db.session.scalar(select(SurveyResponse.id).where(
            SurveyResponse.period == period.code, SurveyResponse.unit_id == unit.id)):
        raise _answered_already(unit, period.code)
    response = SurveyResponse(period=period.code, compound_id=compound.id, unit_id=unit.id,
                              answered=len(clean), total=sum(clean.values()), channel=channel,
                              serial=text(serial, "serial", _l("Form number"), 32,
                                          required=False),
                              entered_by=actor_name(), **clean)
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent response for the same unit: the first stands
        db.session.rollback()
        raise _answered_already(unit, period.code) from None
    audit.record("survey.respond", "unit", unit.id,
                 {"period": period.code, "channel": channel, "answers": clean,
                  "serial": response.serial}, compound_id=compound.id)
    db.session.commit()
    return response


def survey_response(unit_id: int, period_code: str) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(
        SurveyResponse.unit_id == unit_id, SurveyResponse.period == period_code))


@dataclass(frozen=True)
class SurveySummary:
    responses: int
    online: int
    paper: int
    score: Fraction | None
    #: item → mean answer (1–5) as a Fraction, None when nobody answered it
    item_means: dict[str, Fraction | None]


def survey_summary(compound_id: int, period_code: str) -> SurveySummary:
    """A compound's survey of a period: responses by channel, the score, each item's mean."""
    cols = [getattr(SurveyResponse, i) for i in SURVEY_ITEMS]
    row = db.session.execute(
        select(func.count(SurveyResponse.id),
               func.sum(case((SurveyResponse.channel == "online", 1), else_=0)),
               *[func.sum(c) for c in cols], *[func.count(c) for c in cols])
        .where(SurveyResponse.compound_id == compound_id,
               SurveyResponse.period == period_code)).one()
    n = int(row[0] or 0)
    online = int(row[1] or 0)
    k = len(SURVEY_ITEMS)
    means = {item: (Fraction(int(row[2 + i]), int(row[2 + k + i])) if row[2 + k + i] else None)
             for i, item in enumerate(SURVEY_ITEMS)}
    groups = db.session.execute(
        select(SurveyResponse.answered, func.count(), func.sum(SurveyResponse.total))
        .where(SurveyResponse.compound_id == compound_id, SurveyResponse.period == period_code)
        .group_by(SurveyResponse.answered)).all()
    score = rules.satisfaction_from_groups((int(a), int(c), int(t)) for a, c, t in groups)
    return SurveySummary(n, online, n - online, score, means)
