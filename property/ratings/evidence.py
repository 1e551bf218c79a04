"""The district's evidence of a period besides the survey: the inspection of each compound
(检查考核, itemised deductions) and the count of valid complaints (有效投诉)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from compounds.models import Compound, Unit
from core import audit
from core.errors import invalid
from core.extensions import db
from core.inputs import actor_name, date, local_today, text
from core.permissions import Target, authorize
from core.types import utcnow
from property.districts import compound_district
from property.ratings import rules
from property.ratings.models import ComplaintCount, Inspection
from property.ratings.periods import check_open, check_started, parse_period
from property.ratings.settings import settings_for


def _points_c(value, field: str, most: Fraction) -> int:
    entered = str(value).strip() if value is not None else ""
    if entered == "":
        return 0
    try:
        points = Decimal(entered)
    except InvalidOperation:
        points = Decimal(-1)
    if not points.is_finite() or points < 0 or points != points.quantize(Decimal("0.01")):
        raise invalid(_l("A deduction is a number of points with at most two decimals"), field)
    if Fraction(points) > most:
        raise invalid(_l("At most %(n)s points may be deducted for this item",
                         n=rules.score_str(most)), field)
    return int(points * 100)


def save_inspection(compound: Compound, period_code: str, *, inspected_on, deductions: dict,
                    inspector: str = "", note: str = "") -> Inspection:
    """The district inspection of a compound: deductions per checklist item (code → points,
    or (points, note)); score = max(0, 100 − Σ). Re-entering replaces it (audited)."""
    period = parse_period(period_code)
    district_id = compound_district(compound)
    authorize("rating.evidence", Target(district_id=district_id))  # district staff only
    check_started(period)
    check_open(district_id, period.code)
    day = date(inspected_on, "inspected_on", _l("Inspected on"))
    if not period.start <= day <= period.end:
        raise invalid(_l("The inspection date must fall within %(p)s (%(a)s to %(b)s)",
                         p=period.code, a=period.start.isoformat(), b=period.end.isoformat()),
                      "inspected_on")
    if day > local_today():
        raise invalid(_l("The inspection date is in the future"), "inspected_on")
    settings = settings_for(compound.street.district)
    items = []
    total_c = 0
    known = {i.code: i for i in settings.checklist}
    for code, value in (deductions or {}).items():
        if code not in known:
            raise invalid(_l("Unknown checklist item: %(c)s", c=code), "deductions")
        points, item_note = (value if isinstance(value, tuple | list) else (value, ""))
        c = _points_c(points, f"deduct_{code}", known[code].max)
        if c:
            items.append({"code": code, "label": known[code].label,
                          "points": f"{c // 100}.{c % 100:02d}",
                          "note": (item_note or "").strip()[:200]})
            total_c += c
    row = inspection_of(compound.id, period.code)
    before = None if row is None else {"deducted_c": row.deducted_c, "items": row.deductions}
    if row is None:
        row = Inspection(period=period.code, compound_id=compound.id)
        db.session.add(row)
    row.inspected_on = day
    row.inspector = text(inspector, "inspector", _l("Inspector"), 64,
                         required=False) or actor_name()
    row.deductions = items
    row.deducted_c = total_c
    row.note = text(note, "note", _l("Note"), 2000, required=False)
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("inspection.save", "inspection", row.id,
                 {"period": period.code, "before": before,
                  "after": {"deducted_c": total_c, "items": items}}, compound_id=compound.id)
    db.session.commit()
    return row


def inspection_of(compound_id: int, period_code: str) -> Inspection | None:
    return db.session.scalar(select(Inspection).where(
        Inspection.compound_id == compound_id, Inspection.period == period_code))


def _count(valid) -> int:
    if isinstance(valid, bool):
        valid = None
    try:
        count = int(str(valid).strip())
    except (TypeError, ValueError):
        count = -1
    if count < 0 or str(valid).strip() != str(count):
        raise invalid(_l("Valid complaints must be a whole number, 0 or more"), "valid")
    return count


#: the most valid complaints a quarter may count per household (see save_complaints)
COMPLAINTS_PER_HOUSEHOLD = 12


def save_complaints(compound: Compound, period_code: str, valid, *, note: str = "",
                    source: str = "manual") -> ComplaintCount:
    """The number of valid complaints about the property service in a compound in a period.

    Entered by district staff or the residents' committee; it overrides the count of valid
    resident requests for that compound and period (see scoring.compute).
    """
    period = parse_period(period_code)
    authorize("rating.evidence", compound)
    check_started(period)
    check_open(compound_district(compound), period.code)
    count = _count(valid)
    # A bound, not a judgement: at most 12 valid complaints per household in a quarter —
    # nearly one a week from every home, far beyond any compound's record — so that a slip
    # of the keyboard (100000 for 10) cannot sink a company's score unnoticed.
    homes = db.session.scalar(select(func.count(Unit.id)).where(
        Unit.compound_id == compound.id)) or 0
    if count > homes * COMPLAINTS_PER_HOUSEHOLD:
        raise invalid(_l("%(n)s valid complaints is more than %(k)s per household of the "
                         "compound's %(h)s in one quarter: check the number", n=count,
                         k=COMPLAINTS_PER_HOUSEHOLD, h=homes), "valid")
    row = complaints_of(compound.id, period.code)
    before = None if row is None else row.valid
    if row is None:
        row = ComplaintCount(period=period.code, compound_id=compound.id)
        db.session.add(row)
    row.valid, row.source = count, source
    row.note = text(note, "note", _l("Note"), 200, required=False)
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("complaints.save", "complaints", row.id,
                 {"period": period.code, "before": before, "after": count, "source": source},
                 compound_id=compound.id)
    db.session.commit()
    return row


def complaints_of(compound_id: int, period_code: str) -> ComplaintCount | None:
    return db.session.scalar(select(ComplaintCount).where(
        ComplaintCount.compound_id == compound_id, ComplaintCount.period == period_code))
