"""What the fund's pages, API and documents read: every unit's sub-ledger with what it owes,
the fund's totals, the journal page by page, a unit's statement lines, the balance over
time. Nothing here writes; permission is checked by whoever loaded the compound or unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from compounds import services as registry
from compounds.models import Building, Compound, Entrance, Unit
from core.extensions import db
from core.inputs import SHANGHAI, acting_user
from core.permissions import may
from core.types import utcnow
from owners_committee.fund import rules
from owners_committee.fund.models import (
    FundAccount,
    FundEntry,
    FundPosting,
    PostingKind,
    RepairProject,
    UnitFundAccount,
)
from owners_committee.fund.rules import EntryKind


@dataclass(frozen=True)
class UnitFundRow:
    """One unit's sub-ledger as the API and the pages show it."""

    unit_id: int
    label: str
    area: Decimal
    developer_held: bool
    initial_due_fen: int | None
    initial_paid_fen: int
    balance_fen: int
    #: expense shares not covered (the account's arrears)
    expense_arrears_fen: int
    #: everything owed: expense arrears + unpaid part of the first deposit
    arrears_fen: int
    low_balance: bool

    @property
    def unpaid_initial_fen(self) -> int:
        return self.arrears_fen - self.expense_arrears_fen


def sees_every_unit(compound: Compound) -> bool:
    """Staff and oversight see every sub-ledger; an owner only their own units'."""
    return may("fund.ledger", compound)


def my_unit_ids() -> set[int]:
    """The units the signed-in person holds title to (none for an account without one)."""
    user = acting_user()
    if user is None or user.person_id is None:
        return set()
    return {u.id for u in registry.my_units(user.person_id)}


def rows_seen(compound: Compound, rows: list[UnitFundRow]) -> list[UnitFundRow]:
    """Of the compound's `rows`, those the user may read: every one for staff and
    oversight, an owner's own units only."""
    if sees_every_unit(compound):
        return rows
    mine = my_unit_ids()
    return [r for r in rows if r.unit_id in mine]


def unit_rows(compound: Compound, unit_ids: Iterable[int] | None = None) -> list[UnitFundRow]:
    """Every unit of the compound (or those named) with its sub-ledger, in registry order."""
    q = (select(Unit.id, Unit.label, Unit.area, Unit.developer_held,
                UnitFundAccount.balance_fen, UnitFundAccount.arrears_fen,
                UnitFundAccount.initial_paid_fen)
         .outerjoin(UnitFundAccount, UnitFundAccount.unit_id == Unit.id)
         .join(Building, Building.id == Unit.building_id)
         .join(Entrance, Entrance.id == Unit.entrance_id)
         .where(Unit.compound_id == compound.id)
         .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key, Unit.id))
    if unit_ids is not None:
        ids = sorted(set(unit_ids))
        if not ids:
            return []
        q = q.where(Unit.id.in_(ids))
    rate = compound.fund_rate_fen
    out = []
    for uid, label, area, dev, bal, arr, paid in db.session.execute(q):
        bal, arr, paid = bal or 0, arr or 0, paid or 0
        due = rules.initial_due(rate, area)
        out.append(UnitFundRow(uid, label, area, dev, due, paid, bal, arr,
                               rules.unit_arrears(due, paid, arr),
                               rules.is_low_balance(bal, paid)))
    return out


@dataclass(frozen=True)
class FundSummary:
    compound_id: int
    rate_fen: int | None
    units: int
    balance_fen: int
    initial_paid_fen: int
    initial_due_fen: int | None
    expense_arrears_fen: int
    arrears_fen: int
    developer_due_fen: int
    low_balance: list[UnitFundRow]
    in_arrears: list[UnitFundRow]


def summary(compound: Compound, rows: list[UnitFundRow] | None = None) -> FundSummary:
    """The fund's totals, the units below 30% and the units in arrears."""
    rows = unit_rows(compound) if rows is None else rows
    fund = db.session.scalar(select(FundAccount).where(FundAccount.compound_id == compound.id))
    due = None if compound.fund_rate_fen is None else sum(r.initial_due_fen for r in rows)
    return FundSummary(
        compound.id, compound.fund_rate_fen, len(rows), sum(r.balance_fen for r in rows),
        sum(r.initial_paid_fen for r in rows), due,
        sum(r.expense_arrears_fen for r in rows), sum(r.arrears_fen for r in rows),
        fund.developer_due_fen if fund else 0,
        [r for r in rows if r.low_balance], [r for r in rows if r.arrears_fen > 0])


