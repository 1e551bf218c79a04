"""The "1+3+X" of a compound (党建引领 "1+3+X", DOMAIN.md §1): its organisations and their
people, joint meetings (联席会议) with their follow-up actions, resident requests (居民诉求),
and the register of illegal structures that owners'-committee vetting reads.

- **1** — the party organisation; **3** — the residents' committee, the owners' committee and
  the property company; **X** — police, social organisations, volunteers, co-building units,
  building leaders, lawyers. Each is an `Organisation` row; a compound has at most one of each
  of the four, any number of X.
- People are `OrgMember` rows, always linked to a registry `Person`, so one person serving in
  two organisations (交叉任职) is recognised by the link, not by a name that may be shared.
- A decision of a joint meeting becomes an `Action` followed through 上报 → 分拨 → 处置 →
  反馈 → 评价 (`ActionStatus`, the moves in `ACTION_MOVES`).
- A `ResidentRequest` is filed, routed to one organisation, replied to and closed with the
  resident's satisfaction (`RequestStatus`, `REQUEST_MOVES`); valid ones routed to the
  property company are its complaints.
- Each status changes only through the model's `move_to`, which refuses a move its table
  does not allow (409 invalid_state) and stamps the moment (`<status>_at`). A meeting's
  minutes, once final, and a corrected violation refuse changes the same way.
"""

from __future__ import annotations

import builtins
import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.errors import DomainError, conflict, invalid
from core.extensions import db, one_of
from core.permissions import Target
from core.states import StateMachine
from core.types import UTCDateTime, utcnow


def _compound_target(compound, **extra) -> Target:
    return Target(district_id=compound.street.district_id, street_id=compound.street_id,
                  compound_id=compound.id, **extra)


class _Stamped(StateMachine):
    """core.states' machine, and each move stamps its moment in `<status>_at`."""

    def move_to(self, status) -> str:
        before = super().move_to(status)
        setattr(self, f"{self.status}_at", utcnow())
        return before


class OrgKind(enum.StrEnum):
    """Which part of the 1+3+X an organisation is."""

    party = "party"  # 居民区党组织 — the 1
    residents_committee = "residents_committee"  # 居民委员会 — of the 3
    owners_committee = "owners_committee"  # 业主委员会 — of the 3
    property = "property"  # 物业服务企业 — of the 3
    police = "police"  # 社区民警 — X
    social_org = "social_org"  # 社会组织
    volunteers = "volunteers"  # 志愿者队伍
    co_building = "co_building"  # 驻区单位 / 共建单位
    building_leaders = "building_leaders"  # 楼组长
    lawyer = "lawyer"  # 社区法律顾问
    other = "other"

    @builtins.property  # (the member "property" shadows the builtin inside this class)
    def group(self) -> str:
        """"1", "3" or "X"."""
        if self is OrgKind.party:
            return "1"
        if self in THREE:
            return "3"
        return "X"


THREE = (OrgKind.residents_committee, OrgKind.owners_committee, OrgKind.property)
#: a compound has at most one organisation of each of these kinds
SINGLE_KINDS = (OrgKind.party, *THREE)
X_KINDS = tuple(k for k in OrgKind if k not in SINGLE_KINDS)


class PartyType(enum.StrEnum):
    """The form of the compound's party organisation."""

    committee = "committee"  # 党委
    general_branch = "general_branch"  # 党总支
    branch = "branch"  # 党支部


class Position(enum.StrEnum):
    """A person's position in an organisation."""

    secretary = "secretary"  # 书记
    deputy_secretary = "deputy_secretary"  # 副书记
    director = "director"  # 主任 (居委会主任, 业委会主任)
    deputy_director = "deputy_director"  # 副主任
    committee_member = "committee_member"  # 委员
    manager = "manager"  # 项目经理 / 负责人
    deputy_manager = "deputy_manager"  # 副经理
    member = "member"  # 党员 / 成员
    contact = "contact"  # 联系人


