"""Owners'-committee elections and candidate vetting (业主委员会选举, DOMAIN.md §4).

An `Election` (first election 首次选举 or re-election 换届选举) is run by its preparatory
group (筹备组 / 换届改选小组: owners at least half, a street-office leader, the residents'
committee and the party organisation). Owners of the compound are nominated as
`Candidate`s; each candidate is reviewed twice, in this order, each review recorded once
(`CandidateReview`): the group's eligibility review, then the compound party
organisation's review. The list is then published for objections (`Objection`, default 7
days); only after the notice period, with every objection answered, does the list become
final. The vote itself is a vote of matter 3 in the votes module (`Election.vote_id`); its
per-candidate ballots are `ElectionBallot`s keyed by the vote's frozen roll groups.

`ElectionStatus` moves: nominating → notice → final → voting → counted; cancelled from any
state before counted. A candidate moves: nominated → group_passed (or group_rejected) →
approved (or party_rejected) → final, and withdraws from any of the first three.
`ELECTION_MOVES` and `CANDIDATE_MOVES` are the one place the moves are written;
`Election.move_to` and `Candidate.move_to` make every move and refuse an illegal one with a
409 (`check_move_to` refuses it before any other work is done).
"""

from __future__ import annotations

import datetime as dt
import enum
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.errors import DomainError, conflict
from core.extensions import db, one_of
from core.permissions import Target
from core.types import UTCDateTime, utcnow


class ElectionKind(enum.StrEnum):
    first = "first"  # 首次业主大会 / 首届业委会选举
    re_election = "re_election"  # 换届选举


class ElectionStatus(enum.StrEnum):
    nominating = "nominating"  # 推荐与审核 (nomination, eligibility and party reviews)
    notice = "notice"  # 候选人公示 (objections open)
    final = "final"  # 正式候选人名单
    voting = "voting"  # 选举表决 (a vote of matter 3 exists)
    counted = "counted"  # 计票完成
    cancelled = "cancelled"


ELECTION_MOVES = {
    ElectionStatus.nominating: {ElectionStatus.notice, ElectionStatus.cancelled},
    ElectionStatus.notice: {ElectionStatus.final, ElectionStatus.cancelled},
    ElectionStatus.final: {ElectionStatus.voting, ElectionStatus.cancelled},
    ElectionStatus.voting: {ElectionStatus.counted, ElectionStatus.cancelled},
    ElectionStatus.counted: set(),
    ElectionStatus.cancelled: set(),
}
#: why a move is refused, by where it would go
ELECTION_REFUSALS = {
    ElectionStatus.nominating: _l("The list is published; it can no longer change"),
    ElectionStatus.notice: _l("The list is already published"),
    ElectionStatus.final: _l("Publish the list for objections first"),
    ElectionStatus.voting: _l("The vote follows the final list"),
    ElectionStatus.counted: _l("There is no election vote to count"),
    ElectionStatus.cancelled: _l("A counted election cannot be cancelled"),
}
#: the list is public (owners see it) from the notice on
PUBLISHED = (ElectionStatus.notice, ElectionStatus.final, ElectionStatus.voting,
             ElectionStatus.counted)


class Election(db.Model):
    """An owners'-committee election and its vetting."""

    __tablename__ = "oc_election"
    __table_args__ = (
        CheckConstraint(one_of("kind", ElectionKind), name="kind_known"),
        CheckConstraint(one_of("status", ElectionStatus), name="status_known"),
        # 5 to 11 members, an odd number
        CheckConstraint("seats >= 5 AND seats <= 11 AND seats % 2 = 1", name="seats_odd_5_11"),
        CheckConstraint("notice_days >= 7 AND notice_days <= 30", name="notice_days_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ElectionStatus.nominating.value)
    #: days the candidate list stands for objections (default 7)
    notice_days: Mapped[int] = mapped_column(Integer, default=7)
    notice_starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notice_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finalised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: the vote of matter 3 (votes module) that elects the members
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True)
    #: the count (votes.rules.count_election) as stored at closing, JSON
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    counted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")
    group: Mapped[list[GroupMember]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="GroupMember.id")
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="Candidate.id")
    objections: Mapped[list[Objection]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="Objection.id")

    def can_move_to(self, status: ElectionStatus) -> bool:
        return status in ELECTION_MOVES[ElectionStatus(self.status)]

    def check_move_to(self, status: ElectionStatus) -> None:
        """409 invalid_state unless the election may move to `status` now."""
        if not self.can_move_to(status):
            raise conflict("invalid_state", ELECTION_REFUSALS[status])

    def move_to(self, status: ElectionStatus) -> None:
        """The one way an election changes status."""
        self.check_move_to(status)
        self.status = status.value

    @property
    def nominating(self) -> bool:
        """Candidates, the group and the settings may still change."""
        return self.status == ElectionStatus.nominating.value

    @property
    def published(self) -> bool:
        return ElectionStatus(self.status) in PUBLISHED

    @property
    def result(self) -> dict | None:
        return None if self.result_json is None else json.loads(self.result_json)

    def permission_target(self) -> Target:
        c = self.compound
        return Target(district_id=c.street.district_id, street_id=c.street_id,
                      compound_id=c.id)


