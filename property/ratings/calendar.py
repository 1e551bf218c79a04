"""The working calendar that counts "within N working days" (an objection's answer): China's
official holidays and make-up working days (调休) from the `chinese-calendar` package, the
district's own days (`LocalDay`, and the older lists on the rating settings), and — for a
year the package has no data for yet — the days the district enters from the State
Council's notice. A deadline that runs into a year nobody has entered is *provisional*:
counted on weekends alone and said so, never silently taken as final. Entering the year
recomputes the pending deadlines of the district.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar.constants as official
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from compounds.models import District
from core import audit, inputs
from core.errors import conflict, invalid
from core.extensions import db
from core.inputs import actor_name
from core.permissions import authorize
from core.types import utcnow
from property.ratings import rules
from property.ratings.models import CreditObjection, CreditRecord, LocalDay, ObjectionStatus
from property.ratings.settings import settings_for

#: the years the package's data cover (its holidays table ends with the last year it knows)
PACKAGE_YEARS = frozenset(range(min(official.holidays).year,
                                max(official.holidays).year + 1))


@dataclass(frozen=True)
class WorkCalendar:
    """A district's days off and worked weekend days, and the years it knows fully."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    known_years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        return rules.is_working_day(day, self.holidays, self.workdays)

    def add_working_days(self, start: dt.date, n: int) -> Deadline:
        """`n` working days after `start`; provisional when a day counted lies in a year
        whose official calendar is not known (the unknown years are listed)."""
        end = rules.add_working_days(start, n, self.holidays, self.workdays)
        unknown = tuple(y for y in range(start.year, end.year + 1)
                        if y not in self.known_years)
        return Deadline(end, unknown)


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    unknown_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.unknown_years)


def _local_rows(district_id: int) -> list[LocalDay]:
    return list(db.session.scalars(select(LocalDay).where(LocalDay.district_id == district_id)
                                   .order_by(LocalDay.day, LocalDay.id)))


def calendar_for(district: District) -> WorkCalendar:
    """The district's working calendar: the national one, then the district's own days
    (a local entry wins over the package for its day)."""
    holidays = set(official.holidays)
    workdays = set(official.workdays)
    settings = settings_for(district)
    rows = _local_rows(district.id)
    local_off = set(settings.holidays) | {r.day for r in rows if not r.working}
    local_on = set(settings.workdays) | {r.day for r in rows if r.working}
    holidays = (holidays - local_on) | local_off
    workdays = (workdays - local_off) | local_on
    known = PACKAGE_YEARS | {r.day.year for r in rows if r.official}
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(known))


def objection_deadline(district: District, received: dt.date) -> Deadline:
    return calendar_for(district).add_working_days(received,
                                                   rules.OBJECTION_ANSWER_WORKING_DAYS)


def local_days(district: District) -> list[LocalDay]:
    authorize("district.settings", district)
    return _local_rows(district.id)


def add_local_day(district: District, *, day, working, official_notice=False,
                  note="") -> LocalDay:
    """District staff add a day: a local holiday, a worked day, or (``official_notice``) a
    day of the State Council's notice for a year the package does not cover — which makes
    that year known. Pending objection deadlines are recomputed."""
    authorize("district.settings", district)
    when = inputs.date(day, "day", _l("Date"))
    note = inputs.text(note, "note", _l("Note"), 200, required=False)
    if db.session.scalar(select(LocalDay.id).where(LocalDay.district_id == district.id,
                                                   LocalDay.day == when)):
        raise conflict("duplicate", _l("%(d)s is already in the list", d=when.isoformat()),
                       "day")
    if official_notice and when.year in PACKAGE_YEARS:
        raise invalid(_l("The national calendar already covers %(y)s; add the day as a local "
                         "day", y=when.year), "official")
    row = LocalDay(district_id=district.id, day=when, working=bool(working),
                   official=bool(official_notice), note=note, added_by=actor_name(),
                   added_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record("calendar.day_add", "district", district.id,
                 {"day": when, "working": row.working, "official": row.official,
                  "note": note})
    _recompute(district)
    db.session.commit()
    return row


def remove_local_day(district: District, day_id) -> None:
    authorize("district.settings", district)
    row = db.session.scalar(select(LocalDay).where(LocalDay.district_id == district.id,
                                                   LocalDay.id == int(day_id)))
    if row is None:
        raise invalid(_l("No such day in the list"), "day")
    snapshot = {"day": row.day, "working": row.working, "official": row.official}
    db.session.execute(delete(LocalDay).where(LocalDay.id == row.id))
    audit.record("calendar.day_remove", "district", district.id, snapshot)
    _recompute(district)
    db.session.commit()


def _recompute(district: District) -> None:
    """Pending objections of the district: their deadline by the calendar as it now is."""
    db.session.flush()
    pending = db.session.scalars(
        select(CreditObjection).join(CreditRecord, CreditRecord.id == CreditObjection.record_id)
        .where(CreditRecord.district_id == district.id,
               CreditObjection.status == ObjectionStatus.pending.value))
    cal = calendar_for(district)
    for o in pending:
        d = cal.add_working_days(o.received_on, rules.OBJECTION_ANSWER_WORKING_DAYS)
        o.deadline, o.deadline_provisional = d.day, d.provisional