def my_unit_rows(person_id: int | None) -> list[tuple[Compound, UnitFundRow]]:
    """An owner's own units with their sub-ledgers."""
    if person_id is None:
        return []
    units = registry.my_units(person_id)
    out = []
    by_compound: dict[int, list[int]] = {}
    for u in units:
        by_compound.setdefault(u.compound_id, []).append(u.id)
    for cid, ids in by_compound.items():
        compound = db.session.get(Compound, cid)
        out += [(compound, r) for r in unit_rows(compound, ids)]
    return out


def visible_funds() -> list[tuple[Compound, FundAccount | None]]:
    """Compounds whose fund the user may see as staff, with their fund rows."""
    q = registry.visible_compounds_query("fund.view")
    compounds = db.session.scalars(q.order_by(Compound.name)).unique().all()
    funds = {f.compound_id: f for f in db.session.scalars(
        select(FundAccount).where(FundAccount.compound_id.in_([c.id for c in compounds])))
    } if compounds else {}
    return [(c, funds.get(c.id)) for c in compounds]


@dataclass(frozen=True)
class PostingRow:
    posting: FundPosting
    reversed_by: int | None
    project_title: str | None


def list_postings(compound: Compound, page: int = 1, size: int = 30):
    """The fund's postings, newest first, with what reversed them."""
    q = select(FundPosting).where(FundPosting.compound_id == compound.id)
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    items = db.session.scalars(q.order_by(FundPosting.id.desc())
                               .offset((page - 1) * size).limit(size)).all()
    ids = [p.id for p in items]
    reversed_by = dict(db.session.execute(
        select(FundPosting.reverses_posting_id, FundPosting.id)
        .where(FundPosting.reverses_posting_id.in_(ids))).all()) if ids else {}
    titles = dict(db.session.execute(
        select(RepairProject.id, RepairProject.title).where(RepairProject.id.in_(
            [p.project_id for p in items if p.project_id]))).all())
    rows = [PostingRow(p, reversed_by.get(p.id), titles.get(p.project_id)) for p in items]
    return registry.Page(rows, page, pages, total)


def posting_entries(posting: FundPosting, limit: int = 200) -> list[tuple[FundEntry, str]]:
    """A posting's entries with their units' labels, in entry order (at most `limit`)."""
    rows = db.session.execute(
        select(FundEntry, Unit.label).join(Unit, Unit.id == FundEntry.unit_id)
        .where(FundEntry.posting_id == posting.id).order_by(FundEntry.id).limit(limit)).all()
    return [(e, label) for e, label in rows]


@dataclass(frozen=True)
class LedgerLine:
    """A line of a unit's statement (entries with running balance)."""

    entry_id: int
    at: dt.datetime
    kind: str
    kind_zh: str
    posting_kind: str
    memo: str
    amount_fen: int
    balance_delta_fen: int
    arrears_delta_fen: int
    balance_after_fen: int
    arrears_after_fen: int
    project_id: int | None
    project_title: str | None
    reverses_entry_id: int | None


def _entry_label(kind: str, posting_kind: str) -> str:
    if posting_kind == PostingKind.opening.value:
        return PostingKind.opening.zh
    return EntryKind(kind).zh


def unit_ledger(unit: Unit) -> list[LedgerLine]:
    """A unit's statement: every entry with its running balance, oldest first — by the
    entry's date, then by id (an entry dated earlier than it was written, such as an opening
    balance as of its day, takes its place by date)."""
    rows = db.session.execute(
        select(FundEntry.id, FundEntry.created_at, FundEntry.kind, FundPosting.kind,
               FundPosting.memo, FundEntry.amount_fen, FundEntry.balance_delta_fen,
               FundEntry.arrears_delta_fen, FundEntry.balance_after_fen,
               FundEntry.arrears_after_fen, FundPosting.project_id, RepairProject.title,
               FundEntry.reverses_entry_id)
        .join(FundPosting, FundPosting.id == FundEntry.posting_id)
        .outerjoin(RepairProject, RepairProject.id == FundPosting.project_id)
        .where(FundEntry.unit_id == unit.id).order_by(FundEntry.created_at, FundEntry.id)
    ).all()
    return [LedgerLine(r[0], r[1], r[2], _entry_label(r[2], r[3]), r[3], r[4], r[5], r[6], r[7],
                       r[8], r[9], r[10], r[11], r[12]) for r in rows]


