"""Credit records, objections and rectifications of the JSON API, and a company's results.

District staff record good, bad and veto records (信用记录) with their evidence, and withdraw
a mistaken one with the reason while its period is unpublished (after publication: open a
correction of the period, withdraw, publish again). A company objects to a bad record (异议)
and the district answers within 5 working days; a warned or black-listed company replies
with its rectification (整改) and the district accepts it or returns it. Evidence files go
through the attachments API (``/api/v1/credit-records/{id}/attachments``, ``objections``,
``rectifications``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.api import api_blueprint, operation
from core.inputs import local_today
from core.loader import load
from core.permissions import requires
from core.schemas import Body, Day, Id, Moment, Out, Query, text
from property.companies.models import Company
from property.districts import resolve_district
from property.ratings import credit, periods, publication, rectifications, rules
from property.ratings.api import NO_DISTRICT, ListName, RatingDistrictQuery, district_for, shown
from property.ratings.models import CreditObjection, CreditRecord, Rectification

bp = api_blueprint("credit_api", __name__)

TAG = "ratings"


# -- credit records ---------------------------------------------------------------------------

class CreditRecordIn(Body):
    """A credit record of the company in a district, with its evidence (district staff)."""

    district: int | text(100) | None = Field(
        None, description="the district it counts in (id or name); default: the caller's "
                          "only district")
    kind: Literal["good", "bad", "veto"] = Field(
        description="good (+), bad (−) or veto (一票否决: black list)")
    points: int = Field(ge=-1000, le=1000, description=(
        "good: 1…good_credit_max; bad and veto: 1…bad_credit_max (positive or negative, "
        "counted with the kind's sign)"))
    occurred_on: Day = Field(description="not in the future; its quarter is the record's "
                                         "period (409 period_frozen if published)")
    evidence: text(4000, min_length=1)
    compound_id: Id | None = Field(None, description="a compound of the district")
    staff_id: Id | None = Field(None, description="the company's employee concerned")
    veto_reason: Literal["safety_accident", "fund_misuse", "abandonment"] | None = Field(
        None, description="required for a veto")


class CreditRecordOut(Out):
    id: int
    company_id: int
    company: str
    district_id: int
    compound_id: int | None
    staff_id: int | None
    kind: Literal["good", "bad", "veto"]
    veto_reason: str | None
    points: int = Field(description="signed")
    occurred_on: Day
    period: str
    evidence: str
    status: Literal["active", "withdrawn"]
    recorded_by: str
    created_at: Moment
    withdrawn_at: Moment | None
    withdrawn_by: str
    withdrawn_via: str = Field(description="objection (upheld) or district (withdrawn)")
    withdraw_reason: str
    objection_id: int | None
    objection_status: Literal["pending", "upheld", "rejected"] | None


def record_json(r: CreditRecord) -> CreditRecordOut:
    o = r.objection
    return CreditRecordOut(
        id=r.id, company_id=r.company_id, company=r.company.name, district_id=r.district_id,
        compound_id=r.compound_id, staff_id=r.staff_id, kind=r.kind,
        veto_reason=r.veto_reason, points=r.points, occurred_on=r.occurred_on,
        period=r.period, evidence=r.evidence, status=r.status, recorded_by=r.recorded_by,
        created_at=r.created_at, withdrawn_at=r.withdrawn_at, withdrawn_by=r.withdrawn_by,
        withdrawn_via=r.withdrawn_via, withdraw_reason=r.withdraw_reason,
        objection_id=o.id if o else None, objection_status=o.status if o else None)


class CreditRecordsQuery(Query):
    district: text(100) | None = Field(None, description="id or name")
    period: text(6) | None = Field(None, description="like 2026Q3; default: this quarter")


@bp.get("/property/credit-records")
@requires("rating.evidence")
@operation("A district's credit records of a period, newest first (district staff)", tag=TAG,
           query=CreditRecordsQuery, response=CreditRecordOut, paginated=True,
           errors={**NO_DISTRICT, 422: "invalid_period; district_required"})
def list_records(query: CreditRecordsQuery):
    district = district_for(query.district, "rating.evidence")
    code = periods.parse_period(query.period or rules.period_of(local_today()).code).code
    return [record_json(r) for r in credit.records_of_period(district.id, code)]


@bp.get("/property/companies/<company:company_id>/credit-records")
@requires("property.view")
@operation("A company's credit records, newest first", tag=TAG, response=CreditRecordOut,
           paginated=True)
def company_records(company_id: int):
    company = load(Company, company_id, "property.view")
    return [record_json(r) for r in credit.records_of_company(company.id)]


@bp.post("/property/companies/<company:company_id>/credit-records")
@requires("rating.evidence")
@operation("Record a good, bad or veto credit record of a company (district staff)", tag=TAG,
           body=CreditRecordIn, response=CreditRecordOut, status=201,
           errors={**NO_DISTRICT,
                   409: "period_frozen: the record's period is published",
                   422: "validation_error (details.fields: points, occurred_on, veto_reason, "
                        "compound_id, staff_id); district_required"})
def add_record(company_id: int, body: CreditRecordIn):
    company = load(Company, company_id, "property.view")
    district = district_for(body.district, "rating.evidence")
    record = credit.add_credit_record(
        company, district, kind=body.kind, points=body.points, occurred_on=body.occurred_on,
        evidence=body.evidence, compound_id=body.compound_id, staff_id=body.staff_id,
        veto_reason=body.veto_reason)
    return record_json(record)


@bp.get("/property/credit-records/<credit_record:record_id>")
@requires("property.view")
@operation("One credit record", tag=TAG, response=CreditRecordOut)
def get_record(record_id: int):
    return record_json(load(CreditRecord, record_id, "property.view"))


class CreditWithdrawIn(Body):
    reason: text(2000, min_length=1)


@bp.post("/property/credit-records/<credit_record:record_id>/withdraw")
@requires("rating.publish")
@operation("Withdraw a mistaken record with the reason (district staff), while its period "
           "is a draft or being corrected: it stops counting and stays listed, marked",
           tag=TAG, body=CreditWithdrawIn, response=CreditRecordOut,
           errors={409: "already_withdrawn; period_frozen: published (open a correction "
                        "first); objection_pending: answer the objection instead"})
def withdraw_record(record_id: int, body: CreditWithdrawIn):
    record = load(CreditRecord, record_id, "rating.publish")
    return record_json(credit.withdraw_credit_record(record, body.reason))


# -- objections -------------------------------------------------------------------------------

class CreditObjectionIn(Body):
    grounds: text(4000, min_length=1)


class CreditObjectionOut(Out):
    id: int
    record_id: int
    company_id: int
    company: str
    district_id: int
    grounds: str
    filed_by: str
    filed_at: Moment
    received_on: Day
    deadline: Day = Field(description="5 working days after received_on")
    deadline_provisional: bool = Field(description="counted on weekends alone: the "
                                                   "holidays of a year it runs into are "
                                                   "not known yet")
    overdue: bool
    status: Literal["pending", "upheld", "rejected"]
    answer: str
    answered_by: str
    answered_at: Moment | None
    answered_on: Day | None


def objection_json(o: CreditObjection) -> CreditObjectionOut:
    r = o.record
    return CreditObjectionOut(
        id=o.id, record_id=r.id, company_id=r.company_id, company=r.company.name,
        district_id=r.district_id, grounds=o.grounds, filed_by=o.filed_by,
        filed_at=o.filed_at, received_on=o.received_on, deadline=o.deadline,
        deadline_provisional=o.deadline_provisional, overdue=credit.objection_overdue(o),
        status=o.status, answer=o.answer, answered_by=o.answered_by,
        answered_at=o.answered_at, answered_on=o.answered_on)


@bp.post("/property/credit-records/<credit_record:record_id>/objection")
@requires("rating.respond")
@operation("The company objects to one of its bad records; the district answers within 5 "
           "working days", tag=TAG, body=CreditObjectionIn, response=CreditObjectionOut, status=201,
           errors={409: "not_objectionable: a good or withdrawn record; objection_exists"})
def file_objection(record_id: int, body: CreditObjectionIn):
    record = load(CreditRecord, record_id, "rating.respond")
    return objection_json(credit.file_objection(record, body.grounds))


@bp.get("/property/objections")
@requires("rating.publish")
@operation("A district's objections: pending first (by deadline), then answered", tag=TAG,
           query=RatingDistrictQuery, response=CreditObjectionOut, paginated=True,
           errors=NO_DISTRICT)
def list_objections(query: RatingDistrictQuery):
    district = district_for(query.district, "rating.publish")
    return [objection_json(o) for o in credit.objections_of_district(district.id)]


@bp.get("/property/companies/<company:company_id>/objections")
@requires("property.view")
@operation("A company's objections, newest first", tag=TAG, response=CreditObjectionOut,
           paginated=True)
def company_objections(company_id: int):
    company = load(Company, company_id, "property.view")
    return [objection_json(o) for o in credit.objections_of_company(company.id)]


@bp.get("/property/objections/<credit_objection:objection_id>")
@requires("property.view")
@operation("One objection", tag=TAG, response=CreditObjectionOut)
def get_objection(objection_id: int):
    return objection_json(load(CreditObjection, objection_id, "property.view"))


class CreditObjectionAnswerIn(Body):
    decision: Literal["uphold", "reject"] = Field(
        description="uphold: the record is withdrawn and no longer counts")
    answer: text(4000, min_length=1)


@bp.post("/property/objections/<credit_objection:objection_id>/answer")
@requires("rating.publish")
@operation("District staff answer an objection (the company is notified)", tag=TAG,
           body=CreditObjectionAnswerIn, response=CreditObjectionOut,
           errors={409: "already_answered"})
def answer_objection(objection_id: int, body: CreditObjectionAnswerIn):
    objection = load(CreditObjection, objection_id, "rating.publish")
    return objection_json(credit.answer_objection(objection, uphold=body.decision == "uphold",
                                                  answer=body.answer))


# -- rectifications ---------------------------------------------------------------------------

class RectificationIn(Body):
    """A warned or black-listed company's reply for a published period."""

    district: int | text(100) | None = Field(
        None, description="the district whose list called for it (id or name); default: "
                          "the only district there is")
    period: text(6) = Field(examples=["2026Q3"])
    reply: text(8000, min_length=1)


