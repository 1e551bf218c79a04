"""Scoring a district's period from its evidence: what publishing would freeze.

``compute`` reads the evidence in a handful of aggregate queries and leaves the arithmetic to
property.ratings.rules. Decisions (DOMAIN.md §5):
- A compound's evidence of a period counts for the company whose contract covered most of
  the period (rules.attribute_compound). Households = the compound's number of units.
- A missing survey or inspection is missing evidence (the compound score re-weights over the
  rest, and says so). No complaint count entered means the count of valid resident requests
  about the company (zero if none) when the compound has a survey or an inspection; a
  compound with no evidence at all has no score (complaints alone would otherwise hand it a
  free 100).
- The fall-by-10 warning compares with the previous period's newest *published* score.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import func, select

from compounds import org_services
from compounds.models import Compound, District, Street, Unit
from core.extensions import db
from property.companies.models import Company, ServiceContract
from property.ratings import rules
from property.ratings.models import (
    ComplaintCount,
    CreditRecord,
    CreditStatus,
    Inspection,
    PeriodStatus,
    RatingPeriod,
    RatingResult,
    SurveyResponse,
)
from property.ratings.settings import settings_for


def frac_str(value: Fraction | None) -> str | None:
    """Exact storage form of a score: "num/den" (JSON, never a float)."""
    return None if value is None else f"{value.numerator}/{value.denominator}"


def frac(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def floor_c(value: Fraction | None) -> int | None:
    """A score in hundredths, rounded down (as shown)."""
    return None if value is None else math.floor(value * 100)


@dataclass
class Outcome:
    """A company's result for a period: the same shape whether computed live (draft) or read
    from a published version. ``detail`` holds exact numbers as "num/den" strings."""

    company_id: int
    name: str
    uscc: str
    score: Fraction | None
    listing: str | None
    households: int
    compounds: int
    detail: dict

    @classmethod
    def of_result(cls, r: RatingResult) -> Outcome:
        """The outcome as a published version froze it."""
        return cls(r.company_id, r.company_name, r.uscc, r.score_fraction, r.listing,
                   r.households, r.compounds, r.detail or {})

    @property
    def score_shown(self) -> str:
        return rules.score_str(self.score)

    @property
    def score_c(self) -> int | None:
        return floor_c(self.score)


@dataclass
class Computation:
    """A district's period, scored: outcomes best first, and what went into them."""

    district: District
    code: str
    scheme: rules.Scheme
    outcomes: list[Outcome]
    previous_code: str
    previous_published: bool
    compounds_total: int
    compounds_rated: int
    households: int
    responses: int
    inspections: int
    status: str = "draft"
    version: int | None = None
    period_row: RatingPeriod | None = None
    versions: list[RatingPeriod] = field(default_factory=list)

    def listed(self, listing: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.listing == listing]

    @property
    def summary(self) -> dict:
        return {"companies": len(self.outcomes), "compounds": self.compounds_rated,
                "compounds_total": self.compounds_total, "households": self.households,
                "responses": self.responses, "inspections": self.inspections,
                "red": len(self.listed("red")), "black": len(self.listed("black")),
                "warning": len(self.listed("warning"))}


def outcome_order(o: Outcome):
    """Best score first; no score last; then by name."""
    return (o.score is None, -(o.score or 0), o.name, o.company_id)


