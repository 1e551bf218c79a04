"""The registry (房屋台账): district → street → compound → building → entrance → unit,
persons, title holdings and non-owner residents — the models every package builds on.

They are defined here rather than in `compounds/registry/` because the packages above name
them by module path in relationships (`relationship("compounds.models.Compound")`), which
SQLAlchemy resolves by the module a class is defined in. The 1+3+X's models are in
`compounds.org.models` (and the owners' activation codes in `compounds.accounts.models`),
imported below so that the metadata (and Alembic) sees their tables
whenever the package's models are loaded.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compounds.accounts import models as account_models  # noqa: F401  (activation codes)
from compounds.org import models as org_models  # noqa: F401  (their tables, see above)
from compounds.rules import NOTICE_DAYS_DEFAULT, NOTICE_DAYS_MAX, NOTICE_DAYS_MIN
from core.extensions import db, one_of
from core.idnumber import mask
from core.permissions import Target
from core.types import Area, UTCDateTime, utcnow


class AreaSource(enum.StrEnum):
    """Where a unit's exclusive area comes from, in the order the SPC interpretation ranks them."""

    registered = "registered"  # 不动产登记簿
    surveyed = "surveyed"  # 实测
    contract = "contract"  # 合同


class RequestFollowup(enum.StrEnum):
    """What a resident's request closed with satisfaction 2 or less becomes (the district
    says which): reopened with the same organisation, or sent up to the compound's party
    organisation."""

    reopen = "reopen"
    escalate = "escalate"