class RectificationOut(Out):
    id: int
    company_id: int
    company: str
    district_id: int
    period: str
    list: Literal["warning", "black"]
    reply: str
    submitted_by: str
    submitted_at: Moment
    status: Literal["submitted", "accepted", "returned"]
    review_note: str
    reviewed_by: str
    reviewed_at: Moment | None


def rectification_json(r: Rectification) -> RectificationOut:
    return RectificationOut(
        id=r.id, company_id=r.company_id, company=r.company.name, district_id=r.district_id,
        period=r.period, list=r.listing, reply=r.reply, submitted_by=r.submitted_by,
        submitted_at=r.submitted_at, status=r.status, review_note=r.review_note,
        reviewed_by=r.reviewed_by, reviewed_at=r.reviewed_at)


@bp.post("/property/companies/<company:company_id>/rectifications")
@requires("rating.respond")
@operation("The company's rectification reply (整改回复) to a warning or black listing", tag=TAG,
           body=RectificationIn, response=RectificationOut, status=201,
           errors={**NO_DISTRICT,
                   409: "not_listed: not warned or black-listed in that period's newest "
                        "published version; rectification_pending: a reply waits for review; "
                        "rectification_accepted",
                   422: "invalid_period; district_required; validation_error"})
def submit_rectification(company_id: int, body: RectificationIn):
    company = load(Company, company_id, "rating.respond")
    district = resolve_district(body.district)
    return rectification_json(rectifications.submit_rectification(
        company, district, body.period, body.reply))


