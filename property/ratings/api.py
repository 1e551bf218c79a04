"""Ratings of the JSON API (API.md: Property companies and ratings): the public lists and
report, the periods (list, read, publish, correct), each compound's evidence (inspection,
valid complaints, paper survey), the owners' online survey and the district's scheme.

A period is written like ``2026Q3``. The two routes of API.md (``/property/ratings/{period}``
and its ``report.pdf``) answer 422 ``invalid_period`` for a period that cannot be; the others
take it as a typed path segment, so such a period is a 404 there. Which district: the
``district`` query parameter (id or name), else the caller's only district, else the only
district there is (422 ``district_required``); a district that does not exist is a 404.
Credit records, objections and rectifications are in property.ratings.api_credit.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from flask_login import current_user
from pydantic import Field

from compounds import services as compound_services
from compounds.models import Compound, Unit
from core.api import File, api_blueprint, operation
from core.errors import not_found
from core.inputs import local_today
from core.loader import load
from core.permissions import Target, authorize, public, requires
from core.schemas import Body, Day, DecimalText, Moment, Out, Query, UnitRef, text
from core.web import pdf_response
from property.companies.services import serving_company
from property.districts import resolve_district
from property.ratings import evidence, periods, publication, rules, settings, surveys
from property.ratings.labels import SURVEY_ITEMS
from property.ratings.report import report as rating_report
from property.ratings.scoring import frac

bp = api_blueprint("ratings_api", __name__)

TAG = "ratings"
NO_DISTRICT = {404: "no such district (or period, or object)"}
#: what the document says of a typed period in a path
PERIOD_NOTE = ("`period` is a quarter written like 2026Q3 (a path segment that is no "
               "quarter answers 404); `district` names the district by id or name (default: "
               "the caller's only district)")
#: the public routes of API.md take the period as text and refuse a bad one with a 422
PUBLIC_NOTE = ("`period` is a quarter written like 2026Q3 (422 invalid_period otherwise); "
               "`district` names the district by id or name (default: the caller's only "
               "district, else the only district there is)")

_DISTRICT = Field(None, description="the district, by id or name; default: the caller's only "
                                    "district, else the only one there is")


class RatingDistrictQuery(Query):
    district: text(100) | None = _DISTRICT


class RatingVersionQuery(Query):
    district: text(100) | None = _DISTRICT
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="a published version (default: the newest)")


def district_for(ref, action: str):
    """The district a call names (or implies), if the caller may do `action` there."""
    district = resolve_district(ref, action)
    authorize(action, Target(district_id=district.id))
    return district


def shown(value) -> str | None:
    """An exact score ("num/den" or a Fraction) as shown: two decimals, rounded down."""
    if value is None:
        return None
    return rules.score_str(frac(value) if isinstance(value, str) else value)


# -- the public lists and report (API.md) ------------------------------------------------------

ListName = Literal["red", "black", "warning"]


class RatedCompanyOut(Out):
    id: int
    name: str
    score: str | None = Field(description="two decimals, rounded down", examples=["89.99"])
    list: ListName | None


class RatingsOut(Out):
    period: str = Field(examples=["2026Q3"])
    status: Literal["draft", "published"]
    companies: list[RatedCompanyOut]


@bp.get("/property/ratings/<period>")
@public
@operation("A district's red/black/warning lists of a period, best score first (public for "
           "a published period; district staff also get the live draft)", tag=TAG,
           query=RatingDistrictQuery, response=RatingsOut,
           errors={422: "invalid_period (write 2026Q3); district_required"},
           description=PUBLIC_NOTE)
def ratings(period: str, query: RatingDistrictQuery):
    return publication.ratings_json(resolve_district(query.district, "rating.evidence"),
                                    period)


@bp.get("/property/ratings/<period>/report.pdf")
@public
@operation("The printable red/black list report (PDF, A4) of a period: a published version, "
           "or the draft for district staff", tag=TAG, query=RatingVersionQuery,
           response=File("application/pdf", "the report"),
           errors={404: "not_published: no published version (and not district staff); "
                        "no such district or version",
                   422: "invalid_period; district_required"},
           description=PUBLIC_NOTE)
def report(period: str, query: RatingVersionQuery):
    district = resolve_district(query.district, "rating.evidence")
    pdf = rating_report(district, period, query.version)
    return pdf_response(pdf, f"ratings-{district.id}-{period}.pdf")


class RatingDistrictOut(Out):
    id: int
    name: str


@bp.get("/property/rating-districts")
@public
@operation("The districts that have published red/black lists (public), by name", tag=TAG,
           response=RatingDistrictOut, paginated=True)
def rating_districts():
    return periods.districts_with_published()


class PublishedPeriodOut(Out):
    period: str = Field(examples=["2026Q3"])
    version: int = Field(description="the newest version, the one the public sees")
    published_at: Moment


@bp.get("/property/published-ratings")
@public
@operation("A district's published periods, newest first (public): which "
           "/property/ratings/{period} lists and reports there are", tag=TAG,
           query=RatingDistrictQuery, response=PublishedPeriodOut, paginated=True,
           errors={404: "no such district", 422: "district_required"})
def published_periods(query: RatingDistrictQuery):
    district = resolve_district(query.district, "rating.evidence")
    rows = [periods.latest_version(district.id, code)
            for code in periods.published_codes(district.id)]
    return [PublishedPeriodOut(period=r.code, version=r.version, published_at=r.published_at)
            for r in rows]


# -- periods: list, read, publish, correct -----------------------------------------------------

PeriodState = Literal["draft", "published", "correcting"]


class RatingPeriodOut(Out):
    period: str = Field(examples=["2026Q3"])
    start: Day
    end: Day
    state: PeriodState = Field(description="draft: never published (computed live); "
                                            "published: frozen; correcting: opened for a "
                                            "correction")
    ended: bool = Field(description="the period is over (it may be published)")
    survey_open: bool = Field(description="owners may answer its survey online")
    latest_version: int | None


#: how many quarters back the list of periods goes besides those ever published
RECENT = 6


@bp.get("/property/ratings")
@requires("rating.evidence")
@operation("A district's rating periods, newest first: the recent quarters and every "
           "published one, with their state", tag=TAG, query=RatingDistrictQuery,
           response=RatingPeriodOut, paginated=True, errors=NO_DISTRICT)
def list_periods(query: RatingDistrictQuery):
    district = district_for(query.district, "rating.evidence")
    today = local_today()
    codes = {rules.period_of(today).code}
    p = rules.period_of(today)
    for _i in range(RECENT - 1):
        p = rules.previous_period(p)
        codes.add(p.code)
    codes |= set(periods.published_codes(district.id))
    open_now = {x.code for x in surveys.survey_periods(today)}
    out = []
    for code in sorted(codes, reverse=True):
        period = rules.period_parse(code)
        latest = periods.latest_version(district.id, code)
        out.append(RatingPeriodOut(period=code, start=period.start, end=period.end,
                             state="draft" if latest is None else latest.status,
                             ended=period.end < today, survey_open=code in open_now,
                             latest_version=latest.version if latest else None))
    return out


class RatingReasonOut(Out):
    code: str
    text: str


class RatingCompoundScoreOut(Out):
    id: int
    name: str
    households: int
    responses: int
    satisfaction: str | None = Field(description="survey score, two decimals rounded down")
    inspection: str | None
    complaints: int = Field(description="valid complaints counted")
    complaints_entered: bool = Field(description="entered by hand (else valid resident "
                                                 "requests were counted)")
    complaint_score: str | None
    score: str | None
    reweighted: bool = Field(description="evidence was missing: the weights of the rest "
                                         "were scaled up")
    explanation: str


class RatingCreditLineOut(Out):
    id: int
    kind: Literal["good", "bad", "veto"]
    points: int
    counted: int = Field(description="points counted (a record above today's scheme limit "
                                     "counts at the limit)")
    occurred_on: Day
    evidence: str
    veto_reason: str | None
    compound_id: int | None


class RatingOutcomeOut(Out):
    company_id: int
    name: str
    uscc: str
    score: str | None = Field(description="two decimals, rounded down")
    list: ListName | None
    households: int
    compounds: int
    explanation: str
    reasons: list[RatingReasonOut] = Field(description="why the company is (not) on a list")
    compound_scores: list[RatingCompoundScoreOut]
    credit: list[RatingCreditLineOut]


class RatingSummaryOut(Out):
    companies: int
    compounds: int
    compounds_total: int
    households: int
    responses: int
    inspections: int
    red: int
    black: int
    warning: int


class RatingVersionOut(Out):
    period: str
    version: int
    status: Literal["published", "correcting", "superseded"]
    published_at: Moment
    published_by: str
    reason: str = Field(description="why this version corrects the one before")
    correction_reason: str = Field(description="while correcting: why the correction was "
                                               "opened")
    summary: RatingSummaryOut


def version_json(row) -> RatingVersionOut:
    return RatingVersionOut(period=row.code, version=row.version, status=row.status,
                      published_at=row.published_at, published_by=row.published_by,
                      reason=row.reason, correction_reason=row.correction_reason,
                      summary=RatingSummaryOut(**{k: (row.summary or {}).get(k, 0)
                                            for k in RatingSummaryOut.model_fields}))


class RatingPeriodDetailOut(Out):
    period: str
    district_id: int
    district: str
    state: PeriodState
    version: int | None = Field(description="the version shown; null for the live draft")
    summary: RatingSummaryOut
    outcomes: list[RatingOutcomeOut] = Field(description="best score first")
    versions: list[RatingVersionOut] = Field(description="every published version, newest first")


def outcome_json(o) -> RatingOutcomeOut:
    d = o.detail or {}
    return RatingOutcomeOut(
        company_id=o.company_id, name=o.name, uscc=o.uscc, score=shown(o.score),
        list=o.listing, households=o.households, compounds=o.compounds,
        explanation=d.get("explanation", ""),
        reasons=[RatingReasonOut(**r) for r in d.get("reasons", [])],
        compound_scores=[RatingCompoundScoreOut(
            id=c["id"], name=c["name"], households=c["households"],
            responses=c["responses"], satisfaction=shown(c["satisfaction"]),
            inspection=shown(c["inspection"]), complaints=c["complaints"],
            complaints_entered=c["complaints_entered"],
            complaint_score=shown(c["complaint_score"]), score=shown(c["score"]),
            reweighted=c["reweighted"], explanation=c["explanation"])
            for c in d.get("compounds", [])],
        credit=[RatingCreditLineOut(**c) for c in d.get("credit", [])])


@bp.get("/property/ratings/<period:period>/detail")
@requires("rating.evidence")
@operation("A district's period in full (district staff): the live draft — what publishing "
           "would freeze — or a published version (?version=), each company's score, list, "
           "reasons, compounds and credit records", tag=TAG, query=RatingVersionQuery,
           response=RatingPeriodDetailOut, errors=NO_DISTRICT,
           description=PERIOD_NOTE)
def period_detail(period: str, query: RatingVersionQuery):
    district = district_for(query.district, "rating.evidence")
    p = periods.parse_period(period)
    state = periods.period_state(district.id, p.code)
    if query.version is not None or state == "published":
        result = publication.published(district, p.code, query.version)
        if result is None:
            raise not_found("version")
    else:
        result = publication.draft(district, p.code)
    return RatingPeriodDetailOut(
        period=p.code, district_id=district.id, district=district.name, state=state,
        version=result.version, summary=RatingSummaryOut(**result.summary),
        outcomes=[outcome_json(o) for o in result.outcomes],
        versions=[version_json(v) for v in periods.versions(district.id, p.code)])


class RatingPublishIn(Body):
    reason: text(2000) = Field("", description="required when publishing a correction "
                                               "(else the reason the correction was opened "
                                               "with is used)")


class RatingCorrectionIn(Body):
    reason: text(2000, min_length=1)


@bp.post("/property/ratings/<period:period>/publish")
@requires("rating.publish")
@operation("Publish the period (version 1), or the correction being made (version n+1): the "
           "lists are frozen with the scheme used and each company is notified", tag=TAG,
           query=RatingDistrictQuery, body=RatingPublishIn, response=RatingVersionOut, status=201,
           errors={**NO_DISTRICT,
                   409: "period_not_ended: the period is not over; already_published: open "
                        "a correction first",
                   422: "validation_error (details.fields.reason: a correction needs a "
                        "reason); district_required"},
           description=PERIOD_NOTE)
def publish(period: str, query: RatingDistrictQuery, body: RatingPublishIn):
    district = district_for(query.district, "rating.publish")
    return version_json(publication.publish(district, period, body.reason))


@bp.post("/property/ratings/<period:period>/correction")
@requires("rating.publish")
@operation("Open a published period for correction (with the reason): district staff may "
           "then change its evidence and credit records; the public still sees the "
           "published version", tag=TAG, query=RatingDistrictQuery, body=RatingCorrectionIn,
           response=RatingVersionOut,
           errors={**NO_DISTRICT, 409: "not_published: the newest version is not published"},
           description=PERIOD_NOTE)
def open_correction(period: str, query: RatingDistrictQuery, body: RatingCorrectionIn):
    district = district_for(query.district, "rating.publish")
    return version_json(publication.open_correction(district, period, body.reason))


@bp.post("/property/ratings/<period:period>/correction/cancel")
@requires("rating.publish")
@operation("Close a correction without publishing: the period is frozen again", tag=TAG,
           query=RatingDistrictQuery, response=RatingVersionOut,
           errors={**NO_DISTRICT, 409: "not_correcting: no correction is open"},
           description=PERIOD_NOTE)
def cancel_correction(period: str, query: RatingDistrictQuery):
    district = district_for(query.district, "rating.publish")
    return version_json(publication.cancel_correction(district, period))


# -- a compound's evidence ----------------------------------------------------------------------

class RatingSurveySummaryOut(Out):
    responses: int
    online: int
    paper: int
    score: str | None
    item_means: dict[str, str | None] = Field(
        description="item (cleaning, security, greening, repairs, attitude) → mean answer "
                    "1–5, two decimals rounded down")


class InspectionDeductionOut(Out):
    code: str
    label: str
    points: str
    note: str


class InspectionOut(Out):
    period: str
    compound_id: int
    inspected_on: Day
    inspector: str
    deductions: list[InspectionDeductionOut]
    deducted: str = Field(description="points deducted in all")
    score: str = Field(description="max(0, 100 − deducted)")
    note: str
    updated_at: Moment


def inspection_json(row) -> InspectionOut:
    c = row.deducted_c
    return InspectionOut(period=row.period, compound_id=row.compound_id,
                         inspected_on=row.inspected_on, inspector=row.inspector,
                         deductions=[InspectionDeductionOut(**d) for d in row.deductions or []],
                         deducted=f"{c // 100}.{c % 100:02d}", score=shown(row.score),
                         note=row.note, updated_at=row.updated_at)


class ComplaintCountOut(Out):
    period: str
    compound_id: int
    valid: int
    source: str
    note: str
    updated_at: Moment


class RatingChecklistItemOut(Out):
    code: str
    label: str
    max: str = Field(description="the most points the item may lose")


class RatedCompanyRefOut(Out):
    id: int
    name: str


class RatingEvidenceOut(Out):
    period: str
    compound_id: int
    compound: str
    district_id: int
    state: PeriodState
    company: RatedCompanyRefOut | None = Field(description="the company serving the compound")
    survey: RatingSurveySummaryOut
    inspection: InspectionOut | None
    complaints: ComplaintCountOut | None = Field(
        description="the count entered by hand; null: valid resident requests are counted")
    checklist: list[RatingChecklistItemOut]


def _evidence(code: str, compound_id: int):
    compound = load(Compound, compound_id, "rating.evidence")
    return periods.parse_period(code), compound


@bp.get("/property/ratings/<period:period>/compounds/<compound:compound_id>")
@requires("rating.evidence")
@operation("One compound's evidence of a period: survey, inspection, valid complaints, and "
           "the district's checklist", tag=TAG, response=RatingEvidenceOut,
           description=PERIOD_NOTE)
def get_evidence(period: str, compound_id: int):
    p, compound = _evidence(period, compound_id)
    district = compound.street.district
    s = surveys.survey_summary(compound.id, p.code)
    insp = evidence.inspection_of(compound.id, p.code)
    comp = evidence.complaints_of(compound.id, p.code)
    company = serving_company(compound.id, min(p.end, local_today()))
    return RatingEvidenceOut(
        period=p.code, compound_id=compound.id, compound=compound.name,
        district_id=district.id, state=periods.period_state(district.id, p.code),
        company=RatedCompanyRefOut(id=company.id, name=company.name) if company else None,
        survey=RatingSurveySummaryOut(
            responses=s.responses, online=s.online, paper=s.paper, score=shown(s.score),
            item_means={k: shown(v) for k, v in s.item_means.items()}),
        inspection=inspection_json(insp) if insp else None,
        complaints=ComplaintCountOut.model_validate(comp) if comp else None,
        checklist=[RatingChecklistItemOut(code=i.code, label=i.label,
                                          max=rules.score_str(i.max))
                   for i in settings.settings_for(district).checklist])


class InspectionDeductionIn(Body):
    code: text(16, min_length=1) = Field(description="a checklist item's code")
    points: DecimalText = Field(description="points deducted, at most two decimals, up to "
                                            "the item's maximum")
    note: text(200) = ""


class InspectionIn(Body):
    """The district's inspection (检查考核): itemised deductions; re-entering replaces it."""

    inspected_on: Day = Field(description="within the period, not in the future")
    inspector: text(64) = Field("", description="default: the caller's name")
    note: text(2000) = ""
    deductions: list[InspectionDeductionIn] = Field([], max_length=100)


