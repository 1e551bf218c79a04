"""Publishing a district's period: the draft, the published versions, corrections, and what
the public, the API and a company's page read of them.

Unpublished periods are computed live (the draft). Publishing stores version 1 with the scheme
it used, frozen: evidence of that period is then refused until district staff open a
correction (with a reason); the correction publishes version n+1 with the same frozen
scheme. Every version stays visible to district staff; everybody else sees the newest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import District
from core import audit
from core.errors import DomainError, invalid
from core.extensions import db
from core.inputs import actor_name, local_today, text
from core.permissions import Target, authorize, may
from core.types import utcnow
from property.companies.models import Company
from property.companies.services import company_targets
from property.districts import get_district
from property.ratings import notices, rules
from property.ratings.models import PeriodStatus, RatingPeriod, RatingResult
from property.ratings.periods import latest_version, parse_period, period_state, versions
from property.ratings.scoring import (
    Computation,
    Outcome,
    compute,
    frac_str,
    outcome_order,
)
from property.ratings.settings import settings_for


def _outcomes_of(row: RatingPeriod) -> list[Outcome]:
    results = db.session.scalars(select(RatingResult).where(RatingResult.period_id == row.id))
    return sorted((Outcome.of_result(r) for r in results), key=outcome_order)


def _from_version(row: RatingPeriod) -> Computation:
    s = row.summary or {}
    prev = rules.previous_period(row.code).code
    return Computation(row.district, row.code, rules.Scheme.from_dict(row.scheme),
                       _outcomes_of(row), prev, True, s.get("compounds_total", 0),
                       s.get("compounds", 0), s.get("households", 0), s.get("responses", 0),
                       s.get("inspections", 0), status=row.status, version=row.version,
                       period_row=row)


def draft_scheme(district: District, code: str) -> rules.Scheme:
    """The scheme a draft is scored with: a correction keeps the frozen scheme of the version
    it corrects; otherwise the district's settings."""
    latest = latest_version(district.id, code)
    if latest is not None:
        return rules.Scheme.from_dict(latest.scheme)
    return settings_for(district).scheme


def draft(district: District, code: str) -> Computation:
    """The live computation of a period (district staff): what publishing would freeze."""
    authorize("rating.evidence", Target(district_id=district.id))
    period = parse_period(code)
    result = compute(district, period.code, draft_scheme(district, period.code))
    result.status = "draft"
    result.versions = versions(district.id, period.code)
    return result


def published(district: District, code: str, version: int | None = None) -> Computation | None:
    """A published version (the newest by default) — public. Older versions only for district
    staff (``rating.evidence`` in the district)."""
    period = parse_period(code)
    q = select(RatingPeriod).where(RatingPeriod.district_id == district.id,
                                   RatingPeriod.code == period.code)
    if version is not None:
        newest = latest_version(district.id, period.code)
        if newest is None or version != newest.version:
            authorize("rating.evidence", Target(district_id=district.id))
        q = q.where(RatingPeriod.version == version)
    row = db.session.scalar(q.order_by(RatingPeriod.version.desc()).limit(1))
    if row is None:
        return None
    result = _from_version(row)
    if may("rating.evidence", Target(district_id=district.id)):
        result.versions = versions(district.id, period.code)
    return result


def publish(district: District, code: str, reason: str = "") -> RatingPeriod:
    """Publish the period (version 1) or a correction of it (version n+1, reason required).

    Freezes the result with the scheme used; the previous version is kept as superseded.
    Refused while a published version is not opened for correction (``already_published``)
    and before the period has ended (``period_not_ended``), 409 each.
    """
    authorize("rating.publish", district)
    period = parse_period(code)
    if period.end >= local_today():
        raise DomainError("period_not_ended",
                          _l("Period %(p)s has not ended yet.", p=period.code), status=409)
    latest = latest_version(district.id, period.code)
    reason = text(reason, "reason", _l("Reason"), 2000, required=False)
    if latest is not None:
        latest.move_to(PeriodStatus.superseded)  # only a correction gives way
        reason = reason or latest.correction_reason
        if not reason:
            raise invalid(_l("A correction needs a reason"), "reason")
    row = store_version(district, period.code, reason=reason,
                        scheme=rules.Scheme.from_dict(latest.scheme) if latest else None,
                        version=latest.version + 1 if latest else 1)
    audit.record("rating.publish", "rating_period", row.id,
                 {"district_id": district.id, "period": row.code, "version": row.version,
                  "reason": reason, "scheme": row.scheme, **row.summary,
                  "lists": {o.company_id: o.listing for o in _outcomes_of(row) if o.listing}})
    notices.period_published(row)  # each company its own result, in this transaction
    db.session.commit()
    return row