class District(db.Model):
    __tablename__ = "district"
    __table_args__ = (
        CheckConstraint(one_of("request_followup", RequestFollowup),
                        name="request_followup_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    #: a request closed with satisfaction ≤ 2: `RequestFollowup` (default: reopen)
    request_followup: Mapped[str] = mapped_column(String(16),
                                                  default=RequestFollowup.reopen.value)

    streets: Mapped[list[Street]] = relationship(back_populates="district")

    def permission_target(self) -> Target:
        return Target(district_id=self.id)


class Street(db.Model):
    """A street office or town (街道/镇)."""

    __tablename__ = "street"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    name: Mapped[str] = mapped_column(String(64))

    district: Mapped[District] = relationship(back_populates="streets", lazy="joined")

    def permission_target(self) -> Target:
        return Target(district_id=self.district_id, street_id=self.id)


class Compound(db.Model):
    """A residential compound (小区)."""

    __tablename__ = "compound"
    __table_args__ = (
        UniqueConstraint("street_id", "name"),
        # the law's floor (物业管理条例 art. 14) held by the database too (compounds.rules)
        CheckConstraint(f"notice_days >= {NOTICE_DAYS_MIN} AND notice_days <= {NOTICE_DAYS_MAX}",
                        name="notice_days_range"),
        CheckConstraint("fund_rate_fen IS NULL OR fund_rate_fen > 0", name="fund_rate_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    #: days a vote's notice must stand before it may open (物业管理条例 art. 14: at least 15;
    #: the compound may ask for more, up to 90 — compounds.rules)
    notice_days: Mapped[int] = mapped_column(Integer, default=NOTICE_DAYS_DEFAULT)
    #: first maintenance-fund deposit due per m², in fen; None when the city rate is not set
    fund_rate_fen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    street: Mapped[Street] = relationship(lazy="joined")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="compound", order_by="Building.sort_key"
    )

    def permission_target(self) -> Target:
        return Target(district_id=self.street.district_id, street_id=self.street_id,
                      compound_id=self.id)


def natural_key(text: str) -> str:
    """Sort "2" before "10" and "2A" after "2": zero-pad the leading digits."""
    digits = ""
    for ch in text:
        if ch.isdigit():
            digits += ch
        else:
            break
    rest = text[len(digits):]
    return (digits.zfill(6) if digits else "~") + rest


class Building(db.Model):
    """A building (楼/幢), optionally in a phase (期)."""

    __tablename__ = "building"
    __table_args__ = (
        UniqueConstraint("compound_id", "number"),
        CheckConstraint("floors >= 1 AND floors <= 200", name="floors_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    #: the building's number as written on it, e.g. "7" or "12A"
    number: Mapped[str] = mapped_column(String(16))
    sort_key: Mapped[str] = mapped_column(String(24), default="")
    phase: Mapped[str] = mapped_column(String(16), default="")
    floors: Mapped[int] = mapped_column(Integer, default=6)
    has_elevator: Mapped[bool] = mapped_column(Boolean, default=False)

    compound: Mapped[Compound] = relationship(back_populates="buildings")
    entrances: Mapped[list[Entrance]] = relationship(
        back_populates="building", order_by="Entrance.sort_key"
    )

    def permission_target(self) -> Target:
        return self.compound.permission_target()


class Entrance(db.Model):
    """An entrance (单元): a stairway with its own door."""

    __tablename__ = "entrance"
    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    sort_key: Mapped[str] = mapped_column(String(24), default="")

    building: Mapped[Building] = relationship(back_populates="entrances")


class Unit(db.Model):
    """A unit (房屋, 专有部分) with its exclusive area."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("entrance_id", "number"),
        CheckConstraint("area > 0", name="area_positive"),
        CheckConstraint("floor >= -5 AND floor <= 200", name="floor_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: denormalised from the entrance so that scope and totals need no joins
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    entrance_id: Mapped[int] = mapped_column(ForeignKey("entrance.id"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    sort_key: Mapped[str] = mapped_column(String(24), default="")
    floor: Mapped[int] = mapped_column(Integer)
    #: exclusive area in m² (专有部分面积)
    area: Mapped[Decimal] = mapped_column(Area)
    area_source: Mapped[str] = mapped_column(String(16), default=AreaSource.registered.value)
    #: unsold or sold-but-undelivered: the developer's units count together as one head
    developer_held: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "building-entrance-number", the label the API and the ledger use
    label: Mapped[str] = mapped_column(String(52))

    compound: Mapped[Compound] = relationship()
    building: Mapped[Building] = relationship()
    entrance: Mapped[Entrance] = relationship()
    holdings: Mapped[list[Holding]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="Holding.position"
    )
    residents: Mapped[list[Resident]] = relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )

    @property
    def holders(self) -> list[Person]:
        return [h.person for h in self.holdings]

    def permission_target(self) -> Target:
        c = self.compound
        return Target(district_id=c.street.district_id, street_id=c.street_id,
                      compound_id=c.id, unit_ids=frozenset({self.id}))


class Person(db.Model):
    """A natural person: an owner (title holder) or a resident."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    #: 居民身份证号, validated (GB 11643) and unique; shown only masked
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    phone: Mapped[str] = mapped_column(String(32), default="")

    holdings: Mapped[list[Holding]] = relationship(back_populates="person")
    residences: Mapped[list[Resident]] = relationship(back_populates="person")

    @property
    def id_masked(self) -> str:
        return mask(self.id_number)

    def permission_target(self) -> Target:
        """The person themself, and every unit where they hold title or live: registry staff
        of those compounds may see and correct them, nobody else."""
        places = {h.unit for h in self.holdings} | {r.unit for r in self.residences}
        return Target(person_id=self.id,
                      also=tuple(u.permission_target() for u in sorted(places, key=_unit_id)))


class Holding(db.Model):
    """Title (产权) to a unit held by a person; co-owners hold the same unit."""

    __tablename__ = "holding"
    __table_args__ = (UniqueConstraint("unit_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: order of names on the title, as in the ledger
    position: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit] = relationship(back_populates="holdings")
    person: Mapped[Person] = relationship(back_populates="holdings", lazy="joined")


class Resident(db.Model):
    """A non-owner resident (tenant, relative) living in a unit."""

    __tablename__ = "resident"
    __table_args__ = (UniqueConstraint("unit_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: tenant (租户), family (家属), other
    relation: Mapped[str] = mapped_column(String(16), default="tenant")

    unit: Mapped[Unit] = relationship(back_populates="residents")
    person: Mapped[Person] = relationship(lazy="joined", back_populates="residences")

    def permission_target(self) -> Target:
        return self.unit.permission_target()


def _unit_id(unit: Unit) -> int:
    return unit.id