_EVIDENCE_ERRORS = {409: "period_frozen: the period is published (or being corrected by "
                         "district staff)",
                    422: "period_not_started; validation_error (details.fields names the "
                         "field, e.g. inspected_on, deduct_A)"}


@bp.put("/property/ratings/<period:period>/compounds/<compound:compound_id>/inspection")
@requires("rating.evidence")
@operation("Enter (or replace) the district inspection of a compound in a period (district "
           "staff): score = max(0, 100 − Σ deductions)", tag=TAG, body=InspectionIn,
           response=InspectionOut, errors=_EVIDENCE_ERRORS,
           description=PERIOD_NOTE)
def put_inspection(period: str, compound_id: int, body: InspectionIn):
    p, compound = _evidence(period, compound_id)
    row = evidence.save_inspection(
        compound, p.code, inspected_on=body.inspected_on, inspector=body.inspector,
        note=body.note, deductions={d.code: (d.points, d.note) for d in body.deductions})
    return inspection_json(row)


class ComplaintCountIn(Body):
    """Valid complaints (有效投诉) about the property service: this count replaces the valid
    resident requests in the score."""

    valid: int = Field(ge=0, le=2**31 - 1)
    note: text(200) = ""


@bp.put("/property/ratings/<period:period>/compounds/<compound:compound_id>/complaints")
@requires("rating.evidence")
@operation("Enter the number of valid complaints of a compound in a period", tag=TAG,
           body=ComplaintCountIn, response=ComplaintCountOut, errors=_EVIDENCE_ERRORS,
           description=PERIOD_NOTE)
