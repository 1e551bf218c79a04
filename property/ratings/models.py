"""Property companies (物业服务企业), their staff and service contracts; the evidence of each
rating period and the published red/black lists (红黑榜) — DOMAIN.md §5.

Scores are never stored as floats: a published score is kept exactly as ``"num/den"`` (the
``Fraction`` the rules computed) together with its value in hundredths rounded down, which is
what every page shows and what lists are sorted by.
"""

from __future__ import annotations

import datetime as dt
import enum
from fractions import Fraction

from sqlalchemy import (
    JSON,
    BigInteger,
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

from core.extensions import db, one_of
from core.idnumber import mask
from core.permissions import Target
from core.types import UTCDateTime, utcnow


class StaffRole(enum.StrEnum):
    """What a company's employee does on site."""

    project_manager = "project_manager"  # 项目经理
    manager = "manager"  # 管理人员
    customer_service = "customer_service"  # 客服
    engineering = "engineering"  # 工程维修
    security = "security"  # 秩序维护（保安）
    cleaning = "cleaning"  # 保洁
    greening = "greening"  # 绿化
    other = "other"


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


class Company(db.Model):
    """A property service company (物业服务企业), entered in a district's register."""

    __tablename__ = "property_company"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the district whose register the company was entered in (it manages this entry);
    #: the company may serve compounds in any district
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: 统一社会信用代码 (GB 32100-2015), upper case, check character verified
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    district = relationship("compounds.models.District", lazy="joined")
    staff: Mapped[list[StaffMember]] = relationship(
        "property.models.StaffMember", back_populates="company",
        order_by="property.models.StaffMember.name")

    def permission_target(self) -> Target:
        return Target(district_id=self.district_id, company_id=self.id)

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.uscc}>"


class StaffMember(db.Model):
    """An employee of a company (员工), project managers included.

    The owners'-committee vetting checks candidates against this register by ID number.
    """

    __tablename__ = "property_staff"
    __table_args__ = (
        UniqueConstraint("company_id", "id_number"),
        CheckConstraint(one_of("role", StaffRole), name="staff_role"),
        CheckConstraint("left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on",
                        name="staff_dates"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    #: 居民身份证号, validated; shown masked only
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(24), default=StaffRole.other.value)
    phone: Mapped[str] = mapped_column(String(32), default="")
    #: a project manager's certificate or registration number (项目经理证书)
    certificate: Mapped[str] = mapped_column(String(64), default="")
    joined_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: set when the person leaves the company; the record is kept
    left_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    company: Mapped[Company] = relationship("property.models.Company", back_populates="staff")

    @property
    def id_masked(self) -> str:
        return mask(self.id_number)

    def permission_target(self) -> Target:
        return self.company.permission_target()


class ServiceContract(db.Model):
    """A service contract (物业服务合同) between a company and a compound.

    A compound's contracts are kept when it changes company: the old one is ended the day
    before the new one starts, so the history reads as a sequence.
    """

    __tablename__ = "property_contract"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="contract_dates"),
        CheckConstraint("fee_fen > 0", name="contract_fee_positive"),
        Index("ix_property_contract_compound_dates", "compound_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    #: None: open-ended (until ended)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: property fee in fen per m² per month (物业费 元/㎡·月)
    fee_fen: Mapped[int] = mapped_column(Integer)
    project_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("property_staff.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    company: Mapped[Company] = relationship("property.models.Company", lazy="joined")
    compound = relationship("compounds.models.Compound", lazy="joined")
    project_manager: Mapped[StaffMember | None] = relationship("property.models.StaffMember")

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def permission_target(self) -> Target:
        c = self.compound
        return Target(district_id=c.street.district_id, street_id=c.street_id,
                      compound_id=c.id, company_id=self.company_id)


class RatingSettings(db.Model):
    """A district's rating settings: the scheme, the inspection checklist, holidays."""

    __tablename__ = "property_rating_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), unique=True)
    #: property.rules.Scheme.to_dict(): fractions as "a/b" strings
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


class CreditRecord(db.Model):
    """A credit record of a company in a district (信用记录): points with evidence."""

    __tablename__ = "property_credit_record"
    __table_args__ = (
        CheckConstraint(one_of("kind", CreditKind), name="credit_kind"),
        CheckConstraint("(kind = 'good' AND points > 0) OR (kind <> 'good' AND points < 0)",
                        name="credit_points_sign"),
        CheckConstraint("(kind = 'veto' AND veto_reason IS NOT NULL) OR "
                        "(kind <> 'veto' AND veto_reason IS NULL)", name="credit_veto_reason"),
        CheckConstraint(one_of("status", ("active", "withdrawn")), name="credit_status"),
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
    #: "withdrawn" after an upheld objection: it no longer counts
    status: Mapped[str] = mapped_column(String(12), default="active")
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    company: Mapped[Company] = relationship("property.models.Company", lazy="joined")
    compound = relationship("compounds.models.Compound")
    objection: Mapped[CreditObjection | None] = relationship(
        "property.models.CreditObjection", back_populates="record", uselist=False)

    @property
    def is_bad(self) -> bool:
        return self.points < 0

    def permission_target(self) -> Target:
        return Target(district_id=self.district_id, company_id=self.company_id)


class CreditObjection(db.Model):
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
    status: Mapped[str] = mapped_column(String(12), default=ObjectionStatus.pending.value)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(64), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    record: Mapped[CreditRecord] = relationship(
        "property.models.CreditRecord", back_populates="objection", lazy="joined")

    def permission_target(self) -> Target:
        return self.record.permission_target()


class RatingPeriod(db.Model):
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
        "property.models.RatingResult", back_populates="period", cascade="all, delete-orphan")

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

    period: Mapped[RatingPeriod] = relationship("property.models.RatingPeriod",
                                                back_populates="results")

    @property
    def score_fraction(self) -> Fraction | None:
        return None if self.score is None else Fraction(self.score)


class Rectification(db.Model):
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

    company: Mapped[Company] = relationship("property.models.Company", lazy="joined")

    def permission_target(self) -> Target:
        return Target(district_id=self.district_id, company_id=self.company_id)