class GroupRole(enum.StrEnum):
    """Who sits in the preparatory group."""

    owner = "owner"  # 业主代表
    street = "street"  # 街道办事处 (the group's leader)
    residents_committee = "residents_committee"  # 居委会
    party = "party"  # 居民区党组织
    other = "other"  # 建设单位、物业等 (neither owner nor authority)


class GroupMember(db.Model):
    """A member of the preparatory group (筹备组成员)."""

    __tablename__ = "oc_group_member"
    __table_args__ = (CheckConstraint(one_of("role", GroupRole), name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("oc_election.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(24))
    #: the group's leader (组长) — by the rules, from the street office
    leader: Mapped[bool] = mapped_column(Boolean, default=False)
    #: owner representatives: the registry person, checked to own a unit of the compound
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    #: the owner's unit or the member's office
    affiliation: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")

    election: Mapped[Election] = relationship(back_populates="group")

    def permission_target(self) -> Target:
        return self.election.permission_target()


class Nomination(enum.StrEnum):
    self = "self"  # 业主自荐
    joint = "joint"  # 业主联名推荐
    party = "party"  # 居民区党组织推荐
    residents_committee = "residents_committee"  # 居委会推荐


class CandidateStatus(enum.StrEnum):
    nominated = "nominated"  # 已推荐，待资格审查
    group_rejected = "group_rejected"  # 筹备组资格审查未通过
    group_passed = "group_passed"  # 资格审查通过，待党组织审核
    party_rejected = "party_rejected"  # 党组织审核未通过
    approved = "approved"  # 两级审核通过 (on the published list)
    withdrawn = "withdrawn"  # 退出 (own request, or an upheld objection)
    final = "final"  # 正式候选人


CS = CandidateStatus
CANDIDATE_MOVES = {
    CS.nominated: {CS.group_passed, CS.group_rejected, CS.withdrawn},
    CS.group_passed: {CS.approved, CS.party_rejected, CS.withdrawn},
    CS.approved: {CS.final, CS.withdrawn},
    CS.group_rejected: set(), CS.party_rejected: set(), CS.withdrawn: set(), CS.final: set(),
}
#: on the list the owners see: approved by both reviews (and, later, final)
ON_LIST = (CS.approved, CS.final)


class Politics(enum.StrEnum):
    party_member = "party_member"  # 中共党员
    league_member = "league_member"  # 共青团员
    other_party = "other_party"  # 民主党派
    masses = "masses"  # 群众


class Candidate(db.Model):
    """A candidate for the owners' committee: an owner of the compound."""

    __tablename__ = "oc_candidate"
    __table_args__ = (
        UniqueConstraint("election_id", "person_id"),
        CheckConstraint(one_of("nomination", Nomination), name="nomination_known"),
        CheckConstraint(one_of("status", CandidateStatus), name="status_known"),
        CheckConstraint(one_of("politics", Politics), name="politics_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("oc_election.id", ondelete="CASCADE"),
                                             index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: the unit named at nomination ("7-2-301"); all the person's units are checked
    unit_label: Mapped[str] = mapped_column(String(52))
    nomination: Mapped[str] = mapped_column(String(24))
    #: joint nomination: the nominating owners, one per line ("王芳 7-2-301")
    nominators: Mapped[str] = mapped_column(Text, default="")
    politics: Mapped[str] = mapped_column(String(16), default=Politics.masses.value)
    education: Mapped[str] = mapped_column(String(32), default="")
    occupation: Mapped[str] = mapped_column(String(100), default="")
    #: 个人简历 / 履职设想, printed on the notice
    profile: Mapped[str] = mapped_column(Text, default="")
    #: 承诺书: the date the written pledge was signed; None = not on file
    pledge_signed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: 完全民事行为能力, as declared: None = not declared
    declared_full_capacity: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: the declaration about spouse and direct relatives working for the property company:
    #: None = not declared; False = none does; True = one does
    declared_relative_staff: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: declared spouse and direct relatives' ID numbers (validated; shown masked), one per
    #: line, matched against the property company's staff register
    relative_id_numbers: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=CandidateStatus.nominated.value)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    election: Mapped[Election] = relationship(back_populates="candidates")
    person = relationship("Person", lazy="joined")
    reviews: Mapped[list[CandidateReview]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="CandidateReview.id")

    @property
    def name(self) -> str:
        return self.person.name

    def review(self, stage: str) -> CandidateReview | None:
        return next((r for r in self.reviews if r.stage == stage), None)

    @property
    def on_list(self) -> bool:
        return CandidateStatus(self.status) in ON_LIST

    def can_move_to(self, status: CandidateStatus) -> bool:
        return status in CANDIDATE_MOVES[CandidateStatus(self.status)]

    def check_move_to(self, status: CandidateStatus) -> None:
        """409 unless the candidate may move to `status` now: a review made twice or out
        of order, or a withdrawal of someone who is not on the list."""
        if not self.can_move_to(status):
            raise self._refusal(status)

    def move_to(self, status: CandidateStatus) -> None:
        """The one way a candidate changes status."""
        self.check_move_to(status)
        self.status = status.value

    def _refusal(self, status: CandidateStatus) -> DomainError:
        if status in (CS.group_passed, CS.group_rejected):
            return conflict("already_reviewed", _l("The group has already reviewed %(name)s",
                                                   name=self.name))
        if status in (CS.approved, CS.party_rejected):
            if self.status == CS.nominated.value:
                return conflict("group_review_first",
                                _l("The group's eligibility review comes first"))
            return conflict("already_reviewed", _l("%(name)s is not waiting for the party "
                                                   "organisation's review", name=self.name))
        return conflict("invalid_state", _l("%(name)s is not on the list", name=self.name))

    def permission_target(self) -> Target:
        return self.election.permission_target()


class ReviewStage(enum.StrEnum):
    group = "group"  # 筹备组资格审查
    party = "party"  # 居民区党组织审核


class CandidateReview(db.Model):
    """One review of a candidate, recorded once per stage, with the checks it saw."""

    __tablename__ = "oc_candidate_review"
    __table_args__ = (
        UniqueConstraint("candidate_id", "stage"),
        CheckConstraint(one_of("stage", ReviewStage), name="stage_known"),
        CheckConstraint("approved OR reason <> ''", name="rejection_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("oc_candidate.id", ondelete="CASCADE"),
                                              index=True)
    stage: Mapped[str] = mapped_column(String(8))
    approved: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the eligibility checks as computed at the review (JSON list), and how the group
    #: verified each check that was unknown ({key: note})
    checks_json: Mapped[str] = mapped_column(Text, default="[]")
    confirmations_json: Mapped[str] = mapped_column(Text, default="{}")
    reviewer: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="reviews")

    @property
    def checks(self) -> list[dict]:
        return json.loads(self.checks_json or "[]")

    @property
    def confirmations(self) -> dict:
        return json.loads(self.confirmations_json or "{}")


class Objection(db.Model):
    """An objection to a candidate during the notice (异议), answered on the record."""

    __tablename__ = "oc_objection"
    __table_args__ = (
        CheckConstraint("answered_at IS NULL OR answer <> ''", name="answer_has_text"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("oc_election.id", ondelete="CASCADE"),
                                             index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("oc_candidate.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    filer_name: Mapped[str] = mapped_column(String(64), default="")
    filed_by: Mapped[str] = mapped_column(String(64), default="")
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    #: upheld: the candidate leaves the list
    upheld: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    answered_by: Mapped[str] = mapped_column(String(64), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    election: Mapped[Election] = relationship(back_populates="objections")
    candidate: Mapped[Candidate] = relationship()

    def permission_target(self) -> Target:
        return self.election.permission_target()


class ElectionBallot(db.Model):
    """A voter group's election ballot: a choice for each candidate (选票).

    Keyed by the vote's frozen roll group; one per group, whatever the channel (the unique
    constraint refuses a second even when both arrive at once).
    """

    __tablename__ = "oc_election_ballot"
    __table_args__ = (
        UniqueConstraint("vote_id", "group_id"),
        CheckConstraint(one_of("channel", ("online", "paper", "proxy")), name="channel_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("oc_election.id", ondelete="CASCADE"),
                                             index=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("roll_group.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))
    #: {candidate_id: "agree" | "oppose" | "abstain"} as JSON
    choices_json: Mapped[str] = mapped_column(Text)
    proxy_name: Mapped[str] = mapped_column(String(64), default="")
    proxy_ref: Mapped[str] = mapped_column(String(64), default="")
    cast_by: Mapped[str] = mapped_column(String(64), default="")
    cast_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def choices(self) -> dict[int, str]:
        return {int(k): v for k, v in json.loads(self.choices_json).items()}