def put_complaints(period: str, compound_id: int, body: ComplaintCountIn):
    p, compound = _evidence(period, compound_id)
    return evidence.save_complaints(compound, p.code, body.valid, note=body.note)


Answer = Annotated[int, Field(ge=1, le=5)]


class SurveyAnswersIn(Body):
    """Each item 1 (very dissatisfied) … 5 (very satisfied); omit an item for no opinion;
    at least one."""

    cleaning: Answer | None = None
    security: Answer | None = None
    greening: Answer | None = None
    repairs: Answer | None = None
    attitude: Answer | None = None


class PaperSurveyIn(Body):
    unit: UnitRef
    answers: SurveyAnswersIn
    serial: text(32) = Field("", description="the paper form's number")


class OnlineSurveyIn(Body):
    answers: SurveyAnswersIn


class SurveyResponseOut(Out):
    id: int
    period: str
    compound_id: int
    unit_id: int
    channel: Literal["online", "paper"]
    serial: str
    answered: int
    cleaning: int | None
    security: int | None
    greening: int | None
    repairs: int | None
    attitude: int | None
    created_at: Moment


def _answers(a: SurveyAnswersIn) -> dict:
    return {k: v for k, v in a.model_dump().items() if k in SURVEY_ITEMS}


@bp.post("/property/ratings/<period:period>/compounds/<compound:compound_id>/surveys")
@requires("rating.evidence")
@operation("Enter a paper survey form of a unit (residents' committee or district staff); "
           "one response per unit and period", tag=TAG, body=PaperSurveyIn,
           response=SurveyResponseOut, status=201,
           errors={409: "duplicate_response: the unit has answered; period_frozen",
                   422: "validation_error (details.fields.unit: no such unit in the "
                        "compound); period_not_started"},
           description=PERIOD_NOTE)
