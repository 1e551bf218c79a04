"""Owners' votes (业主共同决定事项): the vote, its frozen roll, ballots, refused attempts, and
elevator retrofit projects (加装电梯).

The roll (表决名册) is a frozen copy of the registry taken when the vote opens: voter groups
(title-holder groups, one head each), their units with areas and floors, and the holders'
names and phones for the door-knocking list. Later registry edits never change it.

The database, not the code, guarantees "one voter, one ballot": a partial unique index on
(vote_id, group_id) over ballots that are not voided. Two simultaneous ballots for the same
voter cannot both be committed, whatever the channel.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import secrets
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
    or_,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.dml import Update

from core import hooks
from core.errors import DomainError, conflict
from core.extensions import db, one_of
from core.permissions import Target
from core.states import StateMachine
from core.types import Area, UTCDateTime, utcnow


class VoteStatus(enum.StrEnum):
    """draft → announced → open → closed → published; cancelled before it closes (a count
    once made is never withdrawn); revoked after it closes, only by the street office or the
    district (物业管理条例 art. 19), the result kept and marked. `_MOVES` is the one place
    the allowed moves are written; `Vote.move_to` makes them."""

    draft = "draft"  # 草稿
    announced = "announced"  # 已公告 (notice period running)
    open = "open"  # 表决中 (roll frozen)
    closed = "closed"  # 已截止 (result computed)
    published = "published"  # 结果已公告
    cancelled = "cancelled"  # 已取消
    revoked = "revoked"  # 已撤销 (by the street office or district, after the close)


_MOVES = {
    VoteStatus.draft: {VoteStatus.announced, VoteStatus.cancelled},
    VoteStatus.announced: {VoteStatus.open, VoteStatus.cancelled},
    VoteStatus.open: {VoteStatus.closed, VoteStatus.cancelled},
    VoteStatus.closed: {VoteStatus.published, VoteStatus.revoked},
    VoteStatus.published: {VoteStatus.revoked},
    VoteStatus.cancelled: set(),
    VoteStatus.revoked: set(),
}

#: what a refused move says, by the state it aimed at (the API's code, the people's message)
_REFUSALS = {
    VoteStatus.announced: ("invalid_state", _l("Only a draft can be announced")),
    VoteStatus.open: ("invalid_state", _l("Only an announced vote can be opened")),
    VoteStatus.closed: ("vote_not_open", _l("Only an open vote can be closed")),
    VoteStatus.published: ("invalid_state", _l("Only a closed vote's result can be published")),
    VoteStatus.cancelled: ("vote_closed", _l("The vote has closed and its count stands: it "
                                             "can no longer be cancelled")),
    VoteStatus.revoked: ("invalid_state", _l("Only a closed vote can be revoked")),
}

#: a result stands (computed at closing, not revoked) in these states
DECIDED = (VoteStatus.closed.value, VoteStatus.published.value)
#: a result was computed and stays readable in these states (a revoked one is marked so)
COUNTED = (*DECIDED, VoteStatus.revoked.value)


class RuleVariant(enum.StrEnum):
    """Which rule counts the vote: the art. 278 rule of its matter, or the Shanghai elevator
    common-land rule (double 2/3 turnout, double more-than-half consent)."""

    standard = "standard"
    elevator_land = "elevator_land"


class Channel(enum.StrEnum):
    online = "online"  # the owner, signed in
    paper = "paper"  # signed paper ballot entered by serial number
    proxy = "proxy"  # by a proxy holding a written authorisation


MATTERS = ("rules", "covenant", "committee", "manager", "use_fund", "raise_fund", "rebuild",
           "common_use", "other")



class Vote(StateMachine, db.Model):
    """One owners' decision on one matter within one scope (表决)."""

    STATUS = VoteStatus
    MOVES = _MOVES

    __tablename__ = "vote"
    __table_args__ = (
        CheckConstraint(one_of("matter", MATTERS), name="matter_known"),
        CheckConstraint(one_of("status", [s.value for s in VoteStatus]), name="status_known"),
        CheckConstraint(one_of("rule_variant", [v.value for v in RuleVariant]),
                        name="rule_variant_known"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
                        name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: the full text owners read before voting (表决事项全文)
    question: Mapped[str] = mapped_column(Text, default="")
    #: art. 278 matter, the API's string (see votes.rules.Matter)
    matter: Mapped[str] = mapped_column(String(16))
    rule_variant: Mapped[str] = mapped_column(String(16), default=RuleVariant.standard.value)
    status: Mapped[str] = mapped_column(String(16), default=VoteStatus.draft.value, index=True)
    #: per-unit choices are printed on the result notice only when this is set
    publish_names: Mapped[bool] = mapped_column(Boolean, default=False)
    #: who issues the notices (e.g. "××居民委员会"); empty = the compound's residents' committee
    issuer: Mapped[str] = mapped_column(String(100), default="")
    #: where paper ballots are dropped or collected (纸质表决票投放地点), printed on the notice
    paper_collection: Mapped[str] = mapped_column(String(200), default="")
    #: the unguessable key of the notice's public page (set when announced): the page names
    #: no person, and a key, not the id, keeps anyone from walking through every vote
    public_key: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    #: planned opening and closing; no ballot is accepted at or after closes_at
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: when the notice (公告) was published, and the earliest moment the vote may open
    announced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    may_open_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    #: revocation by the street office or district: when, by whom, why, on what legal basis
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str] = mapped_column(String(100), default="")
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    revoke_basis: Mapped[str] = mapped_column(Text, default="")
    #: the frozen roll's totals (denominators of turnout), set when the vote opens
    roll_units: Mapped[int | None] = mapped_column(Integer, nullable=True)
    roll_area: Mapped[Decimal | None] = mapped_column(Area, nullable=True)
    roll_heads: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the result as computed at closing (JSON); never recomputed afterwards
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")
    scopes: Mapped[list[VoteScope]] = relationship(
        back_populates="vote", cascade="all, delete-orphan", order_by="VoteScope.id")
    extensions: Mapped[list[VoteExtension]] = relationship(
        back_populates="vote", cascade="all, delete-orphan", order_by="VoteExtension.id")

    @staticmethod
    def new_public_key() -> str:
        """The notice's public page key: 24 URL-safe characters (144 random bits)."""
        return secrets.token_urlsafe(18)

    @staticmethod
    def refused(status: VoteStatus) -> DomainError:
        """The 409 of a move to `status` that the vote's state does not allow (also when the
        guarded UPDATE below found the row already moved)."""
        code, message = _REFUSALS[status]
        return conflict(code, message)

    @classmethod
    def guarded_move(cls, vote_id: int, status: VoteStatus, **values) -> Update:
        """The UPDATE that makes the move only if the row is still in a state it may leave
        from, so that two requests at once cannot both make it (rowcount says who did)."""
        sources = [s.value for s, targets in _MOVES.items() if status in targets]
        return (update(cls).where(cls.id == vote_id, cls.status.in_(sources))
                .values(status=status.value, **values)
                .execution_options(synchronize_session=False))

    def check_editable(self) -> None:
        """Only a draft is edited: once announced, the notice is public and the vote fixed."""
        if self.status != VoteStatus.draft.value:
            raise conflict("not_draft", _l("Only a draft can be edited: once announced, the "
                                           "notice is public and the vote is fixed"))

    @staticmethod
    def open_state(status: str, closes_at: dt.datetime | None,
                   now: dt.datetime | None = None) -> bool:
        """Whether a vote in `status` closing at `closes_at` takes ballots (the columns may
        come straight from a statement on the ballot path)."""
        return status == VoteStatus.open.value and (closes_at is None
                                                    or (now or utcnow()) < closes_at)

    def accepting_ballots(self, now: dt.datetime | None = None) -> bool:
        return self.open_state(self.status, self.closes_at, now)

    def is_due(self, now: dt.datetime | None = None) -> bool:
        """Still open after its closes_at: it is closed when next read."""
        return (self.status == VoteStatus.open.value and self.closes_at is not None
                and (now or utcnow()) >= self.closes_at)

    @property
    def decided(self) -> bool:
        """Closed or published: its result is stored and stands."""
        return self.status in DECIDED

    @property
    def counted(self) -> bool:
        """Its result was computed at closing and stays readable (also once revoked)."""
        return self.status in COUNTED and self.result_json is not None

    @property
    def revoked(self) -> bool:
        return self.status == VoteStatus.revoked.value

    @property
    def result(self) -> dict | None:
        return None if self.result_json is None else json.loads(self.result_json)

    @property
    def whole_compound(self) -> bool:
        return not self.scopes

    def permission_target(self) -> Target:
        c = self.compound
        return Target(district_id=c.street.district_id, street_id=c.street_id,
                      compound_id=c.id)

    def __repr__(self) -> str:
        return f"<Vote {self.id} {self.status}>"


class VoteExtension(db.Model):
    """A later closing time, with its reason: each one is announced by a notice of its own."""

    __tablename__ = "vote_extension"
    __table_args__ = (CheckConstraint("new_closes_at > old_closes_at", name="later"),
                      CheckConstraint("reason <> ''", name="has_reason"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    old_closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    new_closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    #: the vote's state when it was extended (announced or open)
    during: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    vote: Mapped[Vote] = relationship(back_populates="extensions")


class DeliveryMethod(enum.StrEnum):
    """How the notice and the ballot reached a voter (送达方式)."""

    posted = "posted"  # 张贴 (at the building's door, on the notice board)
    in_person = "in_person"  # 当面签收 (signed for)
    mail = "mail"  # 邮寄 (with the mail's number)
    sms = "sms"  # 短信
    electronic = "electronic"  # 电子送达 (the owner opened the vote online)


class Delivery(db.Model):
    """One delivery of a vote's notice and ballot to a unit (送达记录): what a court asks
    first. A voter counts as reached when any of its units has one."""

    __tablename__ = "vote_delivery"
    __table_args__ = (
        CheckConstraint(one_of("method", [m.value for m in DeliveryMethod]),
                        name="method_known"),
        CheckConstraint("method <> 'in_person' OR signed_by <> ''", name="in_person_signed"),
        CheckConstraint("method <> 'mail' OR ref <> ''", name="mail_has_ref"),
        Index("ix_vote_delivery_vote_unit", "vote_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    #: the registry's unit (as RollUnit.unit_id), and its label when recorded
    unit_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(52), default="")
    method: Mapped[str] = mapped_column(String(16))
    delivered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: who signed for it (in person)
    signed_by: Mapped[str] = mapped_column(String(64), default="")
    #: the mail's number, the SMS batch, … (mail needs one)
    ref: Mapped[str] = mapped_column(String(64), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VoteScope(db.Model):
    """One building, or one entrance of a building, in a vote's scope; none = whole compound."""

    __tablename__ = "vote_scope"
    __table_args__ = (UniqueConstraint("vote_id", "building_id", "entrance_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    #: null = the whole building
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"), nullable=True)

    vote: Mapped[Vote] = relationship(back_populates="scopes")
    building = relationship("Building", lazy="joined")
    entrance = relationship("Entrance", lazy="joined")


class RollGroup(db.Model):
    """A voter of the frozen roll: a title-holder group (one head) and its area in scope."""

    __tablename__ = "roll_group"
    __table_args__ = (
        UniqueConstraint("vote_id", "key"),
        UniqueConstraint("vote_id", "serial"),
        CheckConstraint("heads = 1", name="one_head"),
        CheckConstraint("area >= 0", name="area_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    #: votes.rules.VoterGroup.key: "developer", "p:3,7" or "u:42"
    key: Mapped[str] = mapped_column(String(255))
    #: printed on the paper ballot (表决票编号); the last digit is a check digit
    serial: Mapped[str] = mapped_column(String(16))
    heads: Mapped[int] = mapped_column(Integer, default=1)
    area: Mapped[Decimal] = mapped_column(Area)
    units: Mapped[int] = mapped_column(Integer)
    developer: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the first unit's label, for sorting and display ("7-2-301")
    first_label: Mapped[str] = mapped_column(String(52), default="")
    #: the units' labels and the holders' names, for lists ("7-2-301、7-2-302")
    labels: Mapped[str] = mapped_column(Text, default="")
    names: Mapped[str] = mapped_column(Text, default="")


class RollUnit(db.Model):
    """A unit of the frozen roll, copied from the registry when the vote opened."""

    __tablename__ = "roll_unit"
    __table_args__ = (UniqueConstraint("vote_id", "unit_id"),
                      Index("ix_roll_unit_vote_label", "vote_id", "label"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("roll_group.id", ondelete="CASCADE"),
                                          index=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(52))
    area: Mapped[Decimal] = mapped_column(Area)
    floor: Mapped[int] = mapped_column(Integer)
    building_id: Mapped[int] = mapped_column(Integer)
    entrance_id: Mapped[int] = mapped_column(Integer)
    building_number: Mapped[str] = mapped_column(String(16))
    entrance_number: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(16))
    #: building, entrance, unit sort keys joined: the registry's order
    sort_key: Mapped[str] = mapped_column(String(80), default="")


class RollHolder(db.Model):
    """A title holder of a roll group, frozen: name and phone (never the ID number)."""

    __tablename__ = "roll_holder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("roll_group.id", ondelete="CASCADE"),
                                          index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")


class Ballot(db.Model):
    """A voter group's ballot (表决票), whatever the channel. Voided ballots stay, marked."""

    __tablename__ = "ballot"
    __table_args__ = (
        # The one-ballot-per-voter guarantee. Partial, so a voided ballot can be re-entered.
        Index("uq_ballot_vote_group_live", "vote_id", "group_id", unique=True,
              sqlite_where=text("voided_at IS NULL"),
              postgresql_where=text("voided_at IS NULL")),
        CheckConstraint("choice IN ('agree', 'oppose', 'abstain')", name="choice_known"),
        CheckConstraint("channel IN ('online', 'paper', 'proxy')", name="channel_known"),
        CheckConstraint("channel <> 'proxy' OR (proxy_name <> '' AND proxy_ref <> '')",
                        name="proxy_documented"),
        CheckConstraint("voided_at IS NULL OR void_reason <> ''", name="void_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("roll_group.id", ondelete="CASCADE"),
                                          index=True)
    #: the unit named when casting (any unit of the group)
    unit_id: Mapped[int] = mapped_column(Integer)
    choice: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8))
    #: random, unguessable; lets anyone check that this ballot is counted (回执码)
    receipt: Mapped[str] = mapped_column(String(24), unique=True)
    #: the printed ballot's serial number (paper/proxy)
    serial: Mapped[str] = mapped_column(String(16), default="")
    proxy_name: Mapped[str] = mapped_column(String(64), default="")
    #: reference of the written authorisation (委托书编号)
    proxy_ref: Mapped[str] = mapped_column(String(64), default="")
    cast_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cast_by: Mapped[str] = mapped_column(String(64), default="")
    cast_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_by: Mapped[str] = mapped_column(String(64), default="")
    void_reason: Mapped[str] = mapped_column(Text, default="")

    group: Mapped[RollGroup] = relationship()
    vote: Mapped[Vote] = relationship()

    def void(self, by: str, reason: str, at: dt.datetime) -> None:
        """Live → voided, for a paper or proxy ballot typed wrong (409 otherwise): the owner's
        own online ballot is never voided by somebody else, and a ballot is voided once."""
        if self.channel == Channel.online.value:
            raise conflict("online_ballot", _l("An owner's online ballot cannot be voided"))
        if self.voided_at is not None:
            raise conflict("already_voided", _l("This ballot is already voided"))
        self.voided_at, self.voided_by, self.void_reason = at, by, reason

    def permission_target(self) -> Target:
        return self.vote.permission_target()


def standing_ballot():
    """SQL: the roll group at hand (RollGroup, correlated) has a ballot not voided — the one
    definition of "has voted" for the door list, the close rule, reminders and to-do lists.
    A vote whose ballots are cast elsewhere (an owners'-committee election's) counts those
    too: hook "votes.standing_ballots" gives each such package's own clause."""
    own = exists().where(Ballot.group_id == RollGroup.id, Ballot.voided_at.is_(None))
    others = [clause() for clause in hooks.contributions("votes.standing_ballots")]
    return or_(own, *others) if others else own


class BallotAttempt(db.Model):
    """A refused ballot, kept for the secretary: a second ballot of a voter (e.g. a co-owner
    who did not know the other had voted), or one that conflicts with the standing choice."""

    __tablename__ = "ballot_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("roll_group.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(8))
    choice: Mapped[str] = mapped_column(String(8))
    #: duplicate (same choice as the standing ballot) or conflicting (a different choice)
    reason: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[RollGroup] = relationship()


class ElevatorProject(db.Model):
    """An elevator retrofit (既有多层住宅加装电梯) for a building or one entrance of it."""

    __tablename__ = "elevator_project"
    __table_args__ = (
        CheckConstraint("cost_fen >= 0", name="cost_not_negative"),
        CheckConstraint("lifts >= 1", name="at_least_one_lift"),
        CheckConstraint("subsidy_rate_bp >= 0 AND subsidy_rate_bp <= 10000",
                        name="subsidy_rate_range"),
        CheckConstraint("subsidy_cap_fen >= 0", name="subsidy_cap_not_negative"),
        CheckConstraint("fund_fen >= 0", name="fund_not_negative"),
        CheckConstraint("notice_days >= 7", name="notice_at_least_7_days"),
        CheckConstraint("withdrawn_at IS NULL OR withdraw_reason <> ''",
                        name="withdrawal_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    #: estimated construction cost (工程概算), fen
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    lifts: Mapped[int] = mapped_column(Integer, default=1)
    #: government subsidy rate in basis points (4000 = 40 %) and cap per lift (fen)
    subsidy_rate_bp: Mapped[int] = mapped_column(Integer, default=4000)
    subsidy_cap_fen: Mapped[int] = mapped_column(BigInteger, default=28_000_000)
    #: contribution from the maintenance fund (维修资金), fen
    fund_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: floor → coefficient, JSON {"1": "0", "2": "0.6", …}; decimal strings, exact
    coefficients_json: Mapped[str] = mapped_column(Text, default="{}")
    #: the lift stands on the compound's common land: a compound-wide vote is needed too
    uses_common_land: Mapped[bool] = mapped_column(Boolean, default=False)
    building_vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True)
    land_vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True)
    #: public notice of the cost-sharing plan (公示): first day and length (≥ 7 days)
    notice_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notice_days: Mapped[int] = mapped_column(Integer, default=7)
    #: withdrawn by hand (撤回), with its reason: the project is closed, the place is free
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[str] = mapped_column(String(64), default="")
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")
    building = relationship("Building", lazy="joined")
    entrance = relationship("Entrance", lazy="joined")
    #: the current vote of each role; every vote the project ever called is in `vote_history`
    building_vote: Mapped[Vote | None] = relationship(foreign_keys=[building_vote_id])
    land_vote: Mapped[Vote | None] = relationship(foreign_keys=[land_vote_id])
    vote_history: Mapped[list[ElevatorProjectVote]] = relationship(
        back_populates="project", order_by="ElevatorProjectVote.id")

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def coefficients(self) -> dict[int, Decimal]:
        raw = json.loads(self.coefficients_json or "{}")
        return {int(k): Decimal(v) for k, v in raw.items()}

    def permission_target(self) -> Target:
        c = self.compound
        return Target(district_id=c.street.district_id, street_id=c.street_id,
                      compound_id=c.id)


#: the roles of an elevator project's votes: the building's (or entrance's) item-7 vote and
#: the compound-wide vote on the common land
ELEVATOR_VOTE_ROLES = ("building", "land")


class ElevatorProjectVote(db.Model):
    """Every vote an elevator project called, in order: a failed, cancelled or revoked vote
    stays here when the project calls a new one (the project's columns name the current)."""

    __tablename__ = "elevator_project_vote"
    __table_args__ = (CheckConstraint(one_of("role", ELEVATOR_VOTE_ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("elevator_project.id"), index=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"), unique=True)
    role: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[ElevatorProject] = relationship(back_populates="vote_history")
    vote: Mapped[Vote] = relationship()
