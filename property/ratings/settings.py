"""A district's rating settings: the scheme (weights, thresholds), the inspection checklist,
the holidays that move the objection deadlines, and the office that issues the report.

Settings apply to periods not yet published; a published period keeps its frozen scheme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import District
from core import audit
from core.errors import DomainError, invalid
from core.extensions import db
from core.inputs import actor_name, text
from core.permissions import authorize
from core.types import utcnow
from property.ratings import rules
from property.ratings.models import RatingSettings

#: the default inspection checklist (检查考核细则): data a district may edit; maxima sum to 100
DEFAULT_CHECKLIST: tuple[dict, ...] = (
    {"code": "A", "label": "综合管理（制度、档案、公示）", "max": "10"},
    {"code": "B", "label": "房屋及共用部位维护", "max": "15"},
    {"code": "C", "label": "共用设施设备（电梯、消防、供水）", "max": "20"},
    {"code": "D", "label": "秩序维护与安全防范", "max": "15"},
    {"code": "E", "label": "环境卫生", "max": "15"},
    {"code": "F", "label": "绿化养护", "max": "10"},
    {"code": "G", "label": "装修管理与违法搭建巡查", "max": "10"},
    {"code": "H", "label": "客户服务与投诉处理", "max": "5"},
)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    max: Fraction


@dataclass(frozen=True)
class Settings:
    """A district's rating settings, parsed."""

    scheme: rules.Scheme
    checklist: tuple[ChecklistItem, ...]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    issuer: str
    saved: bool


def _checklist(items) -> tuple[ChecklistItem, ...]:
    return tuple(ChecklistItem(i["code"], i["label"], Fraction(i["max"])) for i in items)


def default_issuer(district: District) -> str:
    return f"{district.name}房屋管理局"


def settings_for(district: District) -> Settings:
    """The district's saved settings, or the defaults (``saved`` says which)."""
    row = db.session.scalar(select(RatingSettings).where(
        RatingSettings.district_id == district.id))
    if row is None:
        return Settings(rules.DEFAULT_SCHEME, _checklist(DEFAULT_CHECKLIST), frozenset(),
                        frozenset(), default_issuer(district), False)
    return Settings(rules.Scheme.from_dict(row.scheme), _checklist(row.checklist),
                    frozenset(dt.date.fromisoformat(d) for d in row.holidays or ()),
                    frozenset(dt.date.fromisoformat(d) for d in row.workdays or ()),
                    row.issuer or default_issuer(district), True)


def _parse_dates(value: str, field: str) -> list[str]:
    days = []
    for part in (value or "").replace(",", "\n").split():
        try:
            days.append(dt.date.fromisoformat(part.strip()).isoformat())
        except ValueError:
            raise invalid(_l("Not a date: %(text)s (write 2026-10-01)", text=part),
                          field) from None
    return sorted(set(days))


def parse_checklist(value: str) -> list[dict]:
    """Checklist lines "code | label | max points"; codes unique, maxima positive."""
    items, seen = [], set()
    for n, line in enumerate((value or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise invalid(_l("Checklist line %(n)s: write code | item | maximum points", n=n),
                          "checklist")
        try:
            most = Decimal(parts[2])
        except InvalidOperation:
            most = Decimal(-1)
        if not most.is_finite() or most <= 0 or most != most.quantize(Decimal("0.01")):
            raise invalid(_l("Checklist line %(n)s: the maximum must be a positive number",
                             n=n), "checklist")
        if parts[0] in seen:
            raise invalid(_l("Checklist line %(n)s: the code is used twice", n=n), "checklist")
        seen.add(parts[0])
        items.append({"code": parts[0][:16], "label": parts[1][:100], "max": str(most)})
    if not items:
        raise invalid(_l("The checklist needs at least one item"), "checklist")
    return items


def save_settings(district: District, *, scheme: dict, checklist: str, holidays: str = "",
                  workdays: str = "", issuer: str = "") -> Settings:
    """Save a district's scheme (weights, thresholds), checklist, holidays and issuer.

    Applies to periods not yet published; a published period keeps its frozen scheme.
    ``invalid_scheme`` (422) names what is wrong with the scheme.
    """
    authorize("rating.publish", district)
    try:
        parsed = rules.Scheme.from_dict(scheme)
    except ValueError as err:
        raise DomainError("invalid_scheme",
                          _l("The scheme is not valid: %(why)s", why=str(err)),
                          field="scheme") from None
    items = parse_checklist(checklist)
    row = db.session.scalar(select(RatingSettings).where(
        RatingSettings.district_id == district.id))
    if row is None:
        row = RatingSettings(district_id=district.id)
        db.session.add(row)
    row.scheme = parsed.to_dict()
    row.checklist = items
    row.holidays = _parse_dates(holidays, "holidays")
    row.workdays = _parse_dates(workdays, "workdays")
    row.issuer = text(issuer, "issuer", _l("Issuing office"), 100, required=False)
    row.updated_at, row.updated_by = utcnow(), actor_name()
    db.session.flush()
    audit.record("rating.settings", "district", district.id,
                 {"scheme": row.scheme, "checklist": items, "holidays": row.holidays,
                  "workdays": row.workdays, "issuer": row.issuer})
    db.session.commit()
    return settings_for(district)