def paper_survey(period: str, compound_id: int, body: PaperSurveyIn):
    p, compound = _evidence(period, compound_id)
    unit = compound_services.unit_in(compound, body.unit)
    return surveys.submit_survey(unit, p.code, _answers(body.answers), channel="paper",
                                 serial=body.serial)


# -- the owners' survey -------------------------------------------------------------------------

class SurveyOpenOut(Out):
    unit_id: int
    unit: str
    compound: str
    period: str
    state: PeriodState
    answered: bool


@bp.get("/property/surveys")
@requires("rating.survey")
@operation("An owner's units and the survey periods open now (this quarter and the one "
           "before), and whether each is answered", tag=TAG, response=SurveyOpenOut,
           paginated=True)
def open_surveys():
    units = (compound_services.my_units(current_user.person_id)
             if current_user.person_id else [])
    rows = []
    for unit in units:
        district_id = unit.compound.street.district_id
        for p in surveys.survey_periods():
            rows.append(SurveyOpenOut(
                unit_id=unit.id, unit=unit.label, compound=unit.compound.name, period=p.code,
                state=periods.period_state(district_id, p.code),
                answered=surveys.survey_response(unit.id, p.code) is not None))
    return rows


@bp.post("/property/units/<unit:unit_id>/surveys/<period:period>")
@requires("rating.survey")
@operation("An owner answers the satisfaction survey for a unit (once per unit and period)",
           tag=TAG, body=OnlineSurveyIn, response=SurveyResponseOut, status=201,
           errors={409: "survey_closed: not this quarter or the one before; "
                        "duplicate_response; period_frozen"},
           description=PERIOD_NOTE)
