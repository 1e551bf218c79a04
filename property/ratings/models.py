"""The ratings (物业服务评价): each period's evidence, credit records with their objections,
the published versions of the red/black lists (红黑榜) and the rectification replies —
DOMAIN.md §5.

Scores are never stored as floats: a published score is kept exactly as ``"num/den"`` (the
``Fraction`` the rules computed) together with its value in hundredths rounded down, which is
what every page shows and what lists are sorted by.

Each status field has one state machine, written here once: ``MOVES`` says where a status
may go, ``move_to`` makes the move or refuses it with the API's 409 (``refused`` says how).
Services never compare statuses by hand to decide a transition.
"""

from __future__ import annotations

import datetime as dt
import enum
from fractions import Fraction
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.errors import DomainError, conflict
from core.extensions import db, one_of
from core.permissions import Target
from core.types import UTCDateTime, utcnow
from property.companies.models import Company


class CreditKind(enum.StrEnum):
    """A credit record (信用记录): good (+), bad (−) or a one-vote veto (一票否决, −)."""

    good = "good"
    bad = "bad"
    veto = "veto"


class VetoReason(enum.StrEnum):
    """The veto matters of DOMAIN §5: each puts the company on the black list."""

    safety_accident = "safety_accident"  # 重大安全责任事故
    fund_misuse = "fund_misuse"  # 挪用维修资金
    abandonment = "abandonment"  # 擅自撤离小区（弃管）


class PeriodStatus(enum.StrEnum):
    """State of one published version of a district's rating period.

    The newest version is ``published`` (frozen) or ``correcting`` (opened for a correction,
    evidence editable by district staff; still the version the public sees); older versions
    are ``superseded`` and stay visible to district staff.
    """

    published = "published"
    correcting = "correcting"
    superseded = "superseded"


class ObjectionStatus(enum.StrEnum):
    pending = "pending"
    upheld = "upheld"  # the record is withdrawn
    rejected = "rejected"