class Organisation(db.Model):
    """One of the compound's 1+3+X (党组织、居委会、业委会、物业、X)."""

    __tablename__ = "org_organisation"
    __table_args__ = (
        CheckConstraint(one_of("kind", OrgKind), name="kind_known"),
        CheckConstraint("party_type IS NULL OR " + one_of("party_type", PartyType),
                        name="party_type_known"),
        # 业委会: 5 to 11 members, an odd number (DOMAIN §4)
        CheckConstraint("seats IS NULL OR (seats >= 5 AND seats <= 11 AND seats % 2 = 1)",
                        name="seats_odd_5_11"),
        CheckConstraint("term_ends_on IS NULL OR term_starts_on IS NULL "
                        "OR term_ends_on > term_starts_on", name="term_dates"),
        Index("uq_org_single_kind", "compound_id", "kind", unique=True,
              sqlite_where=text(one_of("kind", SINGLE_KINDS)),
              postgresql_where=text(one_of("kind", SINGLE_KINDS))),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(100))
    #: the party organisation's form (党委/党总支/党支部); party only
    party_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: 业委会 only: seats (5–11, odd) and the term (at most 5 years)
    seats: Mapped[int | None] = mapped_column(Integer, nullable=True)
    term_starts_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    term_ends_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")
    members: Mapped[list[OrgMember]] = relationship(
        back_populates="org", cascade="all, delete-orphan", order_by="OrgMember.sort_order")

    @property
    def kind_enum(self) -> OrgKind:
        return OrgKind(self.kind)

    @property
    def group(self) -> str:
        return OrgKind(self.kind).group

    def permission_target(self) -> Target:
        return _compound_target(self.compound)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind}>"


class OrgMember(db.Model):
    """A person serving in an organisation, with their position."""

    __tablename__ = "org_member"
    __table_args__ = (
        UniqueConstraint("org_id", "person_id"),
        CheckConstraint(one_of("position", Position), name="position_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_organisation.id", ondelete="CASCADE"),
                                        index=True)
    #: denormalised from the organisation, for per-compound queries
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    #: the registry person: the same person in two organisations is a cross-appointment
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    position: Mapped[str] = mapped_column(String(24), default=Position.member.value)
    #: 中共党员
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 在职党员到社区报到 (双报到): an in-service party member registered with the community
    dual_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the in-service member's employer, or an X participant's unit
    work_unit: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Organisation] = relationship(back_populates="members")
    person = relationship("Person", lazy="joined")

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def phone(self) -> str:
        return self.person.phone

    def permission_target(self) -> Target:
        return self.org.permission_target()


# -- joint meetings and their actions -------------------------------------------------------

class Meeting(db.Model):
    """A joint meeting (联席会议) convened by the party organisation."""

    __tablename__ = "org_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    #: the convening party organisation
    convener_id: Mapped[int] = mapped_column(ForeignKey("org_organisation.id"))
    #: 主持人 and 记录人
    chair: Mapped[str] = mapped_column(String(64), default="")
    recorder: Mapped[str] = mapped_column(String(64), default="")
    #: 会议纪要
    minutes: Mapped[str] = mapped_column(Text, default="")
    #: once set the minutes, attendance and decisions are final
    minutes_final_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")
    convener: Mapped[Organisation] = relationship()
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendee.id")
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position")
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Decision.position")

    @property
    def final(self) -> bool:
        return self.minutes_final_at is not None

    def check_editable(self) -> None:
        """Final minutes, attendance and decisions no longer change (409 minutes_final)."""
        if self.final:
            raise conflict("minutes_final", _l("The minutes are final and can no longer "
                                               "change"))

    def finalise(self) -> None:
        self.check_editable()
        self.minutes_final_at = utcnow()

    def permission_target(self) -> Target:
        return _compound_target(self.compound)