def online_survey(unit_id: int, period: str, body: OnlineSurveyIn):
    unit = load(Unit, unit_id, "rating.survey")
    return surveys.submit_survey(unit, period, _answers(body.answers))


# -- the district's scheme, checklist, holidays and issuer ---------------------------------------

_FRACTION = r"^[0-9]{1,9}(\.[0-9]{1,6})?(/[1-9][0-9]{0,8})?$"
Exact = Annotated[str, Field(pattern=_FRACTION, examples=["2/5", "0.4", "90"])]


class RatingSchemeOut(Out):
    """Exact numbers as "a/b" strings (never floats): "2/5", "90/1"."""

    name: str
    weight_satisfaction: str
    weight_inspection: str
    weight_complaints: str
    complaint_penalty: str = Field(description="points lost per valid complaint per 100 "
                                               "households")
    good_credit_max: int
    good_credit_cap: int
    bad_credit_max: int
    red_min: str
    black_below: str
    warning_below: str
    warning_fall: str


class RatingSchemeIn(Body):
    """The fields given replace the current ones. Weights sum to exactly 1; 0 ≤ black_below
    ≤ warning_below ≤ red_min ≤ 100 (422 invalid_scheme otherwise)."""

    weight_satisfaction: Exact | None = None
    weight_inspection: Exact | None = None
    weight_complaints: Exact | None = None
    complaint_penalty: Exact | None = None
    good_credit_max: int | None = Field(None, ge=1, le=1000)
    good_credit_cap: int | None = Field(None, ge=0, le=1000)
    bad_credit_max: int | None = Field(None, ge=1, le=1000)
    red_min: Exact | None = None
    black_below: Exact | None = None
    warning_below: Exact | None = None
    warning_fall: Exact | None = None