def compute(district: District, code: str, scheme: rules.Scheme | None = None, *,
            only_company: int | None = None) -> Computation:
    """Score every company serving the district's compounds in the period, from the evidence.

    A handful of aggregate queries (compounds, households, contracts, survey sums per compound
    and items answered, inspections, complaints, credit records, the previous period's
    published scores, company names), then property.ratings.rules in Python. No permission check:
    callers check theirs. ``only_company``: only that company's result (its company page),
    from the compounds it had a contract with in the period.
    """
    period = rules.period_parse(code)
    scheme = scheme or settings_for(district).scheme
    in_district = (select(Compound.id).join(Street, Street.id == Compound.street_id)
                   .where(Street.district_id == district.id))
    if only_company is not None:
        in_district = in_district.where(Compound.id.in_(
            select(ServiceContract.compound_id).where(
                ServiceContract.company_id == only_company,
                *ServiceContract.during(period.start, period.end))))
    compounds = {cid: name for cid, name in db.session.execute(
        select(Compound.id, Compound.name).where(Compound.id.in_(in_district)))}
    households = {cid: int(n) for cid, n in db.session.execute(
        select(Unit.compound_id, func.count(Unit.id)).where(Unit.compound_id.in_(in_district))
        .group_by(Unit.compound_id))}
    contracts: dict[int, list] = defaultdict(list)
    for cid, company_id, start, end in db.session.execute(
            select(ServiceContract.compound_id, ServiceContract.company_id,
                   ServiceContract.starts_on, ServiceContract.ends_on)
            .where(ServiceContract.compound_id.in_(in_district),
                   *ServiceContract.during(period.start, period.end))):
        contracts[cid].append((company_id, start, end))
    groups: dict[int, list] = defaultdict(list)
    for cid, answered, count, total in db.session.execute(
            select(SurveyResponse.compound_id, SurveyResponse.answered, func.count(),
                   func.sum(SurveyResponse.total))
            .where(SurveyResponse.period == period.code,
                   SurveyResponse.compound_id.in_(in_district))
            .group_by(SurveyResponse.compound_id, SurveyResponse.answered)):
        groups[cid].append(rules.SurveyGroup(int(answered), int(count), int(total)))
    inspections = dict(db.session.execute(
        select(Inspection.compound_id, Inspection.deducted_c)
        .where(Inspection.period == period.code, Inspection.compound_id.in_(in_district))).all())
    # valid resident requests about the company are the complaints (DOMAIN §1, §5); a count
    # entered by hand (e.g. paper complaints before the request desk existed) overrides them
    complaints = org_services.valid_complaints_by_compound(in_district, period.start, period.end)
    complaints.update(db.session.execute(
        select(ComplaintCount.compound_id, ComplaintCount.valid)
        .where(ComplaintCount.period == period.code,
               ComplaintCount.compound_id.in_(in_district))).all())
    credits: dict[int, list] = defaultdict(list)
    for rec in db.session.execute(
            select(CreditRecord.id, CreditRecord.company_id, CreditRecord.kind,
                   CreditRecord.points, CreditRecord.occurred_on, CreditRecord.evidence,
                   CreditRecord.veto_reason, CreditRecord.compound_id)
            .where(CreditRecord.district_id == district.id, CreditRecord.period == period.code,
                   CreditRecord.status == CreditStatus.active.value)
            .order_by(CreditRecord.occurred_on, CreditRecord.id)):
        if only_company is None or rec.company_id == only_company:
            credits[rec.company_id].append(rec)
    previous = rules.previous_period(period).code
    prev_rows = db.session.execute(
        select(RatingResult.company_id, RatingResult.score)
        .join(RatingPeriod, RatingPeriod.id == RatingResult.period_id)
        .where(RatingPeriod.district_id == district.id, RatingPeriod.code == previous,
               RatingPeriod.status != PeriodStatus.superseded.value)).all()
    prev_scores = {cid: frac(s) for cid, s in prev_rows}
    prev_published = bool(db.session.scalar(select(RatingPeriod.id).where(
        RatingPeriod.district_id == district.id, RatingPeriod.code == previous).limit(1)))

    by_company: dict[int, list[dict]] = defaultdict(list)
    totals = {"households": 0, "responses": 0, "inspections": 0}
    for cid, name in compounds.items():
        company_id = rules.attribute_compound(contracts.get(cid, ()), period)
        if company_id is None:
            continue
        homes = households.get(cid, 0)
        sat = rules.satisfaction_from_groups(groups.get(cid, ()))
        insp = (None if cid not in inspections
                else max(Fraction(0), 100 - Fraction(inspections[cid], 100)))
        valid = complaints.get(cid, 0)
        comp = None
        if cid in complaints or sat is not None or insp is not None:
            comp = rules.complaint_score(valid, homes, scheme)
        cs = rules.compound_score(sat, insp, comp, scheme)
        responses = sum(g.count for g in groups.get(cid, ()))
        totals["households"] += homes
        totals["responses"] += responses
        totals["inspections"] += cid in inspections
        by_company[company_id].append((cs.score, {
            "id": cid, "name": name, "households": homes, "responses": responses,
            "satisfaction": frac_str(sat), "inspection": frac_str(insp),
            "complaints": valid, "complaints_entered": cid in complaints,
            "complaint_score": frac_str(comp), "score": frac_str(cs.score),
            "reweighted": cs.reweighted, "explanation": cs.explanation_zh}))
    company_ids = set(by_company) | set(credits)
    if only_company is not None:
        company_ids &= {only_company}
    names = {}
    if company_ids:
        names = {r.id: (r.name, r.uscc) for r in db.session.execute(
            select(Company.id, Company.name, Company.uscc).where(Company.id.in_(company_ids)))}
    outcomes = []
    for company_id in company_ids:
        scored = sorted(by_company.get(company_id, []), key=lambda x: x[1]["name"])
        lines = [line for _score, line in scored]
        records, clamped = [], False
        credit_json = []
        for rec in credits.get(company_id, []):
            points = rec.points
            limit = scheme.good_credit_max if points > 0 else scheme.bad_credit_max
            if abs(points) > limit:  # entered under an older, looser scheme
                points, clamped = (limit if points > 0 else -limit), True
            records.append(rules.CreditRecord(points, veto=rec.kind == "veto"))
            credit_json.append({"id": rec.id, "kind": rec.kind, "points": rec.points,
                                "counted": points, "occurred_on": rec.occurred_on.isoformat(),
                                "evidence": rec.evidence, "veto_reason": rec.veto_reason,
                                "compound_id": rec.compound_id})
        cs = rules.company_score([(score, line["households"]) for score, line in scored],
                                 records, scheme)
        prev = prev_scores.get(company_id)
        cl = rules.classify(cs.score, cs.has_bad_record, cs.has_veto, prev, scheme)
        name, uscc = names[company_id]
        detail = {
            "base": frac_str(cs.base), "households": cs.households,
            "good_points": cs.good_points, "good_points_uncapped": cs.good_points_uncapped,
            "bad_points": cs.bad_points, "unclamped": frac_str(cs.unclamped),
            "has_bad_record": cs.has_bad_record, "has_veto": cs.has_veto,
            "explanation": cs.explanation_zh + ("（个别记录分值超出现行方案上限，按上限计）"
                                                if clamped else ""),
            "reasons": [{"code": r.code, "text": r.text_zh} for r in cl.reasons],
            "met": sorted(x.value for x in cl.met),
            "previous": frac_str(prev), "previous_code": previous,
            "compounds": lines, "credit": credit_json,
        }
        outcomes.append(Outcome(company_id, name, uscc, cs.score,
                                cl.listing.value if cl.listing else None, cs.households,
                                len(lines), detail))
    outcomes.sort(key=outcome_order)
    rated = sum(len(v) for v in by_company.values())
    return Computation(district, period.code, scheme, outcomes, previous, prev_published,
                       len(compounds), rated, totals["households"], totals["responses"],
                       totals["inspections"])