class MeetingAttendee(db.Model):
    """One line of the sign-in sheet (签到表): a member of the 1, the 3 or the X; someone
    attending for an organisation that has no members recorded (an X participant, say);
    or a guest (列席) with their unit or organisation, who is listed apart and not counted
    among those present. A person in two organisations has a line for each membership and
    is counted once (`person_id`)."""

    __tablename__ = "org_meeting_attendee"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("org_meeting.id", ondelete="CASCADE"),
                                            index=True)
    #: None for a guest and for someone attending for an organisation without members
    member_id: Mapped[int | None] = mapped_column(ForeignKey("org_member.id"), nullable=True)
    #: the registry person of a member (copied), so that people are counted, not memberships
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    #: 列席: a guest (a resident, an official, a contractor), not a member of the meeting
    guest: Mapped[bool] = mapped_column(Boolean, default=False)
    #: copied when added, so that the sheet stays as it was if the member leaves later; a
    #: guest's unit or organisation as given, and no kind
    org_name: Mapped[str] = mapped_column(String(100))
    org_kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[str] = mapped_column(String(24))
    #: signed in (到会); False = invited but absent
    present: Mapped[bool] = mapped_column(Boolean, default=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")


class AgendaItem(db.Model):
    """An item of the meeting's agenda (议题)."""

    __tablename__ = "org_agenda_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("org_meeting.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    #: who raised it (e.g. 居委会, 业委会)
    raised_by: Mapped[str] = mapped_column(String(100), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")

    def permission_target(self) -> Target:
        return self.meeting.permission_target()


class Decision(db.Model):
    """A decision of the meeting (会议决定); each one becomes an action."""

    __tablename__ = "org_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("org_meeting.id", ondelete="CASCADE"),
                                            index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_agenda_item.id", ondelete="SET NULL"), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    action: Mapped[Action | None] = relationship(back_populates="decision", uselist=False)

    def permission_target(self) -> Target:
        return self.meeting.permission_target()


class ActionStatus(enum.StrEnum):
    """The closed loop of a follow-up action: 上报 → 分拨 → 处置 → 反馈 → 评价."""

    reported = "reported"  # 上报: the decision is recorded with a proposed assignee
    dispatched = "dispatched"  # 分拨: the party organisation assigns it
    handling = "handling"  # 处置: the assignee is working on it
    feedback = "feedback"  # 反馈: the assignee reports the result
    evaluated = "evaluated"  # 评价: the party organisation accepts it — closed


ACTION_MOVES = {
    ActionStatus.reported: {ActionStatus.dispatched},
    ActionStatus.dispatched: {ActionStatus.handling, ActionStatus.feedback},
    ActionStatus.handling: {ActionStatus.feedback},
    # an evaluation that does not accept the result sends it back to handling
    ActionStatus.feedback: {ActionStatus.evaluated, ActionStatus.handling},
    ActionStatus.evaluated: set(),
}
ACTION_OPEN = (ActionStatus.reported, ActionStatus.dispatched, ActionStatus.handling)


class Action(_Stamped, db.Model):
    """A follow-up action (督办事项) assigned to an organisation with a due date."""

    MOVES = ACTION_MOVES
    STATUS = ActionStatus

    __tablename__ = "org_action"
    __table_args__ = (
        CheckConstraint(one_of("status", ActionStatus), name="status_known"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_range"),
        Index("ix_org_action_compound_status", "compound_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"))
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_decision.id", ondelete="SET NULL"), nullable=True, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[int] = mapped_column(ForeignKey("org_organisation.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.reported.value)
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handling_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dispatch_note: Mapped[str] = mapped_column(Text, default="")
    handling_note: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    #: the evaluation: 1–5 and a comment
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    evaluation: Mapped[str] = mapped_column(Text, default="")

    compound = relationship("Compound", lazy="joined")
    org: Mapped[Organisation] = relationship(lazy="joined")
    decision: Mapped[Decision | None] = relationship(back_populates="action")

    @property
    def started(self) -> bool:
        """Dispatched or further: its decision can no longer be withdrawn."""
        return ActionStatus(self.status) is not ActionStatus.reported

    @hybrid_method
    def overdue(self, today: dt.date) -> bool:
        """Not yet reported back (反馈) and past its due date."""
        return ActionStatus(self.status) in ACTION_OPEN and today > self.due_on

    @overdue.inplace.expression
    @classmethod
    def _overdue_in_sql(cls, today: dt.date):
        """`overdue` as an SQL condition (`Action.overdue(today)`: the lists' order and
        filter), the same rule as on a row."""
        return and_(cls.status.in_([s.value for s in ACTION_OPEN]), cls.due_on < today)

    def permission_target(self) -> Target:
        return _compound_target(self.compound)


# -- resident requests ----------------------------------------------------------------------

class RequestCategory(enum.StrEnum):
    property_service = "property_service"  # 物业服务
    repairs = "repairs"  # 报修
    elevator = "elevator"  # 电梯
    noise = "noise"  # 噪声
    parking = "parking"  # 停车
    safety = "safety"  # 安全隐患
    other = "other"


#: Time to reply, in hours from filing, per category (a safety hazard or a stuck elevator is
#: answered the same day; a parking dispute within a week).
REQUEST_LIMIT_HOURS = {
    RequestCategory.safety: 24,
    RequestCategory.elevator: 24,
    RequestCategory.repairs: 72,
    RequestCategory.noise: 72,
    RequestCategory.property_service: 120,
    RequestCategory.parking: 168,
    RequestCategory.other: 168,
}


class RequestStatus(enum.StrEnum):
    filed = "filed"  # 已受理
    routed = "routed"  # 已分派
    replied = "replied"  # 已答复
    closed = "closed"  # 已办结 (with the resident's satisfaction)


REQUEST_MOVES = {
    # routing again (to another organisation) is allowed until the request is answered
    RequestStatus.filed: {RequestStatus.routed},
    RequestStatus.routed: {RequestStatus.routed, RequestStatus.replied},
    # a low satisfaction score sends the request back (rules of the district): routed again
    RequestStatus.replied: {RequestStatus.closed, RequestStatus.routed},
    RequestStatus.closed: set(),
}


class ResidentRequest(_Stamped, db.Model):
    """A resident's request (居民诉求)."""

    MOVES = REQUEST_MOVES
    STATUS = RequestStatus

    __tablename__ = "org_request"
    __table_args__ = (
        CheckConstraint(one_of("category", RequestCategory), name="category_known"),
        CheckConstraint(one_of("status", RequestStatus), name="status_known"),
        CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
                        name="satisfaction_range"),
        CheckConstraint("valid OR invalid_reason <> ''", name="invalid_has_reason"),
        Index("ix_org_request_compound_filed", "compound_id", "filed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"))
    #: the filer's unit (an owner files for a unit they hold)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    #: the filer as a registry person (None for a resident recorded by the secretary)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True,
                                                  index=True)
    filer_name: Mapped[str] = mapped_column(String(64))
    filer_phone: Mapped[str] = mapped_column(String(32), default="")
    #: online (the owner) or recorded (by the secretary, for a resident)
    channel: Mapped[str] = mapped_column(String(12), default="online")
    filed_by: Mapped[str] = mapped_column(String(64), default="")
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.filed.value)
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: reply due (filing + the category's time limit)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org_organisation.id"), nullable=True,
                                               index=True)
    routed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    routed_by: Mapped[str] = mapped_column(String(64), default="")
    route_note: Mapped[str] = mapped_column(Text, default="")
    #: a valid request routed to the property company is a complaint in its rating
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    invalid_reason: Mapped[str] = mapped_column(String(200), default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replied_by: Mapped[str] = mapped_column(String(64), default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closing_comment: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str] = mapped_column(String(64), default="")
    #: times a low satisfaction score sent it back, and how the last time (reopened with
    #: the same organisation, or escalated to the party organisation); "" never
    followups: Mapped[int] = mapped_column(Integer, default=0)
    followup: Mapped[str] = mapped_column(String(16), default="")

    compound = relationship("Compound", lazy="joined")
    unit = relationship("Unit")
    org: Mapped[Organisation | None] = relationship(lazy="joined")

    def refused(self, status: RequestStatus) -> DomainError:
        if status is RequestStatus.routed:
            return conflict("invalid_state", _l("The request has already been answered"))
        if status is RequestStatus.replied:
            return conflict("invalid_state", _l("The request is not waiting for a reply"))
        return conflict("invalid_state", _l("Only an answered request can be closed"))

    @hybrid_method
    def overdue(self, now: dt.datetime) -> bool:
        """No reply yet and past the category's time limit."""
        return self.replied_at is None and now > self.due_at

    @overdue.inplace.expression
    @classmethod
    def _overdue_in_sql(cls, now: dt.datetime):
        """`overdue` as an SQL condition (`ResidentRequest.overdue(now)`: the list's order),
        the same rule as on a row."""
        return and_(cls.replied_at.is_(None), cls.due_at < now)

    def permission_target(self) -> Target:
        return _compound_target(self.compound,
                                unit_ids=frozenset({self.unit_id}) if self.unit_id else
                                frozenset())


# -- illegal structures ---------------------------------------------------------------------

class ViolationKind(enum.StrEnum):
    illegal_structure = "illegal_structure"  # 违法建筑 (违章搭建)
    structural_damage = "structural_damage"  # 损坏房屋承重结构


class StructureViolation(db.Model):
    """A recorded illegal structure or structural damage of a unit, until corrected."""

    __tablename__ = "org_structure_violation"
    __table_args__ = (
        CheckConstraint(one_of("kind", ViolationKind), name="kind_known"),
        CheckConstraint("corrected_on IS NULL OR corrected_on >= recorded_on",
                        name="corrected_after_recorded"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    corrected_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")

    compound = relationship("Compound", lazy="joined")
    unit = relationship("Unit", lazy="joined")

    def correct(self, day: dt.date) -> None:
        """Record the correction (409 if already corrected; 422 before the record)."""
        if self.corrected_on is not None:
            raise conflict("invalid_state", _l("Already corrected"))
        if day < self.recorded_on:
            raise invalid(_l("The correction cannot precede the record"), "corrected_on")
        self.corrected_on = day

    def permission_target(self) -> Target:
        return _compound_target(self.compound)
