"""Credit records (信用记录) of a company in a district, and the company's objections (异议)
to its bad records, which district staff answer within 5 working days."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compounds.models import Compound, District
from core import audit
from core.attachments import services as attachments
from core.errors import conflict, invalid
from core.extensions import db
from core.inputs import actor_name, date, local_today, text
from core.permissions import Target, authorize
from core.types import utcnow
from property.companies.models import Company, StaffMember
from property.districts import compound_district, get_district
from property.ratings import calendar, notices, rules
from property.ratings.models import (
    CreditKind,
    CreditObjection,
    CreditRecord,
    CreditStatus,
    ObjectionStatus,
    PeriodStatus,
    VetoReason,
)
from property.ratings.periods import check_open, period_state
from property.ratings.settings import settings_for

# -- credit records ---------------------------------------------------------------------------


def _points(points, kind: str, limit: int) -> int:
    try:
        n = int(str(points).strip())
    except (TypeError, ValueError):
        raise invalid(_l("Points must be a whole number"), "points") from None
    n = abs(n) if kind == CreditKind.good else -abs(n)
    if not 1 <= abs(n) <= limit:
        raise invalid(_l("Points must be between 1 and %(n)s for this kind of record", n=limit),
                      "points")
    return n


def _compound_in(district: District, compound_id) -> Compound | None:
    if compound_id in (None, "", 0):
        return None
    compound = db.session.get(Compound, int(compound_id))
    if compound is None or compound_district(compound) != district.id:
        raise invalid(_l("The compound is not in this district"), "compound_id")
    return compound


def _staff_of(company: Company, staff_id) -> StaffMember | None:
    if staff_id in (None, "", 0):
        return None
    staff = db.session.get(StaffMember, int(staff_id))
    if staff is None or staff.company_id != company.id:
        raise invalid(_l("The employee is not on the company's staff"), "staff_id")
    return staff


def add_credit_record(company: Company, district: District, *, kind, points, occurred_on,
                      evidence, compound_id=None, staff_id=None,
                      veto_reason=None, files=()) -> CreditRecord:
    """A good, bad or veto record with date, points and evidence (district staff); the
    photos and scans of the evidence (`files`) are saved with it or not at all.

    Points within the district scheme: good +1…+good_credit_max, bad and veto
    −1…−bad_credit_max (give them as a positive number for bad records or signed).
    """
    authorize("rating.evidence", Target(district_id=district.id))
    staged = attachments.stage(files)
    if kind not in {k.value for k in CreditKind}:
        raise invalid(_l("A record is good, bad or veto"), "kind")
    day = date(occurred_on, "occurred_on", _l("Date"))
    if day > local_today():
        raise invalid(_l("The date is in the future"), "occurred_on")
    period = rules.period_of(day)
    check_open(district.id, period.code)
    scheme = settings_for(district).scheme
    limit = scheme.good_credit_max if kind == CreditKind.good else scheme.bad_credit_max
    n = _points(points, kind, limit)
    if kind == CreditKind.veto:
        if veto_reason not in {v.value for v in VetoReason}:
            raise invalid(_l("Choose the veto matter"), "veto_reason")
    else:
        veto_reason = None
    compound = _compound_in(district, compound_id)
    staff = _staff_of(company, staff_id)
    facts = text(evidence, "evidence", _l("Evidence"), 4000)
    record = CreditRecord(company_id=company.id, district_id=district.id,
                          compound_id=compound.id if compound else None,
                          staff_id=staff.id if staff else None, kind=kind,
                          veto_reason=veto_reason, points=n, occurred_on=day, period=period.code,
                          evidence=facts, recorded_by=actor_name())
    db.session.add(record)
    db.session.flush()
    audit.record("credit.record", "credit_record", record.id,
                 {"company_id": company.id, "district_id": district.id, "kind": kind,
                  "points": n, "occurred_on": day, "veto_reason": veto_reason,
                  "evidence": facts}, compound_id=record.compound_id)
    attachments.add_staged("credit-records", record, staged)
    db.session.commit()
    return record


def withdraw_credit_record(record: CreditRecord, reason) -> CreditRecord:
    """District staff of the record's district withdraw their own mistaken record, with the
    reason: it no longer counts in any score and stays on the list, marked, with who
    withdrew it, when and why (the audit chain keeps the record as it was).

    Only while its period is a draft or being corrected: a published period is frozen,
    and the way is a correction of the period (``period_frozen``, 409, says so). A record
    withdrawn already — by an upheld objection or by the district — ``already_withdrawn``
    (409). A record under a pending objection is answered through the objection instead
    (``objection_pending``, 409), so that the company's objection is not left hanging.
    """
    authorize("rating.publish", Target(district_id=record.district_id))
    why = text(reason, "reason", _l("Reason for the withdrawal"), 2000)
    if record.status == CreditStatus.withdrawn:
        raise conflict("already_withdrawn", _l("This record has been withdrawn already."))
    if period_state(record.district_id, record.period) == PeriodStatus.published:
        raise conflict("period_frozen",
                       _l("Period %(p)s is published. Open a correction of the period on "
                          "its rating page (更正), withdraw the record, then publish the "
                          "period again.", p=record.period))
    if record.objection is not None and record.objection.status == ObjectionStatus.pending:
        raise conflict("objection_pending",
                       _l("The company has objected to this record: answer the objection "
                          "(uphold it to withdraw the record)."))
    before = {"status": record.status, "points": record.points}
    record.move_to(CreditStatus.withdrawn)
    record.withdrawn_at = utcnow()
    record.withdrawn_by = actor_name()
    record.withdrawn_via = "district"
    record.withdraw_reason = why
    audit.record("credit.withdraw", "credit_record", record.id,
                 {"company_id": record.company_id, "district_id": record.district_id,
                  "period": record.period, "before": before, "reason": why},
                 compound_id=record.compound_id)
    db.session.commit()
    return record


def records_of_company(company_id: int, district_id: int | None = None) -> list[CreditRecord]:
    q = select(CreditRecord).where(CreditRecord.company_id == company_id)
    if district_id is not None:
        q = q.where(CreditRecord.district_id == district_id)
    return list(db.session.scalars(q.order_by(CreditRecord.occurred_on.desc(),
                                              CreditRecord.id.desc())))


def records_of_period(district_id: int, code: str) -> list[CreditRecord]:
    return list(db.session.scalars(
        select(CreditRecord).where(CreditRecord.district_id == district_id,
                                   CreditRecord.period == code)
        .order_by(CreditRecord.occurred_on.desc(), CreditRecord.id.desc())))


# -- objections -------------------------------------------------------------------------------

def _objection_exists():
    return conflict("objection_exists", _l("An objection to this record has already been filed."))


def file_objection(record: CreditRecord, grounds, files=()) -> CreditObjection:
    """A company objects to one of its bad records; district staff must answer within 5 working
    days of receipt (the district's holidays and make-up days respected). Refused for a good
    record and for a withdrawn one (``not_objectionable``) and a second time
    (``objection_exists``), 409 each. The company's documents (`files`) come with it."""
    authorize("rating.respond", record)
    staged = attachments.stage(files)
    if not record.is_bad:
        raise conflict("not_objectionable", _l("Only a bad record can be objected to."))
    if not record.can_move_to(CreditStatus.withdrawn):  # an objection could withdraw it
        raise record.refused(CreditStatus.withdrawn)
    if record.objection is not None:
        raise _objection_exists()
    reasons = text(grounds, "grounds", _l("Grounds"), 4000)
    received = local_today()
    # China's official calendar and the district's own days; provisional (and shown so)
    # when the count runs into a year whose holidays are not known yet
    due = calendar.objection_deadline(get_district(record.district_id), received)
    objection = CreditObjection(record_id=record.id, grounds=reasons, filed_by=actor_name(),
                                received_on=received, deadline=due.day,
                                deadline_provisional=due.provisional)
    db.session.add(objection)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _objection_exists() from None
    audit.record("objection.file", "objection", objection.id,
                 {"record_id": record.id, "grounds": reasons, "deadline": objection.deadline},
                 compound_id=record.compound_id)
    attachments.add_staged("objections", objection, staged)
    notices.objection_filed(objection)
    db.session.commit()
    return objection


def answer_objection(objection: CreditObjection, *, uphold: bool, answer) -> CreditObjection:
    """District staff answer: uphold (the record is withdrawn and no longer counts) or reject.

    A record of a published period stays in that version until a correction re-publishes it.
    ``already_answered`` (409) for an objection answered before.
    """
    record = objection.record
    authorize("rating.publish", Target(district_id=record.district_id))
    reply = text(answer, "answer", _l("Answer"), 4000)
    objection.move_to(ObjectionStatus.upheld if uphold else ObjectionStatus.rejected)
    objection.answer = reply
    objection.answered_by = actor_name()
    objection.answered_at = utcnow()
    objection.answered_on = local_today()
    if uphold:
        record.move_to(CreditStatus.withdrawn)
        record.withdrawn_at, record.withdrawn_by = objection.answered_at, objection.answered_by
        record.withdrawn_via, record.withdraw_reason = "objection", objection.answer
    audit.record("objection.answer", "objection", objection.id,
                 {"record_id": record.id, "status": objection.status,
                  "answer": objection.answer,
                  "overdue": rules.is_overdue(objection.deadline, objection.answered_on,
                                              objection.answered_on)},
                 compound_id=record.compound_id)
    notices.objection_answered(objection)
    db.session.commit()
    return objection


def objection_overdue(objection: CreditObjection, today: dt.date | None = None) -> bool:
    return rules.is_overdue(objection.deadline, today or local_today(), objection.answered_on)


def _of_records(*conditions):
    return select(CreditObjection).join(
        CreditRecord, CreditRecord.id == CreditObjection.record_id).where(*conditions)


def objections_of_district(district_id: int) -> list[CreditObjection]:
    """Pending first (by deadline), then answered, newest first."""
    rows = list(db.session.scalars(_of_records(CreditRecord.district_id == district_id)))
    return sorted(rows, key=lambda o: (o.status != ObjectionStatus.pending,
                                       o.deadline if o.status == ObjectionStatus.pending
                                       else dt.date.max - (o.answered_on or o.deadline)))


def objections_of_company(company_id: int) -> list[CreditObjection]:
    return list(db.session.scalars(_of_records(CreditRecord.company_id == company_id)
                                   .order_by(CreditObjection.filed_at.desc())))
