"""The register: property companies (物业服务企业), their staff and their service contracts.

Table names are those of the first schema (``property_company``, …): moving the classes
into this sub-package changed no table.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    or_,
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
        "property.companies.models.StaffMember", back_populates="company",
        order_by="property.companies.models.StaffMember.name")

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

    company: Mapped[Company] = relationship("property.companies.models.Company",
                                            back_populates="staff")

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

    company: Mapped[Company] = relationship("property.companies.models.Company", lazy="joined")
    compound = relationship("compounds.models.Compound", lazy="joined")
    project_manager: Mapped[StaffMember | None] = relationship(
        "property.companies.models.StaffMember")

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    @classmethod
    def during(cls, start: dt.date, end: dt.date):
        """SQL: the contract is in force on some day from `start` to `end` (one day: `covers`)."""
        return cls.starts_on <= end, or_(cls.ends_on.is_(None), cls.ends_on >= start)

    def permission_target(self) -> Target:
        c = self.compound
        return Target(district_id=c.street.district_id, street_id=c.street_id,
                      compound_id=c.id, company_id=self.company_id)
