"""The housing maintenance fund (住宅专项维修资金) — DOMAIN.md §3.

One `FundAccount` per compound, one sub-ledger (分户账) `UnitFundAccount` per unit, and the
immutable journal: a `FundPosting` (记账凭证: one act of posting — a deposit, an interest
spread, a repair project's shares, a reversal, an opening-balance import) made of one
`FundEntry` per unit it touches. Nothing in the journal is ever changed or deleted; a
mistake is corrected by a reversal posting (冲正), which points at the posting it undoes.

The account rows hold the current state so that reading a balance never sums the journal;
`verify.verify()` proves that they agree with it (`flask fund verify`):

- a unit's balance / arrears / first deposit = the sums of its entries' deltas;
- the fund's balance = the sum of its units' balances (and likewise arrears, deposits).

Money is integer fen. Every posting locks the compound's fund row first, so postings on one
compound are applied one after the other (row lock on PostgreSQL, the write lock on SQLite);
the unit rows are locked too, in id order.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.errors import conflict
from core.extensions import db, one_of
from core.permissions import Target
from core.types import Area, UTCDateTime, utcnow
from owners_committee.fund.rules import EntryKind


class PostingKind(enum.StrEnum):
    """What a posting did. The entry kinds, plus `opening` (期初余额: balances carried over
    from the previous bookkeeping, imported once per unit)."""

    initial = "initial"
    top_up = "top_up"
    interest = "interest"
    income = "income"
    expense_share = "expense_share"
    refund = "refund"
    reversal = "reversal"
    opening = "opening"

    @property
    def zh(self) -> str:
        if self is PostingKind.opening:
            return "期初余额"
        if self is PostingKind.expense_share:
            return "维修项目分摊"
        return EntryKind(self.value).zh


class EmergencyKind(enum.StrEnum):
    """Emergency repairs (应急维修) that may proceed without a vote, reported afterwards."""

    elevator = "elevator"  # 电梯故障
    roof_leak = "roof_leak"  # 屋面渗漏
    fire_safety = "fire_safety"  # 消防安全
    burst_pipe = "burst_pipe"  # 管道爆裂
    other = "other"  # 其他危及安全的情形

    @property
    def zh(self) -> str:
        return {"elevator": "电梯故障", "roof_leak": "屋面渗漏", "fire_safety": "消防安全",
                "burst_pipe": "管道爆裂", "other": "其他紧急情况"}[self.value]


class ProjectStatus(enum.StrEnum):
    posted = "posted"  # 已列支: shares charged to the sub-ledgers
    reversed = "reversed"  # 已冲正: the posting was reversed


#: a posted project is reversed (with its posting) at most once, and stays so
PROJECT_MOVES = {ProjectStatus.posted: {ProjectStatus.reversed}, ProjectStatus.reversed: set()}


class FundAccount(db.Model):
    """The compound's fund (one account); its totals are the sums of the sub-ledgers."""

    __tablename__ = "fund_account"
    __table_args__ = (
        CheckConstraint("balance_fen >= 0", name="balance_not_negative"),
        CheckConstraint("arrears_fen >= 0", name="arrears_not_negative"),
        CheckConstraint("initial_paid_fen >= 0", name="initial_not_negative"),
        CheckConstraint("developer_due_fen >= 0", name="developer_due_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), unique=True)
    #: = Σ unit balances (checked by `flask fund verify`)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: = Σ unit arrears from expense shares (欠缴, without unpaid first deposits)
    arrears_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: = Σ first deposits paid (首期交存)
    initial_paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: repair shares of developer-held units, charged to the developer (not to a sub-ledger)
    developer_due_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: bumped by every posting: the first write of a posting, which takes the lock
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")

    def permission_target(self) -> Target:
        return self.compound.permission_target()


class UnitFundAccount(db.Model):
    """A unit's sub-ledger (分户账): balance never negative; arrears are what the owner owes."""

    __tablename__ = "unit_fund_account"
    __table_args__ = (
        CheckConstraint("balance_fen >= 0", name="balance_not_negative"),
        CheckConstraint("arrears_fen >= 0", name="arrears_not_negative"),
        CheckConstraint("initial_paid_fen >= 0", name="initial_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: expense shares the balance could not cover, not yet paid (unpaid first deposit is
    #: computed from the rate, see fund_rules.unit_arrears)
    arrears_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: first deposit actually paid: the base of the 30% rule
    initial_paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: number of entries posted to this sub-ledger
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit = relationship("Unit", lazy="joined")

    def permission_target(self) -> Target:
        return self.unit.permission_target()


class FundPosting(db.Model):
    """One act of posting (记账凭证); immutable. Its entries are the unit lines."""

    __tablename__ = "fund_posting"
    __table_args__ = (
        CheckConstraint(one_of("kind", list(PostingKind)), name="kind_known"),
        CheckConstraint("basis IS NULL OR basis IN ('balance', 'area')", name="basis_known"),
        Index("ix_fund_posting_compound_at", "compound_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: how interest or income was spread over the units (`balance` or `area`); else null
    basis: Mapped[str | None] = mapped_column(String(8), nullable=True)
    #: Σ of the entries' face amounts (signed: + into the fund, − out of it)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    #: Σ of the entries' effects on balances, arrears and first deposits
    balance_delta_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    arrears_delta_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    initial_delta_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: repair project shares charged to the developer (signed like the balance)
    developer_delta_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    memo: Mapped[str] = mapped_column(Text, default="")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("repair_project.id"),
                                                   nullable=True, index=True)
    #: a reversal names the posting it undoes; each posting can be reversed once
    reverses_posting_id: Mapped[int | None] = mapped_column(
        ForeignKey("fund_posting.id"), nullable=True, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")
    project: Mapped[RepairProject | None] = relationship(foreign_keys=[project_id])

    @property
    def kind_zh(self) -> str:
        return PostingKind(self.kind).zh

    def permission_target(self) -> Target:
        return self.compound.permission_target()


class FundEntry(db.Model):
    """One line of a unit's sub-ledger; immutable.

    `amount_fen` is the face amount (signed: + deposit/interest, − share/refund); the
    `*_delta_fen` columns are what it did to the sub-ledger. They differ when a top-up first
    clears arrears, or when an expense share is larger than the balance (the rest becomes
    arrears).
    """

    __tablename__ = "fund_entry"
    __table_args__ = (
        CheckConstraint(one_of("kind", list(EntryKind)), name="kind_known"),
        CheckConstraint("balance_after_fen >= 0", name="balance_after_not_negative"),
        CheckConstraint("arrears_after_fen >= 0", name="arrears_after_not_negative"),
        CheckConstraint("kind <> 'reversal' OR reverses_entry_id IS NOT NULL",
                        name="reversal_names_entry"),
        Index("ix_fund_entry_unit_id", "unit_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: denormalised from the posting (which carries the foreign key) for per-compound sums;
    #: no foreign key of its own: a 20,000-entry posting would check it 20,000 times
    compound_id: Mapped[int] = mapped_column(Integer, index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("fund_posting.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    balance_delta_fen: Mapped[int] = mapped_column(BigInteger)
    arrears_delta_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    initial_delta_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the sub-ledger right after this entry (running balance of the statement)
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    arrears_after_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reverses_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("fund_entry.id"), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    posting: Mapped[FundPosting] = relationship(lazy="joined")


#: The database itself refuses to change the journal: updates, deletes and (PostgreSQL)
#: TRUNCATE. The test harness gets past them to empty tables between tests.
_PG_IMMUTABLE = """
CREATE OR REPLACE FUNCTION fund_journal_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the fund journal is immutable: post a reversal instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION fund_journal_immutable();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION fund_journal_immutable();
"""
_SQLITE_IMMUTABLE = (
    "CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} BEGIN "
    "SELECT RAISE(ABORT, 'the fund journal is immutable: post a reversal instead'); END",
    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN "
    "SELECT RAISE(ABORT, 'the fund journal is immutable: post a reversal instead'); END",
)

for _table in (FundEntry.__table__, FundPosting.__table__):
    db.event.listen(_table, "after_create", db.DDL(
        _PG_IMMUTABLE.format(table=_table.name)).execute_if(dialect="postgresql"))
    for _sql in _SQLITE_IMMUTABLE:
        db.event.listen(_table, "after_create", db.DDL(
            _sql.format(table=_table.name)).execute_if(dialect="sqlite"))


class RepairProject(db.Model):
    """A repair paid from the fund (维修项目): what, why, scope, cost, who approved it."""

    __tablename__ = "repair_project"
    __table_args__ = (
        CheckConstraint("cost_fen > 0", name="cost_positive"),
        CheckConstraint(one_of("status", list(ProjectStatus)), name="status_known"),
        CheckConstraint("emergency_kind IS NULL OR "
                        + one_of("emergency_kind", list(EmergencyKind)),
                        name="emergency_kind_known"),
        CheckConstraint("vote_id IS NOT NULL OR (emergency_kind IS NOT NULL AND "
                        "emergency_reason <> '')", name="approved"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: why the repair is needed, in words a resident understands
    description: Mapped[str] = mapped_column(Text, default="")
    contractor: Mapped[str] = mapped_column(String(200), default="")
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    #: the scope as people read it ("7号楼；8号楼2单元"); rows in repair_project_scope
    scope_text: Mapped[str] = mapped_column(Text, default="")
    whole_compound: Mapped[bool] = mapped_column(Boolean, default=False)
    #: approval: a passed vote of item 5 covering the scope …
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True,
                                                index=True)
    #: … frozen summary of that vote when the project was posted (JSON)
    vote_summary_json: Mapped[str] = mapped_column(Text, default="{}")
    #: … or an emergency with its reason, reported to the owners afterwards
    emergency_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    emergency_reason: Mapped[str] = mapped_column(Text, default="")
    notice_due: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=ProjectStatus.posted.value)
    units: Mapped[int] = mapped_column(Integer, default=0)
    area: Mapped[Decimal] = mapped_column(Area, default=Decimal("0.00"))
    #: cost = owners' shares + developer's shares; owners' shares = debited + arrears
    owners_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    developer_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    debited_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    arrears_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")
    scopes: Mapped[list[RepairProjectScope]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="RepairProjectScope.id")

    @property
    def vote_summary(self) -> dict:
        return json.loads(self.vote_summary_json or "{}")

    @property
    def emergency(self) -> EmergencyKind | None:
        return EmergencyKind(self.emergency_kind) if self.emergency_kind else None

    def move_to(self, status: ProjectStatus) -> None:
        """The one way a project changes status; a move PROJECT_MOVES lacks is a 409."""
        if status not in PROJECT_MOVES[ProjectStatus(self.status)]:
            raise conflict("invalid_state", _l("The project is already reversed"))
        self.status = status.value

    def permission_target(self) -> Target:
        return self.compound.permission_target()


class RepairProjectScope(db.Model):
    """One building, entrance or unit of a project's beneficiary scope (列支范围)."""

    __tablename__ = "repair_project_scope"
    __table_args__ = (
        CheckConstraint("(building_id IS NOT NULL) OR (unit_id IS NOT NULL)",
                        name="names_something"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("repair_project.id", ondelete="CASCADE"),
                                            index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), nullable=True)
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    #: as written when posted ("7", "7-2", "7-2-301")
    label: Mapped[str] = mapped_column(String(52), default="")

    project: Mapped[RepairProject] = relationship(back_populates="scopes")


class RepairProjectShare(db.Model):
    """One unit's share of a project's cost (分摊明细), frozen when posted."""

    __tablename__ = "repair_project_share"
    __table_args__ = (
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("debit_fen + arrears_fen = amount_fen OR developer_held",
                        name="share_split"),
        Index("ix_repair_project_share_project", "project_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("repair_project.id", ondelete="CASCADE"))
    #: the unit as it was (label and area are copied): a record, checked by the entries'
    #: foreign key where money moved; none of its own (it would cost a check per share)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    label: Mapped[str] = mapped_column(String(52))
    area: Mapped[Decimal] = mapped_column(Area)
    developer_held: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    #: taken from the sub-ledger, and what it could not cover (arrears)
    debit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    arrears_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    sort_key: Mapped[str] = mapped_column(String(80), default="")


class TopUpPlan(db.Model):
    """A top-up plan (续筹方案): a target balance and each unit's amount due, frozen."""

    __tablename__ = "top_up_plan"
    __table_args__ = (
        CheckConstraint("target_pct > 0 AND target_pct <= 300", name="target_pct_range"),
        CheckConstraint("rate_fen > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: target balance as a percentage of the first-deposit standard (rate × area)
    target_pct: Mapped[int] = mapped_column(Integer, default=100)
    rate_fen: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: the units charged: the buildings and entrances as written ("5号楼2单元"), or the
    #: whole compound; the lines hold the units themselves
    scope_text: Mapped[str] = mapped_column(String(500), default="")
    whole_compound: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the basis: the owners' decision (item 6, raising the fund) covering the scope ...
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True)
    vote_title: Mapped[str] = mapped_column(String(200), default="")
    #: ... or, where no owners' assembly exists, the local rule it rests on (cited in full)
    local_rule: Mapped[str] = mapped_column(Text, default="")
    #: how and where to pay, printed on every notice
    instructions: Mapped[str] = mapped_column(Text, default="")
    units: Mapped[int] = mapped_column(Integer, default=0)
    total_due_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound", lazy="joined")

    def permission_target(self) -> Target:
        return self.compound.permission_target()


class TopUpPlanLine(db.Model):
    """One unit's line of a top-up plan: what it held, the target, what it owes."""

    __tablename__ = "top_up_plan_line"
    __table_args__ = (
        CheckConstraint("due_fen = top_up_fen + arrears_fen", name="due_adds_up"),
        Index("ix_top_up_plan_line_plan", "plan_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("top_up_plan.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    label: Mapped[str] = mapped_column(String(52))
    area: Mapped[Decimal] = mapped_column(Area)
    developer_held: Mapped[bool] = mapped_column(Boolean, default=False)
    balance_fen: Mapped[int] = mapped_column(BigInteger)
    target_fen: Mapped[int] = mapped_column(BigInteger)
    #: to bring the balance to the target, plus the arrears a top-up clears first
    top_up_fen: Mapped[int] = mapped_column(BigInteger)
    arrears_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    due_fen: Mapped[int] = mapped_column(BigInteger)
    sort_key: Mapped[str] = mapped_column(String(80), default="")