Line = Annotated[str, Field(min_length=1, pattern=r"^[^|\r\n]+$")]


class RatingChecklistItemIn(Body):
    code: Annotated[Line, Field(max_length=16)]
    label: Annotated[Line, Field(max_length=100)]
    max: DecimalText = Field(description="the most points the item may lose (positive)")


class RatingSettingsIn(Body):
    """A district's rating settings; the parts given replace the current ones. They apply to
    periods not yet published (a published period keeps its frozen scheme)."""

    scheme: RatingSchemeIn | None = None
    checklist: list[RatingChecklistItemIn] | None = Field(None, min_length=1, max_length=100)
    holidays: list[Day] | None = Field(None, max_length=400,
                                       description="the district's own days off")
    workdays: list[Day] | None = Field(None, max_length=400,
                                       description="weekend days worked (调休)")
    issuer: text(100) | None = Field(None, description="the office printed on the report")


class RatingSettingsOut(Out):
    district_id: int
    saved: bool = Field(description="false: the defaults")
    scheme: RatingSchemeOut
    checklist: list[RatingChecklistItemOut]
    holidays: list[Day]
    workdays: list[Day]
    issuer: str


def settings_json(district, s) -> RatingSettingsOut:
    return RatingSettingsOut(
        district_id=district.id, saved=s.saved, scheme=RatingSchemeOut(**s.scheme.to_dict()),
        checklist=[RatingChecklistItemOut(code=i.code, label=i.label, max=rules.score_str(i.max))
                   for i in s.checklist],
        holidays=sorted(s.holidays), workdays=sorted(s.workdays), issuer=s.issuer)