@bp.get("/property/companies/<company:company_id>/rectifications")
@requires("property.view")
@operation("A company's rectification replies, newest first", tag=TAG,
           response=RectificationOut, paginated=True)
def company_rectifications(company_id: int):
    company = load(Company, company_id, "property.view")
    return [rectification_json(r) for r in rectifications.rectifications_of_company(company.id)]


class RectificationDueOut(Out):
    district_id: int
    district: str
    period: str
    list: Literal["warning", "black"]


@bp.get("/property/companies/<company:company_id>/rectifications/due")
@requires("property.view")
@operation("Where the company owes a rectification reply: warned or black-listed in a "
           "published period, with no reply pending or accepted", tag=TAG,
           response=RectificationDueOut, paginated=True)
def rectifications_due(company_id: int):
    company = load(Company, company_id, "property.view")
    return [RectificationDueOut(district_id=d.id, district=d.name, period=code, list=listing)
            for d, code, listing in rectifications.rectification_due(company)]


@bp.get("/property/rectifications")
@requires("rating.publish")
@operation("A district's rectification replies: those waiting for review first", tag=TAG,
           query=RatingDistrictQuery, response=RectificationOut, paginated=True,
           errors=NO_DISTRICT)
def list_rectifications(query: RatingDistrictQuery):
    district = district_for(query.district, "rating.publish")
    return [rectification_json(r)
            for r in rectifications.rectifications_of_district(district.id)]


