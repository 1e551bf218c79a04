"""Property-fee arrears lists (物业费欠费清单): what the property company (or the owners'
committee) says each unit of a compound owed on a day, imported whole from its spreadsheet.

Tongxin keeps no property-fee ledger; a candidate's vetting (owners_committee.election)
reads the latest list of the last three months instead of asking the company each time.
A list is never edited: a corrected list is a new import with its own "as of" date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compounds.models import Compound, Unit
from core.extensions import db, one_of
from core.permissions import Target
from core.types import UTCDateTime, utcnow

#: who issued the list: the company serving the compound, or the owners' committee
ISSUERS = ("company", "owners_committee")


class FeeArrearsList(db.Model):
    """One imported list: the compound, the day it speaks of, who issued it."""

    __tablename__ = "property_fee_arrears_list"
    __table_args__ = (
        CheckConstraint(one_of("issuer", ISSUERS), name="issuer_known"),
        CheckConstraint("units_owing >= 0 AND total_fen >= 0", name="totals_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    #: the day the arrears stand on (清单截止日期); never in the future when imported
    as_of: Mapped[dt.date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(24))
    #: the serving company's name when the company issued it (kept: contracts change)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    units_listed: Mapped[int] = mapped_column(Integer, default=0)
    units_owing: Mapped[int] = mapped_column(Integer, default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    imported_by: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound: Mapped[Compound] = relationship()
    lines: Mapped[list[FeeArrearsLine]] = relationship(
        back_populates="arrears_list", cascade="all, delete-orphan",
        order_by="FeeArrearsLine.id")

    def permission_target(self) -> Target:
        return self.compound.permission_target()


class FeeArrearsLine(db.Model):
    """A unit on a list and what it owed (0: listed as owing nothing)."""

    __tablename__ = "property_fee_arrears_line"
    __table_args__ = (
        UniqueConstraint("list_id", "unit_id"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("property_fee_arrears_list.id"),
                                         index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    arrears_list: Mapped[FeeArrearsList] = relationship(back_populates="lines")
    unit: Mapped[Unit] = relationship()