@bp.get("/property/rating-settings")
@requires("rating.publish")
@operation("A district's rating settings: scheme (weights, thresholds), inspection "
           "checklist, holidays and the report's issuer", tag=TAG, query=RatingDistrictQuery,
           response=RatingSettingsOut, errors=NO_DISTRICT)
def get_settings(query: RatingDistrictQuery):
    district = district_for(query.district, "rating.publish")
    return settings_json(district, settings.settings_for(district))


def _days(days: list[dt.date]) -> str:
    return "\n".join(d.isoformat() for d in days)


@bp.patch("/property/rating-settings")
@requires("rating.publish")
@operation("Change a district's rating settings (the parts given)", tag=TAG,
           query=RatingDistrictQuery, body=RatingSettingsIn, response=RatingSettingsOut,
           errors={**NO_DISTRICT, 422: "invalid_scheme (the message says why); "
                                       "validation_error (details.fields)"})
def patch_settings(query: RatingDistrictQuery, body: RatingSettingsIn):
    district = district_for(query.district, "rating.publish")
    current = settings.settings_for(district)
    scheme = current.scheme.to_dict()
    if body.scheme is not None:
        scheme |= body.scheme.model_dump(exclude_none=True)
    checklist = ([(i.code, i.label, i.max) for i in body.checklist] if body.checklist
                 else [(i.code, i.label, rules.score_str(i.max)) for i in current.checklist])
    saved = settings.save_settings(
        district, scheme=scheme,
        checklist="\n".join(f"{c.strip()} | {label.strip()} | {m}"
                            for c, label, m in checklist),
        holidays=_days(body.holidays if body.holidays is not None else current.holidays),
        workdays=_days(body.workdays if body.workdays is not None else current.workdays),
        issuer=body.issuer if body.issuer is not None else (
            "" if current.issuer == settings.default_issuer(district) else current.issuer))
    return settings_json(district, saved)


@bp.get("/property/units/<unit:unit_id>/surveys/<period:period>")
@requires("rating.survey")
@operation("The unit's survey response of a period (an owner of the unit), if answered",
           tag=TAG, response=SurveyResponseOut,
           errors={404: "not answered (or no such unit or period)"}, description=PERIOD_NOTE)
def get_survey(unit_id: int, period: str):
    unit = load(Unit, unit_id, "rating.survey")
    response = surveys.survey_response(unit.id, periods.parse_period(period).code)
    if response is None:
        raise not_found("survey response")
    return response