@bp.get("/property/rectifications/<rectification:rect_id>")
@requires("property.view")
@operation("One rectification reply", tag=TAG, response=RectificationOut)
def get_rectification(rect_id: int):
    return rectification_json(load(Rectification, rect_id, "property.view"))


class RectificationReviewIn(Body):
    decision: Literal["accept", "return"] = Field(
        description="return: the company must reply again (the note says why)")
    note: text(4000) = Field("", description="required to return a reply")


@bp.post("/property/rectifications/<rectification:rect_id>/review")
@requires("rating.publish")
@operation("District staff accept a rectification reply or return it for another",
           tag=TAG, body=RectificationReviewIn, response=RectificationOut,
           errors={409: "already_reviewed"})
def review_rectification(rect_id: int, body: RectificationReviewIn):
    rect = load(Rectification, rect_id, "rating.publish")
    return rectification_json(rectifications.review_rectification(
        rect, accept=body.decision == "accept", note=body.note))


# -- a company's results ----------------------------------------------------------------------

class CompanyRatingOut(Out):
    district_id: int
    district: str
    period: str
    state: Literal["draft", "published", "correcting"] = Field(
        description="draft: the live computation of an unpublished period (district staff "
                    "only)")
    version: int | None
    score: str | None
    list: ListName | None
    households: int
    compounds: int


@bp.get("/property/companies/<company:company_id>/ratings")
@requires("property.view")
@operation("A company's results: the newest version of each published period (newest "
           "first), then, for district staff, its drafts of unpublished recent periods",
           tag=TAG, response=CompanyRatingOut, paginated=True)
def company_ratings(company_id: int):
    company = load(Company, company_id, "property.view")
    rows = [CompanyRatingOut(district_id=h.district.id, district=h.district.name,
                             period=h.code, state=h.status, version=h.version,
                             score=shown(h.outcome.score), list=h.outcome.listing,
                             households=h.outcome.households, compounds=h.outcome.compounds)
            for h in publication.company_history(company)]
    rows += [CompanyRatingOut(district_id=d.id, district=d.name, period=code, state="draft",
                              version=None, score=shown(o.score), list=o.listing,
                              households=o.households, compounds=o.compounds)
             for d, code, o in publication.company_drafts(company)]
    return rows