def store_version(district: District, code: str, *, reason: str = "",
                  scheme: rules.Scheme | None = None, version: int = 1,
                  by: str | None = None) -> RatingPeriod:
    """Compute the period and store it as published `version` — no permission check, no
    audit, no commit: ``publish`` does those; the demo and the benchmark call this directly."""
    result = compute(district, code, scheme)
    row = RatingPeriod(district_id=district.id, code=code, version=version,
                       status=PeriodStatus.published.value, scheme=result.scheme.to_dict(),
                       published_at=utcnow(), published_by=by or actor_name(), reason=reason,
                       summary=result.summary)
    db.session.add(row)
    db.session.flush()
    db.session.add_all([
        RatingResult(period_id=row.id, company_id=o.company_id, company_name=o.name,
                     uscc=o.uscc, score=frac_str(o.score), score_c=o.score_c,
                     listing=o.listing, households=o.households, compounds=o.compounds,
                     detail=o.detail)
        for o in result.outcomes])
    db.session.flush()
    return row


def _move_newest(district: District, code: str, status: PeriodStatus) -> RatingPeriod:
    """The newest version of the district's period, moved into `status` — refused (409) as
    RatingPeriod says, also when the period was never published."""
    authorize("rating.publish", district)
    period = parse_period(code)
    latest = latest_version(district.id, period.code)
    if latest is None:
        raise RatingPeriod.refusal(status, period.code)
    latest.move_to(status)
    return latest


def open_correction(district: District, code: str, reason) -> RatingPeriod:
    """Open a published period for correction (its evidence becomes editable by district
    staff); the public keeps seeing the published version until the correction is published.
    ``not_published`` (409) unless the newest version is published."""
    latest = _move_newest(district, code, PeriodStatus.correcting)
    latest.correction_reason = text(reason, "reason", _l("Reason"), 2000)
    audit.record("rating.correction", "rating_period", latest.id,
                 {"district_id": district.id, "period": latest.code, "version": latest.version,
                  "reason": latest.correction_reason})
    db.session.commit()
    return latest


def cancel_correction(district: District, code: str) -> RatingPeriod:
    """Close a correction without re-publishing: the period is frozen again.
    ``not_correcting`` (409) when no correction is open."""
    latest = _move_newest(district, code, PeriodStatus.published)
    audit.record("rating.correction_cancel", "rating_period", latest.id,
                 {"period": latest.code, "version": latest.version})
    db.session.commit()
    return latest


# -- what the API, the company page and the report read ---------------------------------------

def ratings_json(district: District, code: str) -> dict:
    """API.md: ``{"period", "status", "companies": [{"id", "name", "score", "list"}]}``.

    The newest published version; an unpublished period is computed live for district staff
    of the district and is empty for everybody else.
    """
    period = parse_period(code)
    result = published(district, period.code)
    status = "published"
    if result is None:
        status = "draft"
        if may("rating.evidence", Target(district_id=district.id)):
            result = compute(district, period.code, draft_scheme(district, period.code))
    companies = [] if result is None else [
        {"id": o.company_id, "name": o.name,
         "score": None if o.score is None else rules.score_str(o.score), "list": o.listing}
        for o in result.outcomes]
    return {"period": period.code, "status": status, "companies": companies}


@dataclass
class HistoryRow:
    district: District
    code: str
    version: int
    status: str
    outcome: Outcome


def company_history(company: Company, limit: int = 12) -> list[HistoryRow]:
    """The company's results in the newest version of each published period, newest first."""
    rows = db.session.execute(
        select(RatingPeriod, RatingResult)
        .join(RatingResult, RatingResult.period_id == RatingPeriod.id)
        .where(RatingResult.company_id == company.id,
               RatingPeriod.status != PeriodStatus.superseded.value)
        .order_by(RatingPeriod.code.desc(), RatingPeriod.district_id).limit(limit)).all()
    return [HistoryRow(p.district, p.code, p.version, p.status, Outcome.of_result(r))
            for p, r in rows]


def company_drafts(company: Company) -> list[tuple[District, str, Outcome]]:
    """For district staff: the company's draft results of unpublished recent periods in the
    districts where they may see evidence."""
    out = []
    current = rules.period_of(local_today())
    codes = [rules.previous_period(current).code, current.code]
    districts = {t.district_id for t in company_targets(company) if t.district_id}
    for did in sorted(districts):
        if not may("rating.evidence", Target(district_id=did)):
            continue
        district = get_district(did)
        for code in codes:
            if period_state(did, code) == "draft":
                result = compute(district, code, only_company=company.id)
                out += [(district, code, o) for o in result.outcomes
                        if o.score is not None or o.detail["credit"]]
    return out


def trend(district_id: int, company_ids, codes: list[str]) -> dict[int, dict[str, Fraction]]:
    """Published scores (newest version) of companies over periods: {company: {code: score}}."""
    rows = db.session.execute(
        select(RatingResult.company_id, RatingPeriod.code, RatingResult.score)
        .join(RatingPeriod, RatingPeriod.id == RatingResult.period_id)
        .where(RatingPeriod.district_id == district_id, RatingPeriod.code.in_(codes),
               RatingPeriod.status != PeriodStatus.superseded.value,
               RatingResult.score.is_not(None))).all()
    out: dict[int, dict[str, Fraction]] = defaultdict(dict)
    wanted = set(company_ids)
    for company_id, code, score in rows:
        if company_id in wanted:
            out[company_id][code] = Fraction(score)
    return out