# -- time series ----------------------------------------------------------------------------

def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) of `year` in Beijing time, as aware UTC instants."""
    start = dt.datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(dt.UTC)
    return start, end


def this_year() -> int:
    """The current year in Beijing time."""
    return utcnow().astimezone(SHANGHAI).year


def month_key(moment: dt.datetime) -> tuple[int, int]:
    """(year, month) of a moment in Beijing time."""
    local = moment.astimezone(SHANGHAI)
    return local.year, local.month


def balance_series(compound: Compound, *, months: int = 24,
                   end: tuple[int, int] | None = None) -> tuple[list[str], list[int]]:
    """The fund's balance at the end of each of the last `months` months (Beijing time)."""
    end = end or month_key(utcnow())
    keys = []
    y, m = end
    for _ in range(months):
        keys.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    keys.reverse()
    first = keys[0]
    start = dt.datetime(first[0], first[1], 1, tzinfo=SHANGHAI).astimezone(dt.UTC)
    opening = db.session.scalar(
        select(func.coalesce(func.sum(FundPosting.balance_delta_fen), 0))
        .where(FundPosting.compound_id == compound.id, FundPosting.created_at < start)) or 0
    by_month: dict[tuple[int, int], int] = {}
    for at, delta in db.session.execute(
            select(FundPosting.created_at, FundPosting.balance_delta_fen)
            .where(FundPosting.compound_id == compound.id, FundPosting.created_at >= start)):
        key = month_key(at)
        by_month[key] = by_month.get(key, 0) + delta
    values, running = [], int(opening)
    for key in keys:
        running += by_month.get(key, 0)
        values.append(running)
    return [f"{y}-{m:02d}" for y, m in keys], values


# -- the journal as the API lists it -----------------------------------------------------------

def entries_query(compound: Compound, *, unit_id: int | None = None, kind: str | None = None,
                  posting_id: int | None = None, project_id: int | None = None,
                  since: dt.datetime | None = None, until: dt.datetime | None = None):
    """The compound's entries (a Select), oldest first — narrowed to a unit, an entry kind,
    a posting, a repair project, or [since, until)."""
    q = select(FundEntry).where(FundEntry.compound_id == compound.id)
    if unit_id is not None:
        q = q.where(FundEntry.unit_id == unit_id)
    if kind is not None:
        q = q.where(FundEntry.kind == kind)
    if posting_id is not None:
        q = q.where(FundEntry.posting_id == posting_id)
    if project_id is not None:
        q = q.where(FundEntry.posting_id.in_(select(FundPosting.id).where(
            FundPosting.project_id == project_id)))
    if since is not None:
        q = q.where(FundEntry.created_at >= since)
    if until is not None:
        q = q.where(FundEntry.created_at < until)
    return q.order_by(FundEntry.created_at, FundEntry.id)


def postings_query(compound: Compound, *, kind: str | None = None,
                   project_id: int | None = None):
    """The compound's postings, newest first (a Select), of one kind or one project."""
    q = select(FundPosting).where(FundPosting.compound_id == compound.id)
    if kind is not None:
        q = q.where(FundPosting.kind == kind)
    if project_id is not None:
        q = q.where(FundPosting.project_id == project_id)
    return q.order_by(FundPosting.id.desc())


def unit_labels(unit_ids: Iterable[int]) -> dict[int, str]:
    """unit id → label, for the units named."""
    ids = sorted(set(unit_ids))
    out: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        out.update(db.session.execute(select(Unit.id, Unit.label)
                                      .where(Unit.id.in_(ids[start:start + 1000]))).all())
    return out


def reversed_by(posting_ids: Iterable[int]) -> dict[int, int]:
    """posting id → the id of the reversal that undid it, for those reversed."""
    ids = list(posting_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(FundPosting.reverses_posting_id, FundPosting.id)
        .where(FundPosting.reverses_posting_id.in_(ids))).all())