class RectificationStatus(enum.StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


#: the lists that call for a rectification reply (整改回复)
CALLING_LISTS = ("warning", "black")


class CreditStatus(enum.StrEnum):
    active = "active"
    withdrawn = "withdrawn"  # after an upheld objection: it no longer counts


class Guarded:
    """A model with a status field and its state machine.

    A subclass names its status enum (``STATUS``), the moves each status may make
    (``MOVES``), and says in ``refused(target)`` why a move into `target` is refused.
    """

    STATUS: ClassVar[type[enum.StrEnum]]
    MOVES: ClassVar[dict]

    def can_move_to(self, status) -> bool:
        return self.STATUS(status) in self.MOVES[self.STATUS(self.status)]

    def move_to(self, status) -> None:
        """Make the move, or refuse it (409) and change nothing."""
        if not self.can_move_to(status):
            raise self.refused(self.STATUS(status))
        self.status = self.STATUS(status).value

    def refused(self, status) -> DomainError:
        """The 409 that refuses a move into `status` (each model says why)."""
        raise NotImplementedError


class RatingSettings(db.Model):
    """A district's rating settings: the scheme, the inspection checklist, holidays."""

    __tablename__ = "property_rating_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), unique=True)
    #: property.ratings.rules.Scheme.to_dict(): fractions as "a/b" strings
    scheme: Mapped[dict] = mapped_column(JSON)
    #: [{"code", "label", "max": "10"}]: the inspection checklist (检查考核细则)
    checklist: Mapped[list] = mapped_column(JSON)
    #: ISO dates of public holidays and of weekend make-up working days (调休)
    holidays: Mapped[list] = mapped_column(JSON, default=list)
    workdays: Mapped[list] = mapped_column(JSON, default=list)
    #: issuing office printed on the report and its seal box
    issuer: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class LocalDay(db.Model):
    """A day of the district's own working calendar: a local holiday or a working day that
    the national calendar does not know, or a day of a year the calendar package has no
    data for, entered from the State Council's notice (`official`)."""

    __tablename__ = "property_local_day"
    __table_args__ = (UniqueConstraint("district_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    #: True: a working day (e.g. a make-up Saturday); False: a day off
    working: Mapped[bool] = mapped_column(Boolean)
    #: from the State Council's notice for a year the package does not cover
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    added_by: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyResponse(db.Model):
    """One unit's owner-satisfaction answers for a period (业主满意度测评), 1–5 per item.

    One response per unit per period, whoever of the co-owners gives it and whether online
    or on paper (the residents' committee enters paper forms).
    """

    __tablename__ = "property_survey_response"
    __table_args__ = (
        UniqueConstraint("period", "unit_id", name="uq_survey_period_unit"),
        CheckConstraint("answered >= 1 AND answered <= 5", name="survey_answered"),
        CheckConstraint("total >= answered AND total <= 5 * answered", name="survey_total"),
        CheckConstraint(one_of("channel", ("online", "paper")), name="survey_channel"),
        *(CheckConstraint(f"{item} IS NULL OR ({item} >= 1 AND {item} <= 5)",
                          name=f"survey_{item}_range")
          for item in ("cleaning", "security", "greening", "repairs", "attitude")),
        Index("ix_property_survey_period_compound", "period", "compound_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(6))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    cleaning: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    security: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    greening: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    repairs: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    attitude: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    #: items answered and the sum of the answers: the satisfaction score aggregates these
    answered: Mapped[int] = mapped_column(SmallInteger)
    total: Mapped[int] = mapped_column(SmallInteger)
    channel: Mapped[str] = mapped_column(String(8), default="online")
    #: the paper form's number
    serial: Mapped[str] = mapped_column(String(32), default="")
    entered_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Inspection(db.Model):
    """The district's inspection of a compound in a period (检查考核): itemised deductions."""

    __tablename__ = "property_inspection"
    __table_args__ = (
        UniqueConstraint("period", "compound_id", name="uq_inspection_period_compound"),
        CheckConstraint("deducted_c >= 0", name="inspection_deduction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(6), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    inspected_on: Mapped[dt.date] = mapped_column(Date)
    inspector: Mapped[str] = mapped_column(String(64), default="")
    #: [{"code", "label", "points": "2.50", "note"}] for each checklist item with a deduction
    deductions: Mapped[list] = mapped_column(JSON, default=list)
    #: Σ deductions in hundredths of a point; score = max(0, 100 − Σ)
    deducted_c: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def score(self) -> Fraction:
        return max(Fraction(0), 100 - Fraction(self.deducted_c, 100))


class ComplaintCount(db.Model):
    """Valid complaints about the property service in a compound in a period (有效投诉)."""

    __tablename__ = "property_complaint_count"
    __table_args__ = (
        UniqueConstraint("period", "compound_id", name="uq_complaints_period_compound"),
        CheckConstraint("valid >= 0", name="complaints_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(6), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    #: "manual" (entered) or "requests" (fed from resident requests)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditRecord(Guarded, db.Model):
    """A credit record of a company in a district (信用记录): points with evidence."""

    __tablename__ = "property_credit_record"
    __table_args__ = (
        CheckConstraint(one_of("kind", CreditKind), name="credit_kind"),
        CheckConstraint("(kind = 'good' AND points > 0) OR (kind <> 'good' AND points < 0)",
                        name="credit_points_sign"),
        CheckConstraint("(kind = 'veto' AND veto_reason IS NOT NULL) OR "
                        "(kind <> 'veto' AND veto_reason IS NULL)", name="credit_veto_reason"),
        CheckConstraint(one_of("status", CreditStatus), name="credit_status"),
        Index("ix_property_credit_district_period", "district_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"), index=True)
    #: the district that recorded it; the record counts in that district's rating
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compound.id"), nullable=True)
    #: the project manager concerned, if any
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("property_staff.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(8))
    veto_reason: Mapped[str | None] = mapped_column(String(24), nullable=True)
    #: signed: good +1…+5, bad and veto −1…−20 (the scheme's limits)
    points: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    #: the rating period of occurred_on, e.g. "2026Q3"
    period: Mapped[str] = mapped_column(String(6))
    evidence: Mapped[str] = mapped_column(Text)
    #: "withdrawn" after an upheld objection or by the district's own correction: it no
    #: longer counts, and stays visible (marked) with who withdrew it, when and why
    status: Mapped[str] = mapped_column(String(12), default=CreditStatus.active.value)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[str] = mapped_column(String(64), default="")
    #: "objection" (upheld) or "district" (district staff's own mistake)
    withdrawn_via: Mapped[str] = mapped_column(String(12), default="")
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    company: Mapped[Company] = relationship("property.companies.models.Company", lazy="joined")
    compound = relationship("compounds.models.Compound")
    objection: Mapped[CreditObjection | None] = relationship(
        "property.ratings.models.CreditObjection", back_populates="record", uselist=False)

    STATUS = CreditStatus
    MOVES: ClassVar[dict] = {CreditStatus.active: {CreditStatus.withdrawn},
                             CreditStatus.withdrawn: set()}

    def refused(self, status) -> DomainError:
        return conflict("not_objectionable", _l("This record has been withdrawn."))

    @property
    def is_bad(self) -> bool:
        return self.points < 0

    def permission_target(self) -> Target:
        return Target(district_id=self.district_id, company_id=self.company_id)


class CreditObjection(Guarded, db.Model):
    """A company's objection to a bad record (异议), answered within 5 working days."""

    __tablename__ = "property_objection"
    __table_args__ = (
        CheckConstraint(one_of("status", ObjectionStatus), name="objection_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: one objection per record
    record_id: Mapped[int] = mapped_column(ForeignKey("property_credit_record.id"), unique=True)
    grounds: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(64), default="")
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the working day count starts from this date (Beijing time)
    received_on: Mapped[dt.date] = mapped_column(Date)
    #: last day to answer: 5 working days after received_on
    deadline: Mapped[dt.date] = mapped_column(Date)
    #: the deadline ran into a year whose official holidays were not known (the calendar
    #: package's data ends, and the district had not entered the year): counted on weekends
    #: alone until the year is entered, which recomputes it
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=ObjectionStatus.pending.value)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(64), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    record: Mapped[CreditRecord] = relationship(
        "property.ratings.models.CreditRecord", back_populates="objection", lazy="joined")

    STATUS = ObjectionStatus
    MOVES: ClassVar[dict] = {
        ObjectionStatus.pending: {ObjectionStatus.upheld, ObjectionStatus.rejected},
        ObjectionStatus.upheld: set(), ObjectionStatus.rejected: set()}

    def refused(self, status) -> DomainError:
        return conflict("already_answered", _l("This objection has been answered."))

    def permission_target(self) -> Target:
        return self.record.permission_target()


class RatingPeriod(Guarded, db.Model):
    """One published version of a district's rating period (e.g. 2026Q3, version 2).

    Publishing freezes the period with the scheme it used; a correction publishes a new
    version with its reason. Unpublished periods have no row: their draft is computed live.
    """

    __tablename__ = "property_rating_period"
    __table_args__ = (
        UniqueConstraint("district_id", "code", "version", name="uq_rating_period_version"),
        CheckConstraint(one_of("status", PeriodStatus), name="rating_period_status"),
        CheckConstraint("version >= 1", name="rating_period_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    code: Mapped[str] = mapped_column(String(6))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default=PeriodStatus.published.value)
    #: the scheme used, frozen (Scheme.to_dict())
    scheme: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(64), default="")
    #: why this version corrects the one before (empty for version 1)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: while correcting: the reason given when the correction was opened
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    #: summary figures at publication (counts), for pages and the report
    summary: Mapped[dict] = mapped_column(JSON, default=dict)

    district = relationship("compounds.models.District", lazy="joined")
    results: Mapped[list[RatingResult]] = relationship(
        "property.ratings.models.RatingResult", back_populates="period",
        cascade="all, delete-orphan")

    STATUS = PeriodStatus
    #: publish a correction: correcting → superseded (the new version is published);
    #: close it without one: correcting → published
    MOVES: ClassVar[dict] = {
        PeriodStatus.published: {PeriodStatus.correcting},
        PeriodStatus.correcting: {PeriodStatus.published, PeriodStatus.superseded},
        PeriodStatus.superseded: set()}

    def refused(self, status) -> DomainError:
        return self.refusal(PeriodStatus(status), self.code)

    @staticmethod
    def refusal(status: PeriodStatus, code: str) -> DomainError:
        """Why the newest version of period `code` cannot move into `status` — also the
        answer when the period has no published version at all."""
        if status == PeriodStatus.correcting:
            return conflict("not_published", _l("Only a published period can be corrected."))
        if status == PeriodStatus.published:
            return conflict("not_correcting", _l("This period is not being corrected."))
        return conflict("already_published",
                        _l("Period %(p)s is published; open a correction to change it.", p=code))

    def permission_target(self) -> Target:
        return Target(district_id=self.district_id)


class RatingResult(db.Model):
    """A company's frozen result in one published version: score, list and explanation."""

    __tablename__ = "property_rating_result"
    __table_args__ = (
        UniqueConstraint("period_id", "company_id", name="uq_rating_result_company"),
        CheckConstraint("listing IS NULL OR " + one_of("listing", ("red", "black", "warning")),
                        name="rating_result_listing"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("property_rating_period.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"), index=True)
    #: name and code as published (a later rename does not rewrite a published list)
    company_name: Mapped[str] = mapped_column(String(100))
    uscc: Mapped[str] = mapped_column(String(18))
    #: exact score "num/den"; None when no compound had a score
    score: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: the score in hundredths, rounded down (what is shown; for sorting)
    score_c: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    listing: Mapped[str | None] = mapped_column(String(8), nullable=True)
    households: Mapped[int] = mapped_column(Integer, default=0)
    compounds: Mapped[int] = mapped_column(Integer, default=0)
    #: the explanation: compounds, credit, reasons (JSON of strings and ints, no floats)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    period: Mapped[RatingPeriod] = relationship("property.ratings.models.RatingPeriod",
                                                back_populates="results")

    @property
    def score_fraction(self) -> Fraction | None:
        return None if self.score is None else Fraction(self.score)


class Rectification(Guarded, db.Model):
    """A warned or black-listed company's rectification reply (整改回复) and its review."""

    __tablename__ = "property_rectification"
    __table_args__ = (
        CheckConstraint(one_of("status", RectificationStatus), name="rectification_status"),
        Index("ix_property_rectification_company", "company_id", "district_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    period: Mapped[str] = mapped_column(String(6))
    #: the list that called for it: "warning" or "black"
    listing: Mapped[str] = mapped_column(String(8))
    reply: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(64), default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default=RectificationStatus.submitted.value)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    company: Mapped[Company] = relationship("property.companies.models.Company", lazy="joined")

    STATUS = RectificationStatus
    MOVES: ClassVar[dict] = {
        RectificationStatus.submitted: {RectificationStatus.accepted,
                                        RectificationStatus.returned},
        RectificationStatus.accepted: set(), RectificationStatus.returned: set()}

    def refused(self, status) -> DomainError:
        return conflict("already_reviewed", _l("This reply has been reviewed."))

    def permission_target(self) -> Target:
        return Target(district_id=self.district_id, company_id=self.company_id)
