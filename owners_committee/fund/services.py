"""Repair-fund use-cases (住宅专项维修资金): post entries, spread interest and income, post
repair projects, reverse mistakes, import opening balances, top-up plans, and the data of
every statement. The HTML views and the JSON API call these; the arithmetic is in
`fund_rules` (pure), the approval test in `votes.approvals` (read-only).

Each use-case is one transaction: load, `authorize`, compute, write, audit (last), commit.
Every posting goes through `_post`, which

1. takes the compound's fund row first (an UPDATE: a row lock on PostgreSQL, the database
   write lock on SQLite), so postings on one compound are applied one after another and
   none computes from a balance another is changing;
2. locks the sub-ledgers it touches (`SELECT … FOR UPDATE`, in unit order) and reads them
   fresh inside the lock;
3. writes the posting, one immutable entry per unit, the new sub-ledger states and the
   fund's totals, in bulk (a 20,000-unit project is a handful of statements);
4. leaves the audit to the caller, who adds its own rows first and then calls `_audit` as
   the last write before commit: one audit entry per posting, holding a SHA-256 over every
   one of its entries, which `verify` recomputes — so each entry is covered by the hash
   chain without 20,000 audit rows for a compound-wide project.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, insert, literal, or_, select, update
from sqlalchemy.orm import selectinload

from compounds import services as registry
from compounds.models import Building, Compound, Entrance, Holding, Person, Unit
from core import audit
from core.auth import current_actor
from core.extensions import db
from core.loader import load
from core.permissions import authorize, may
from core.types import AmountError, UTCDateTime, fen_to_str, parse_money, utcnow
from owners_committee import fund_rules as rules
from owners_committee.fund_models import (
    EmergencyKind,
    FundAccount,
    FundEntry,
    FundPosting,
    PostingKind,
    ProjectStatus,
    RepairProject,
    RepairProjectScope,
    RepairProjectShare,
    TopUpPlan,
    TopUpPlanLine,
    UnitFundAccount,
)
from owners_committee.fund_rules import EntryKind, SpreadBasis

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: parameters per IN (...) list: well inside SQLite's and PostgreSQL's limits
_CHUNK = 1000
#: above this many units a posting locks the compound's sub-ledgers by compound, not by id
_BY_COMPOUND = 2000
MAX_MEMO = 500
#: yuan with at most two decimals; no signs, exponents or spaces
_PLAIN_AMOUNT = re.compile(r"^\d{1,13}(\.\d{1,2})?$")

#: what the API and the entry form accept; the rest are written by the system
MANUAL_KINDS = (EntryKind.INITIAL, EntryKind.TOP_UP, EntryKind.INTEREST, EntryKind.REFUND)
SPREAD_KINDS = (EntryKind.INTEREST, EntryKind.INCOME)


class FundError(Exception):
    """A refused fund operation: `code` for the API, `message` for people, `field` if any."""

    def __init__(self, code: str, message, field: str | None = None, status: int = 422,
                 details: dict | None = None):
        super().__init__(str(message))
        self.code, self.message, self.field = code, message, field
        self.status, self.details = status, details or {}


def _chunks(items: Sequence, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- loading with permission ----------------------------------------------------------------

def get_compound(compound_id: int, action: str = "fund.view") -> Compound:
    """The compound, if the user may do `action` on its fund (core.loader: 404 / 403)."""
    return load(Compound, compound_id, action)


def sees_every_unit(compound: Compound) -> bool:
    """Staff and oversight see every sub-ledger; an owner only their own units'."""
    return may("fund.ledger", compound)


def get_posting(posting_id: int, compound: Compound, action: str = "fund.manage") -> FundPosting:
    """A posting of this compound's journal (core.loader: 404 / 403)."""
    return load(FundPosting, posting_id, action, parent=compound)


# -- parsing inputs -------------------------------------------------------------------------

def _amount(value, field: str = "amount", *, positive: bool = True) -> int:
    if isinstance(value, bool | float) or not isinstance(value, str | int):
        raise FundError("validation_error",
                        _l("Write the amount as a string of yuan, e.g. \"1234.56\""), field)
    if isinstance(value, str) and not _PLAIN_AMOUNT.match(value.strip().replace(",", "")):
        raise FundError("validation_error",
                        _l("Write the amount as a string of yuan, e.g. \"1234.56\""), field)
    try:
        fen = parse_money(value)
    except AmountError as err:
        raise FundError("validation_error", err.args[0], field) from None
    if positive and fen <= 0:
        raise FundError("validation_error", _l("The amount must be greater than 0"), field)
    return fen


def _memo(value) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_MEMO:
        raise FundError("validation_error",
                        _l("The memo is too long (at most %(n)s characters)", n=MAX_MEMO), "memo")
    return text


def _kind(value, allowed: Iterable[EntryKind]) -> EntryKind:
    allowed = tuple(allowed)
    try:
        kind = EntryKind(value)
    except ValueError:
        kind = None
    if kind not in allowed:
        raise FundError("validation_error",
                        _l("Kind must be one of: %(kinds)s",
                           kinds=", ".join(k.value for k in allowed)), "kind")
    return kind


def _basis(value) -> SpreadBasis:
    try:
        return SpreadBasis(value or SpreadBasis.BALANCE.value)
    except ValueError:
        raise FundError("validation_error", _l("Basis must be 'balance' or 'area'"),
                        "basis") from None


def _unit_of(compound: Compound, ref, field: str = "unit") -> Unit:
    if ref in (None, "") or isinstance(ref, bool):
        raise FundError("validation_error", _l("Name the unit (e.g. 7-2-301)"), field)
    unit = registry.find_unit(compound, ref)
    if unit is None:
        raise FundError("unknown_unit", _l("No unit %(ref)s in this compound", ref=ref), field)
    return unit


# -- the posting engine ---------------------------------------------------------------------

@dataclass(slots=True)
class _State:
    """A sub-ledger during a posting (read inside the lock)."""

    account_id: int
    unit_id: int
    balance: int
    arrears: int
    initial: int
    entries: int


@dataclass(slots=True)
class _Line:
    """One entry to write: face amount and effects."""

    unit_id: int
    kind: EntryKind
    amount: int
    balance_delta: int
    arrears_delta: int = 0
    initial_delta: int = 0
    reverses_entry_id: int | None = None


@dataclass
class _Posted:
    posting: FundPosting
    #: (entry id, line, balance after, arrears after), in line order
    entries: list[tuple[int, _Line, int, int]]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _ensure_fund(compound_id: int) -> None:
    """Create the compound's fund row if missing (safe when two requests race)."""
    if db.session.scalar(select(FundAccount.id).where(FundAccount.compound_id == compound_id)):
        return
    if _dialect() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    db.session.execute(dialect_insert(FundAccount).values(
        compound_id=compound_id, balance_fen=0, arrears_fen=0, initial_paid_fen=0,
        developer_due_fen=0, version=0, updated_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["compound_id"]))


def _lock_fund(compound_id: int):
    """Take the compound's fund lock (the first write of every posting) and read the row."""
    _ensure_fund(compound_id)
    db.session.execute(update(FundAccount).where(FundAccount.compound_id == compound_id)
                       .values(version=FundAccount.version + 1))
    return db.session.execute(
        select(FundAccount.id, FundAccount.balance_fen, FundAccount.arrears_fen,
               FundAccount.initial_paid_fen, FundAccount.developer_due_fen)
        .where(FundAccount.compound_id == compound_id)).one()


def _ensure_unit_accounts(compound_id: int, unit_ids: list[int] | None) -> None:
    """Open a sub-ledger for every unit named (None: every unit of the compound)."""
    now = utcnow()
    source = (select(Unit.compound_id, Unit.id, literal(0), literal(0), literal(0), literal(0),
                     literal(now, UTCDateTime))
              .outerjoin(UnitFundAccount, UnitFundAccount.unit_id == Unit.id)
              .where(Unit.compound_id == compound_id, UnitFundAccount.id.is_(None)))
    cols = ["compound_id", "unit_id", "balance_fen", "arrears_fen", "initial_paid_fen",
            "version", "updated_at"]
    if unit_ids is None or len(unit_ids) > _BY_COMPOUND:  # one statement, not 20 IN lists
        db.session.execute(insert(UnitFundAccount).from_select(cols, source))
        return
    for chunk in _chunks(sorted(set(unit_ids))):
        db.session.execute(insert(UnitFundAccount).from_select(
            cols, source.where(Unit.id.in_(chunk))))


def _lock_units(compound_id: int, unit_ids: list[int] | None) -> dict[int, _State]:
    """Lock and read the sub-ledgers of `unit_ids` (None: all of the compound), unit order."""
    _ensure_unit_accounts(compound_id, unit_ids)
    cols = (UnitFundAccount.id, UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
            UnitFundAccount.arrears_fen, UnitFundAccount.initial_paid_fen,
            UnitFundAccount.version)
    states: dict[int, _State] = {}

    def read(q):
        for row in db.session.execute(q.order_by(UnitFundAccount.unit_id).with_for_update()):
            states[row[1]] = _State(*row)

    if unit_ids is None or len(unit_ids) > _BY_COMPOUND:
        # Every writer of sub-ledgers holds the compound's fund lock (taken first in _post),
        # so a compound-wide posting needs no row lock per unit: 20,000 row locks would only
        # cost time. Small postings lock their rows too, as a second line of defence.
        wanted = None if unit_ids is None else set(unit_ids)
        for row in db.session.execute(
                select(*cols).where(UnitFundAccount.compound_id == compound_id)):
            if wanted is None or row[1] in wanted:
                states[row[1]] = _State(*row)
        return states
    for chunk in _chunks(sorted(set(unit_ids))):
        read(select(*cols).where(UnitFundAccount.unit_id.in_(chunk)))
    return states


def _post(compound_id: int, kind: PostingKind, unit_ids: list[int] | None,
          compute: Callable[[dict[int, _State]], list[_Line]], *, memo: str = "",
          basis: str | None = None, project_id: int | None = None,
          reverses_posting_id: int | None = None, developer_delta: int = 0,
          at: dt.datetime | None = None, actor: tuple[int | None, str] | None = None,
          before: Callable[[], None] | None = None) -> _Posted:
    """Lock, compute the lines from the locked sub-ledgers, write. The caller audits and
    commits. `before()` runs inside the lock, before computing (re-checks that need it)."""
    _lock_fund(compound_id)
    if before is not None:
        before()
    states = _lock_units(compound_id, unit_ids)
    lines = compute(states)
    if len({x.unit_id for x in lines}) != len(lines):
        raise RuntimeError("a posting touches each sub-ledger at most once")
    if not lines and not developer_delta:
        raise FundError("nothing_to_post", _l("Nothing to post: every amount is zero"),
                        status=409)
    now = at or utcnow()
    actor_id, actor_name = actor or current_actor()

    applied: list[tuple[_Line, int, int]] = []
    for line in lines:
        st = states[line.unit_id]
        st.balance += line.balance_delta
        st.arrears += line.arrears_delta
        st.initial += line.initial_delta
        st.entries += 1
        if st.balance < 0 or st.arrears < 0 or st.initial < 0:
            # rules keep these ≥ 0; this is the last line of defence before the database's
            raise RuntimeError(f"posting would make unit {line.unit_id}'s sub-ledger negative")
        applied.append((line, st.balance, st.arrears))

    posting = FundPosting(
        compound_id=compound_id, kind=kind.value, basis=basis,
        total_fen=sum(x.amount for x in lines),
        balance_delta_fen=sum(x.balance_delta for x in lines),
        arrears_delta_fen=sum(x.arrears_delta for x in lines),
        initial_delta_fen=sum(x.initial_delta for x in lines),
        developer_delta_fen=developer_delta, entry_count=len(lines), memo=memo,
        project_id=project_id, reverses_posting_id=reverses_posting_id,
        created_by_id=actor_id, created_by=actor_name, created_at=now)
    db.session.add(posting)
    db.session.flush()

    rows = [{"compound_id": compound_id, "posting_id": posting.id, "unit_id": line.unit_id,
             "kind": line.kind.value, "amount_fen": line.amount,
             "balance_delta_fen": line.balance_delta, "arrears_delta_fen": line.arrears_delta,
             "initial_delta_fen": line.initial_delta, "balance_after_fen": bal,
             "arrears_after_fen": arr, "reverses_entry_id": line.reverses_entry_id,
             "created_at": now}
            for line, bal, arr in applied]
    ids = _insert_rows(FundEntry.__table__, rows, key="unit_id")
    _update_accounts([states[u] for u in sorted({line.unit_id for line in lines})], now)
    db.session.execute(
        update(FundAccount).where(FundAccount.compound_id == compound_id).values(
            balance_fen=FundAccount.balance_fen + posting.balance_delta_fen,
            arrears_fen=FundAccount.arrears_fen + posting.arrears_delta_fen,
            initial_paid_fen=FundAccount.initial_paid_fen + posting.initial_delta_fen,
            developer_due_fen=FundAccount.developer_due_fen + developer_delta,
            updated_at=now))
    return _Posted(posting, [(i, line, bal, arr)
                             for i, (line, bal, arr) in zip(ids, applied, strict=True)])


def _pg_array_type(col) -> str:
    """The column's PostgreSQL type as an array type, e.g. "NUMERIC(12, 2)[]"."""
    return col.type.compile(dialect=db.session.get_bind().dialect) + "[]"


def _insert_rows(table, rows: list[dict], *, key: str | None = None) -> list[int]:
    """Insert many rows; with `key`, return the new ids in the order of `rows` (`key` is a
    column unique among the rows, e.g. the unit of each entry of one posting, and the rows
    share a `posting_id` or `project_id` that no earlier row has).

    PostgreSQL: one `INSERT … SELECT FROM unnest(arrays)` per 10,000 rows — a handful of
    parameters instead of a statement the size of the data; SQLite: executemany."""
    if not rows:
        return []
    if _dialect() != "postgresql":
        # SQLite cannot promise the order of a multi-row INSERT … RETURNING, so SQLAlchemy
        # would insert row by row; one executemany and one SELECT by the key is far faster
        db.session.execute(table.insert(), rows)
        if key is None:
            return []
        first = rows[0]
        q = select(table.c.id, table.c[key]).where(
            *(table.c[c] == first[c] for c in ("posting_id", "project_id") if c in first))
        by_key = dict((k, i) for i, k in db.session.execute(q))
        return [by_key[r[key]] for r in rows]
    from sqlalchemy import text

    cols = list(rows[0])
    # a column with one value for every row (the posting, its time) is sent once, not as
    # an array of 20,000 copies; the others travel as one array each
    same = {c for c in cols if all(r[c] == rows[0][c] for r in rows)} - ({key} if key else set())
    varying = [c for c in cols if c not in same] or [cols[0]]
    same.discard(varying[0])
    exprs = [f"CAST(:{c} AS {_pg_array_type(table.c[c])[:-2]})" if c in same else f"v.{c}"
             for c in cols]
    arrays = ", ".join(f"CAST(:{c} AS {_pg_array_type(table.c[c])})" for c in varying)
    # names and types come from our own table metadata, never from input
    sql = (f'INSERT INTO "{table.name}" ({", ".join(cols)}) '  # noqa: S608
           f"SELECT {', '.join(exprs)} FROM unnest({arrays}) AS v({', '.join(varying)})")
    if key is not None:
        sql += f" RETURNING id, {key}"
    by_key: dict = {}
    for chunk in _chunks(rows, 10_000):
        params = {c: rows[0][c] for c in same} | {c: [r[c] for r in chunk] for c in varying}
        result = db.session.execute(text(sql), params)
        if key is not None:
            by_key.update({k: i for i, k in result})
    return [by_key[r[key]] for r in rows] if key is not None else []


def _update_accounts(states: list[_State], now: dt.datetime) -> None:
    """Write the new sub-ledger states in bulk: on PostgreSQL one UPDATE … FROM unnest(arrays)
    (a round trip per row would cost seconds for a 20,000-unit project); on SQLite an
    executemany (in-process, already fast)."""
    t = UnitFundAccount.__table__
    if _dialect() == "postgresql":
        from sqlalchemy import text

        db.session.execute(text(
            "UPDATE unit_fund_account AS t SET balance_fen = v.b, arrears_fen = v.a, "
            "initial_paid_fen = v.i, version = v.n, updated_at = :now "
            "FROM unnest(CAST(:ids AS integer[]), CAST(:b AS bigint[]), CAST(:a AS bigint[]), "
            "CAST(:i AS bigint[]), CAST(:n AS integer[])) AS v(id, b, a, i, n) "
            "WHERE t.id = v.id"),
            {"ids": [x.account_id for x in states], "b": [x.balance for x in states],
             "a": [x.arrears for x in states], "i": [x.initial for x in states],
             "n": [x.entries for x in states], "now": now})
        return
    from sqlalchemy import bindparam

    db.session.execute(
        t.update().where(t.c.id == bindparam("b_id")).values(
            balance_fen=bindparam("b_balance"), arrears_fen=bindparam("b_arrears"),
            initial_paid_fen=bindparam("b_initial"), version=bindparam("b_version"),
            updated_at=bindparam("b_at")),
        [{"b_id": x.account_id, "b_balance": x.balance, "b_arrears": x.arrears,
          "b_initial": x.initial, "b_version": x.entries, "b_at": now} for x in states])


def entries_digest(rows: Iterable[tuple]) -> str:
    """SHA-256 over a posting's entries, each (id, unit, kind, amount, Δbalance, Δarrears,
    Δfirst deposit, balance after, arrears after, reversed entry), in id order. Stored in the
    posting's audit entry, recomputed by `verify`: an entry changed behind the ledger's back
    no longer matches the hash-chained record."""
    h = hashlib.sha256()
    for r in rows:
        h.update(("|".join("" if x is None else str(x) for x in r) + "\n").encode())
    return h.hexdigest()


#: postings of at most this many entries carry every entry in their audit data (readable in
#: the audit log); larger ones carry the digest only
_AUDIT_LINES = 50


def _audit(posted: _Posted, action: str, data: dict, *, compound_id: int,
           actor: tuple[int | None, str] | None = None) -> None:
    """The posting's audit entry — the last write before commit. It names the posting and
    commits to every one of its entries through `entries_digest` (one audit entry, not
    20,000, for a compound-wide project; `verify` checks each posting against it)."""
    p = posted.posting
    rows = [(entry_id, line.unit_id, line.kind.value, line.amount, line.balance_delta,
             line.arrears_delta, line.initial_delta, bal, arr, line.reverses_entry_id)
            for entry_id, line, bal, arr in posted.entries]
    payload = {"kind": p.kind, "basis": p.basis, "total_fen": p.total_fen,
               "balance_delta_fen": p.balance_delta_fen, "arrears_delta_fen": p.arrears_delta_fen,
               "initial_delta_fen": p.initial_delta_fen,
               "developer_delta_fen": p.developer_delta_fen, "entries": p.entry_count,
               "entries_sha256": entries_digest(rows), "memo": p.memo,
               "reverses": p.reverses_posting_id, "project": p.project_id, **data}
    if len(rows) <= _AUDIT_LINES:
        payload["lines"] = [{"entry": r[0], "unit": r[1], "kind": r[2], "amount_fen": r[3],
                             "balance_after_fen": r[7], "arrears_after_fen": r[8]}
                            for r in rows]
    audit.record(action, "fund_posting", p.id, payload, compound_id=compound_id, actor=actor)


# -- entries and spreads --------------------------------------------------------------------

def post_entry(compound: Compound, *, unit=None, kind, amount, memo="", basis=None,
               kinds: Sequence[EntryKind] = MANUAL_KINDS) -> FundPosting:
    """Post a deposit, top-up, interest or refund to one unit (API.md: fund/entries).

    Interest without a unit is spread over every unit of the compound (by balance unless
    `basis` says "area"). A top-up first clears the unit's arrears (fund_rules.apply_top_up);
    a refund may not exceed the balance (409 insufficient_balance).
    """
    authorize("fund.manage", compound)
    kind = _kind(kind, kinds)
    fen = _amount(amount)
    memo = _memo(memo)
    if unit in (None, "") and kind in SPREAD_KINDS:
        return spread(compound, kind=kind, total=fen, basis=basis, memo=memo)
    target = _unit_of(compound, unit)
    posted = _post_to_unit(compound.id, target.id, kind, fen, memo)
    _audit(posted, "fund.post", {"unit": target.label}, compound_id=compound.id)
    db.session.commit()
    return posted.posting


def _post_to_unit(compound_id: int, unit_id: int, kind: EntryKind, fen: int, memo: str, *,
                  at=None, actor=None) -> _Posted:
    def compute(states: dict[int, _State]) -> list[_Line]:
        st = states[unit_id]
        if kind is EntryKind.INITIAL:
            return [_Line(unit_id, kind, fen, fen, 0, fen)]
        if kind is EntryKind.TOP_UP:
            r = rules.apply_top_up(st.balance, st.arrears, fen)
            return [_Line(unit_id, kind, fen, r.new_balance_fen - st.balance, -r.cleared_fen)]
        if kind in SPREAD_KINDS:
            return [_Line(unit_id, kind, fen, fen)]
        if kind is EntryKind.REFUND:
            if fen > st.balance:
                raise FundError("insufficient_balance",
                                _l("The refund is larger than the unit's balance (%(b)s)",
                                   b=fen_to_str(st.balance)), "amount", status=409,
                                details={"balance": fen_to_str(st.balance)})
            return [_Line(unit_id, kind, -fen, -fen)]
        raise FundError("validation_error", _l("This kind cannot be posted by hand"), "kind")

    return _post(compound_id, PostingKind(kind.value), [unit_id], compute, memo=memo, at=at,
                 actor=actor)


def spread(compound: Compound, *, kind, total, basis=None, memo="") -> FundPosting:
    """Spread interest or common-part income over all the compound's units, to the fen.

    By balance (how bank interest accrues) or by area (how common-part income is owned);
    the credits add up to the total exactly (largest remainder, fund_rules.spread).
    """
    authorize("fund.manage", compound)
    kind = _kind(kind, SPREAD_KINDS)
    fen = total if isinstance(total, int) and not isinstance(total, bool) else _amount(total)
    if fen <= 0:
        raise FundError("validation_error", _l("The amount must be greater than 0"), "amount")
    basis = _basis(basis)
    posted = _spread(compound.id, kind, fen, basis, _memo(memo))
    _audit(posted, "fund.spread", {}, compound_id=compound.id)
    db.session.commit()
    return posted.posting


def _spread(compound_id: int, kind: EntryKind, fen: int, basis: SpreadBasis, memo: str, *,
            at=None, actor=None) -> _Posted:
    areas = dict(db.session.execute(
        select(Unit.id, Unit.area).where(Unit.compound_id == compound_id)).all())
    if not areas:
        raise FundError("empty_compound", _l("The compound has no units yet"), status=409)

    def compute(states: dict[int, _State]) -> list[_Line]:
        try:
            credits = rules.spread(fen, [(u, areas[u], states[u].balance)
                                         for u in sorted(states) if u in areas], basis)
        except ValueError:
            raise FundError("nothing_to_spread",
                            _l("No unit has a balance to spread by; spread by area instead"),
                            "basis", status=409) from None
        return [_Line(u, kind, c, c) for u, c in credits.items() if c > 0]

    return _post(compound_id, PostingKind(kind.value), None, compute, memo=memo,
                 basis=basis.value, at=at, actor=actor)


# -- reversals ------------------------------------------------------------------------------

def reverse(posting: FundPosting, reason: str) -> FundPosting:
    """Reverse a whole posting (冲正) — the only way to correct the journal.

    Every entry gets a reversal entry that undoes its effect on the owner's net position
    exactly (fund_rules.reverse_entry); a repair project's reversal also takes back the
    developer's part and marks the project reversed. A posting is reversed at most once and a
    reversal is never itself reversed (post the right entry instead).
    """
    authorize("fund.manage", posting)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise FundError("validation_error", _l("Give the reason for the reversal"), "reason")
    if len(reason) > MAX_MEMO:
        raise FundError("validation_error",
                        _l("The memo is too long (at most %(n)s characters)", n=MAX_MEMO),
                        "reason")
    posted = _reverse(posting, reason)
    _audit(posted, "fund.reverse", {"reverses": posting.id, "reason": reason},
           compound_id=posting.compound_id)
    db.session.commit()
    return posted.posting


def _reverse(posting: FundPosting, reason: str, *, at=None, actor=None) -> _Posted:
    if posting.kind == PostingKind.reversal.value:
        raise FundError("cannot_reverse_reversal",
                        _l("A reversal cannot be reversed; post the correct entry instead"),
                        status=409)
    originals = db.session.execute(
        select(FundEntry.id, FundEntry.unit_id, FundEntry.kind, FundEntry.amount_fen,
               FundEntry.balance_delta_fen, FundEntry.arrears_delta_fen,
               FundEntry.initial_delta_fen)
        .where(FundEntry.posting_id == posting.id).order_by(FundEntry.id)).all()

    def check() -> None:  # inside the lock: two simultaneous reversals, one wins
        if db.session.scalar(select(FundPosting.id)
                             .where(FundPosting.reverses_posting_id == posting.id)):
            raise FundError("already_reversed", _l("This posting has already been reversed"),
                            status=409)

    def compute(states: dict[int, _State]) -> list[_Line]:
        # one entry per unit in every posting, so each reversal reads its unit's state as is
        lines = []
        for e in originals:
            st = states[e.unit_id]
            r = rules.reverse_entry(st.balance, st.arrears, e.balance_delta_fen,
                                    e.arrears_delta_fen)
            db_, da_ = r.deltas(st.balance, st.arrears)
            lines.append(_Line(e.unit_id, EntryKind.REVERSAL, -e.amount_fen, db_, da_,
                               -e.initial_delta_fen, reverses_entry_id=e.id))
        return lines

    posted = _post(posting.compound_id, PostingKind.reversal,
                   sorted({e.unit_id for e in originals}), compute, memo=reason,
                   reverses_posting_id=posting.id,
                   developer_delta=-posting.developer_delta_fen, at=at, actor=actor,
                   before=check)
    if posting.project_id is not None:
        db.session.execute(update(RepairProject).where(RepairProject.id == posting.project_id)
                           .values(status=ProjectStatus.reversed.value))
    return posted


# -- repair projects ------------------------------------------------------------------------

@dataclass(frozen=True)
class ScopeItem:
    """One item of a project's scope as given: a building, an entrance or a unit."""

    building: str | None = None
    entrance: str | None = None
    unit: str | None = None

    @property
    def text(self) -> str:
        if self.unit:
            return self.unit
        return self.building if not self.entrance else f"{self.building}-{self.entrance}"


_SPLIT = re.compile(r"[\s,，;；、]+")


def parse_scope_text(text: str) -> list[ScopeItem]:
    """The form's scope: items separated by lines, commas or spaces — "7" (a building),
    "7-2" (an entrance), "7-2-301" (a unit). Empty: the whole compound."""
    items = []
    for token in _SPLIT.split(text or ""):
        token = token.strip()
        if not token:
            continue
        parts = token.split("-")
        if len(parts) == 1:
            items.append(ScopeItem(building=parts[0]))
        elif len(parts) == 2:
            items.append(ScopeItem(building=parts[0], entrance=parts[1]))
        else:
            items.append(ScopeItem(unit=token))
    return items


def parse_scope_json(value) -> list[ScopeItem]:
    """The API's scope: omitted = whole compound; else a list of {"building"},
    {"building", "entrance"} or {"unit"} (a label or id); strings like "7-2" also do."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FundError("validation_error", _l("Scope must be a list"), "scope")
    items = []
    for n, raw in enumerate(value):
        if isinstance(raw, str):
            items += parse_scope_text(raw)
            continue
        if not isinstance(raw, dict):
            raise FundError("validation_error", _l("Scope item %(n)s is not an object", n=n),
                            "scope")
        unit, building, entrance = raw.get("unit"), raw.get("building"), raw.get("entrance")
        if unit is not None and not isinstance(unit, bool) and isinstance(unit, int | str):
            items.append(ScopeItem(unit=str(unit)))
        elif isinstance(building, str | int) and not isinstance(building, bool):
            if entrance is not None and not (isinstance(entrance, str | int)
                                             and not isinstance(entrance, bool)):
                raise FundError("validation_error",
                                _l("Scope item %(n)s is not an object", n=n), "scope")
            items.append(ScopeItem(building=str(building),
                                   entrance=None if entrance is None else str(entrance)))
        else:
            raise FundError("validation_error",
                            _l("Scope item %(n)s names no building or unit", n=n), "scope")
    return items


class ScopeUnit(NamedTuple):
    unit_id: int
    label: str
    area: Decimal
    developer_held: bool


@dataclass(frozen=True)
class ResolvedScope:
    units: tuple[ScopeUnit, ...]
    #: (building_id, entrance_id, unit_id, label) rows to store
    rows: tuple[tuple[int | None, int | None, int | None, str], ...]
    text: str
    whole_compound: bool


def resolve_scope(compound: Compound, items: list[ScopeItem]) -> ResolvedScope:
    """The units of the scope, in registry order; every unknown item reported at once."""
    buildings = {b.number: b for b in db.session.scalars(
        select(Building).where(Building.compound_id == compound.id)
        .options(selectinload(Building.entrances)))}
    b_ids: set[int] = set()
    e_ids: set[int] = set()
    u_ids: set[int] = set()
    rows, texts, bad = [], [], []
    for item in items:
        if item.unit:
            unit = registry.find_unit(compound, item.unit)
            if unit is None:
                bad.append(item.text)
                continue
            if unit.id not in u_ids:
                u_ids.add(unit.id)
                rows.append((unit.building_id, unit.entrance_id, unit.id, unit.label))
                texts.append(unit.label)
            continue
        building = buildings.get(item.building or "")
        if building is None:
            bad.append(item.text)
            continue
        if item.entrance is None:
            if building.id not in b_ids:
                b_ids.add(building.id)
                rows.append((building.id, None, None, building.number))
                texts.append(f"{building.number}号楼")
            continue
        entrance = next((e for e in building.entrances if e.number == item.entrance), None)
        if entrance is None:
            bad.append(item.text)
            continue
        if entrance.id not in e_ids:
            e_ids.add(entrance.id)
            rows.append((building.id, entrance.id, None, f"{building.number}-{entrance.number}"))
            texts.append(f"{building.number}号楼{entrance.number}单元")
    if bad:
        raise FundError("invalid_scope",
                        _l("Not in this compound: %(items)s", items=", ".join(bad[:20])),
                        "scope", details={"unknown": bad})
    whole = not items
    q = (select(Unit.id, Unit.label, Unit.area, Unit.developer_held)
         .join(Building, Building.id == Unit.building_id)
         .join(Entrance, Entrance.id == Unit.entrance_id)
         .where(Unit.compound_id == compound.id)
         .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key, Unit.id))
    if not whole:
        conds = []
        if b_ids:
            conds.append(Unit.building_id.in_(b_ids))
        if e_ids:
            conds.append(Unit.entrance_id.in_(e_ids))
        for chunk in _chunks(sorted(u_ids)):
            conds.append(Unit.id.in_(chunk))
        q = q.where(or_(*conds))
    units = tuple(ScopeUnit(*r) for r in db.session.execute(q))
    if not units:
        raise FundError("empty_scope", _l("The scope holds no units"), "scope")
    return ResolvedScope(units, tuple(rows), "；".join(texts) if texts else "全体业主（整个小区）",
                         whole)


@dataclass(frozen=True)
class Approval:
    """Who allowed the spending: a vote (with its summary) or an emergency (with reason)."""

    vote_id: int | None
    vote: dict
    emergency_kind: str | None
    reason: str

    @property
    def by_vote(self) -> bool:
        return self.vote_id is not None


class ShareLine(NamedTuple):
    unit_id: int
    label: str
    area: Decimal
    developer_held: bool
    amount_fen: int
    #: from the sub-ledger and as arrears, with the balances as they are now
    debit_fen: int
    arrears_fen: int
    balance_fen: int


@dataclass(frozen=True)
class ProjectPlan:
    """A project as it would be posted (shown before posting)."""

    title: str
    description: str
    contractor: str
    cost_fen: int
    scope: ResolvedScope
    approval: Approval
    shares: tuple[ShareLine, ...]
    digest: str

    @property
    def area(self) -> Decimal:
        return sum((s.area for s in self.shares), Decimal("0.00"))

    @property
    def developer_fen(self) -> int:
        return sum(s.amount_fen for s in self.shares if s.developer_held)

    @property
    def owners_fen(self) -> int:
        return self.cost_fen - self.developer_fen

    @property
    def arrears_fen(self) -> int:
        return sum(s.arrears_fen for s in self.shares)

    @property
    def debit_fen(self) -> int:
        return sum(s.debit_fen for s in self.shares)


def _text(value, field: str, label, max_len: int, *, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise FundError("validation_error", _l("%(label)s is required", label=label), field)
    if len(text) > max_len:
        raise FundError("validation_error",
                        _l("%(label)s is too long (at most %(n)s characters)", label=label,
                           n=max_len), field)
    return text


def _approval(compound: Compound, unit_ids: list[int], vote_id, emergency, emergency_kind,
              reason) -> Approval:
    """A passed item-5 vote covering the scope, or an emergency with a reason; else 409."""
    from votes.approvals import approval_for

    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) > 2000:
        raise FundError("validation_error",
                        _l("%(label)s is too long (at most %(n)s characters)",
                           label=_l("Reason"), n=2000), "reason")
    vote_reason = None
    if vote_id not in (None, ""):
        if isinstance(vote_id, str) and vote_id.isdigit():
            vote_id = int(vote_id)
        if isinstance(vote_id, bool) or not isinstance(vote_id, int):
            raise FundError("validation_error", _l("vote_id must be a number"), "vote_id")
        ok, vote_reason, summary = approval_for(vote_id, compound.id, unit_ids)
        if ok and db.session.scalar(select(RepairProject.id).where(
                RepairProject.vote_id == vote_id,
                RepairProject.status == ProjectStatus.posted.value)):
            ok, vote_reason = False, "vote_already_used"
        if ok:
            return Approval(vote_id, summary.as_dict(), None, "")
    if emergency:
        kind = emergency_kind or EmergencyKind.other.value
        if kind not in {k.value for k in EmergencyKind}:
            raise FundError("validation_error", _l("Unknown kind of emergency"),
                            "emergency_kind")
        if reason:
            return Approval(None, {}, kind, reason)
        vote_reason = vote_reason or "emergency_reason_missing"
    messages = {
        None: _l("Using the fund needs a passed owners' vote on using the fund that covers "
                 "the scope, or an emergency repair with its reason"),
        "vote_not_found": _l("There is no such vote in this compound"),
        "wrong_matter": _l("The vote was not about using the maintenance fund"),
        "vote_not_closed": _l("The vote has not been closed yet"),
        "vote_cancelled": _l("The vote was cancelled"),
        "vote_failed": _l("The vote did not pass"),
        "scope_not_covered": _l("Some units of the project were not in the vote's roll"),
        "vote_already_used": _l("The vote already approved another project"),
        "emergency_reason_missing": _l("An emergency repair needs its reason"),
    }
    raise FundError("approval_required", messages.get(vote_reason, messages[None]),
                    "reason" if vote_reason == "emergency_reason_missing" else "vote_id",
                    status=409, details={"reason": vote_reason or "no_approval"})


def _digest(cost: int, approval: Approval, shares: Iterable[tuple[int, int]]) -> str:
    """What the preview showed: cost, approval and every unit's share."""
    head = f"{cost}|{approval.vote_id}|{approval.emergency_kind}|"
    body = ";".join(f"{u}:{a}" for u, a in shares)
    return hashlib.sha256((head + body).encode()).hexdigest()[:32]


def plan_project(compound: Compound, *, title, description="", contractor="", cost,
                 scope: list[ScopeItem], vote_id=None, emergency=False, emergency_kind=None,
                 reason="", _with_balances: bool = True) -> ProjectPlan:
    """Check a project and share its cost by area over the scope (nothing is written).

    The preview a committee member confirms, and the same computation `create_project`
    posts: developer-held units' shares are charged to the developer; each owner's share is
    taken from the sub-ledger as far as the balance goes, the rest becomes arrears.
    """
    authorize("fund.manage", compound)
    title = _text(title, "title", _l("Title"), 200, required=True)
    description = _text(description, "description", _l("Why"), 4000)
    contractor = _text(contractor, "contractor", _l("Contractor"), 200)
    cost_fen = _amount(cost, "cost")
    resolved = resolve_scope(compound, scope)
    unit_ids = [u.unit_id for u in resolved.units]
    approval = _approval(compound, unit_ids, vote_id, emergency, emergency_kind, reason)
    split = rules.apportion_by_area(
        cost_fen, [(u.unit_id, u.area, u.developer_held) for u in resolved.units])
    # the preview shows what each balance covers; posting recomputes that under the lock
    balances = _balances(compound.id, unit_ids) if _with_balances else {}
    shares = []
    for u, s in zip(resolved.units, split.shares, strict=True):
        bal, _arr = balances.get(u.unit_id, (0, 0))
        if u.developer_held or not _with_balances:
            shares.append(ShareLine(u.unit_id, u.label, u.area, u.developer_held, s.amount_fen,
                                    0, 0, bal))
        else:
            r = rules.apply_expense(bal, s.amount_fen)
            shares.append(ShareLine(u.unit_id, u.label, u.area, False, s.amount_fen,
                                    r.debit_fen, r.arrears_added_fen, bal))
    digest = _digest(cost_fen, approval, ((s.unit_id, s.amount_fen) for s in shares))
    return ProjectPlan(title, description, contractor, cost_fen, resolved, approval,
                       tuple(shares), digest)


def _balances(compound_id: int, unit_ids: list[int]) -> dict[int, tuple[int, int]]:
    out = {}
    if len(unit_ids) > _BY_COMPOUND:  # one query for the compound beats 20 IN lists
        wanted = set(unit_ids)
        for u, bal, arr in db.session.execute(
                select(UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
                       UnitFundAccount.arrears_fen)
                .where(UnitFundAccount.compound_id == compound_id)):
            if u in wanted:
                out[u] = (bal, arr)
        return out
    for chunk in _chunks(sorted(unit_ids)):
        for u, bal, arr in db.session.execute(
                select(UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
                       UnitFundAccount.arrears_fen).where(UnitFundAccount.unit_id.in_(chunk))):
            out[u] = (bal, arr)
    return out


def create_project(compound: Compound, *, expect_digest: str | None = None, **fields
                   ) -> RepairProject:
    """Record a repair project and post its shares in one transaction.

    `expect_digest` (from the preview) refuses the posting if the shares would differ from
    what was shown (409 preview_changed: e.g. the registry changed meanwhile).
    """
    plan = plan_project(compound, **fields, _with_balances=False)
    if expect_digest is not None and expect_digest != plan.digest:
        raise FundError("preview_changed",
                        _l("The shares changed since the preview; check them again"),
                        status=409)
    project = _create_project(compound, plan)
    db.session.commit()
    return project


def _create_project(compound: Compound, plan: ProjectPlan, *, at=None, actor=None,
                    record: bool = True) -> RepairProject:
    """Write the project, its scope and shares, and post the shares. `record=False` only
    for the demo loader, which audits everything it loads in one entry."""
    actor_id, actor_name = actor or current_actor()
    a = plan.approval
    project = RepairProject(
        compound_id=compound.id, title=plan.title, description=plan.description,
        contractor=plan.contractor, cost_fen=plan.cost_fen, scope_text=plan.scope.text,
        whole_compound=plan.scope.whole_compound, vote_id=a.vote_id,
        vote_summary_json=json.dumps(a.vote, ensure_ascii=False),
        emergency_kind=a.emergency_kind, emergency_reason=a.reason,
        notice_due=a.emergency_kind is not None, status=ProjectStatus.posted.value,
        units=len(plan.shares), area=plan.area, owners_fen=plan.owners_fen,
        developer_fen=plan.developer_fen, created_by_id=actor_id, created_by=actor_name,
        created_at=at or utcnow())
    db.session.add(project)
    db.session.flush()
    for b, e, u, label in plan.scope.rows:
        db.session.add(RepairProjectScope(project_id=project.id, building_id=b,
                                          entrance_id=e, unit_id=u, label=label))
    amounts = {s.unit_id: s.amount_fen for s in plan.shares if not s.developer_held}

    def compute(states: dict[int, _State]) -> list[_Line]:
        lines = []
        for unit_id, amount in amounts.items():
            if amount == 0:
                continue
            st = states[unit_id]
            r = rules.apply_expense(st.balance, amount)
            lines.append(_Line(unit_id, EntryKind.EXPENSE_SHARE, -amount, -r.debit_fen,
                               r.arrears_added_fen))
        return lines

    posted = _post(compound.id, PostingKind.expense_share, sorted(amounts), compute,
                   memo=plan.title, project_id=project.id, developer_delta=plan.developer_fen,
                   at=at, actor=actor)
    split = {line.unit_id: (-line.balance_delta, line.arrears_delta)
             for _, line, _, _ in posted.entries}
    _insert_rows(RepairProjectShare.__table__, [
        {"project_id": project.id, "unit_id": s.unit_id, "label": s.label, "area": s.area,
         "developer_held": s.developer_held, "amount_fen": s.amount_fen,
         "debit_fen": split.get(s.unit_id, (0, 0))[0],
         "arrears_fen": split.get(s.unit_id, (0, 0))[1],
         "sort_key": f"{n:06d}"} for n, s in enumerate(plan.shares)])
    project.debited_fen = sum(d for d, _ in split.values())
    project.arrears_fen = sum(x for _, x in split.values())
    if not record:
        return project
    _audit(posted, "fund.project",
           {"project_title": plan.title, "cost_fen": plan.cost_fen, "scope": plan.scope.text,
            "vote": a.vote_id, "emergency": a.emergency_kind, "reason": a.reason,
            "developer_fen": plan.developer_fen, "arrears_fen": project.arrears_fen},
           compound_id=compound.id, actor=actor)
    return project


def mark_notice_published(project: RepairProject) -> RepairProject:
    """Record that the after-the-fact notice of an emergency repair was published."""
    authorize("fund.manage", project)
    if not project.notice_due:
        raise FundError("no_notice_due", _l("This project needs no after-the-fact notice"),
                        status=409)
    if project.notice_published_at is not None:
        raise FundError("notice_already_published", _l("The notice was already published"),
                        status=409)
    project.notice_published_at = utcnow()
    audit.record("fund.project_notice", "repair_project", project.id,
                 {"published_at": project.notice_published_at}, compound_id=project.compound_id)
    db.session.commit()
    return project


def project_shares(project: RepairProject) -> list[RepairProjectShare]:
    return list(db.session.scalars(select(RepairProjectShare)
                                   .where(RepairProjectShare.project_id == project.id)
                                   .order_by(RepairProjectShare.id)))


def project_posting(project: RepairProject) -> FundPosting | None:
    return db.session.scalar(select(FundPosting).where(
        FundPosting.project_id == project.id,
        FundPosting.kind == PostingKind.expense_share.value))


def list_projects(compound: Compound, *, year: int | None = None) -> list[RepairProject]:
    q = select(RepairProject).where(RepairProject.compound_id == compound.id)
    if year is not None:
        start, end = year_bounds(year)
        q = q.where(RepairProject.created_at >= start, RepairProject.created_at < end)
    return list(db.session.scalars(q.order_by(RepairProject.created_at.desc(),
                                              RepairProject.id.desc())))


def use_fund_votes(compound: Compound):
    """Passed item-5 votes of the compound, for the project form's choice list."""
    from votes.approvals import decided_votes

    return decided_votes(compound.id, "use_fund")


# -- reading: accounts ----------------------------------------------------------------------

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
    rows = db.session.execute(
        select(FundEntry.id, FundEntry.created_at, FundEntry.kind, FundPosting.kind,
               FundPosting.memo, FundEntry.amount_fen, FundEntry.balance_delta_fen,
               FundEntry.arrears_delta_fen, FundEntry.balance_after_fen,
               FundEntry.arrears_after_fen, FundPosting.project_id, RepairProject.title,
               FundEntry.reverses_entry_id)
        .join(FundPosting, FundPosting.id == FundEntry.posting_id)
        .outerjoin(RepairProject, RepairProject.id == FundPosting.project_id)
        .where(FundEntry.unit_id == unit.id).order_by(FundEntry.id)).all()
    return [LedgerLine(r[0], r[1], r[2], _entry_label(r[2], r[3]), r[3], r[4], r[5], r[6], r[7],
                       r[8], r[9], r[10], r[11], r[12]) for r in rows]


# -- time series ----------------------------------------------------------------------------

def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) of `year` in Beijing time, as aware UTC instants."""
    start = dt.datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(dt.UTC)
    return start, end


def this_year() -> int:
    return utcnow().astimezone(SHANGHAI).year


def _month_key(moment: dt.datetime) -> tuple[int, int]:
    local = moment.astimezone(SHANGHAI)
    return local.year, local.month


def balance_series(compound: Compound, *, months: int = 24,
                   end: tuple[int, int] | None = None) -> tuple[list[str], list[int]]:
    """The fund's balance at the end of each of the last `months` months (Beijing time)."""
    end = end or _month_key(utcnow())
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
        key = _month_key(at)
        by_month[key] = by_month.get(key, 0) + delta
    values, running = [], int(opening)
    for key in keys:
        running += by_month.get(key, 0)
        values.append(running)
    return [f"{y}-{m:02d}" for y, m in keys], values


# -- top-up plans ---------------------------------------------------------------------------

def create_top_up_plan(compound: Compound, *, title, target_pct=100, due_on=None,
                       vote_id=None, instructions="") -> TopUpPlan:
    """A top-up plan (续筹): every unit's balance back to `target_pct`% of the first-deposit
    standard (rate × area), plus the arrears a payment clears first. Frozen when created."""
    authorize("fund.manage", compound)
    title = _text(title, "title", _l("Title"), 200, required=True)
    instructions = _text(instructions, "instructions", _l("How to pay"), 2000)
    if isinstance(target_pct, bool) or not isinstance(target_pct, int) \
            or not 1 <= target_pct <= 300:
        raise FundError("validation_error", _l("The target must be between 1 and 300 percent"),
                        "target_pct")
    if compound.fund_rate_fen is None:
        raise FundError("no_fund_rate",
                        _l("Set the compound's first-deposit rate (yuan per m²) first"),
                        status=409)
    rows = unit_rows(compound)
    vote_title = ""
    if vote_id not in (None, ""):
        from votes.approvals import approval_for

        ok, reason, vote = approval_for(int(vote_id), compound.id, [r.unit_id for r in rows],
                                        matter="raise_fund")
        if not ok:
            raise FundError("approval_required",
                            _l("The vote is not a passed decision on raising the fund for "
                               "these units"), "vote_id", status=409,
                            details={"reason": reason})
        vote_title = vote.title
    plan_lines = rules.top_up_plan([(r.unit_id, r.area, r.balance_fen) for r in rows],
                                   compound.fund_rate_fen, Fraction(target_pct, 100))
    actor_id, actor_name = current_actor()
    plan = TopUpPlan(compound_id=compound.id, title=title, target_pct=target_pct,
                     rate_fen=compound.fund_rate_fen, due_on=due_on,
                     vote_id=int(vote_id) if vote_title else None, vote_title=vote_title,
                     instructions=instructions, created_by_id=actor_id,
                     created_by=actor_name)
    db.session.add(plan)
    db.session.flush()
    lines = []
    for n, (r, line) in enumerate(zip(rows, plan_lines, strict=True)):
        due = line.due_fen + r.expense_arrears_fen
        if due <= 0:
            continue
        lines.append({"plan_id": plan.id, "unit_id": r.unit_id, "label": r.label,
                      "area": r.area, "developer_held": r.developer_held,
                      "balance_fen": r.balance_fen, "target_fen": line.target_fen,
                      "top_up_fen": line.due_fen, "arrears_fen": r.expense_arrears_fen,
                      "due_fen": due, "sort_key": f"{n:06d}"})
    if lines:
        db.session.execute(insert(TopUpPlanLine), lines)
    plan.units = len(lines)
    plan.total_due_fen = sum(x["due_fen"] for x in lines)
    audit.record("fund.top_up_plan", "top_up_plan", plan.id,
                 {"title": title, "target_pct": target_pct, "rate_fen": plan.rate_fen,
                  "units": plan.units, "total_due_fen": plan.total_due_fen,
                  "vote": plan.vote_id, "due_on": due_on}, compound_id=compound.id)
    db.session.commit()
    return plan


def plan_lines(plan: TopUpPlan) -> list[TopUpPlanLine]:
    return list(db.session.scalars(select(TopUpPlanLine).where(TopUpPlanLine.plan_id == plan.id)
                                   .order_by(TopUpPlanLine.id)))


def list_plans(compound: Compound) -> list[TopUpPlan]:
    return list(db.session.scalars(select(TopUpPlan).where(TopUpPlan.compound_id == compound.id)
                                   .order_by(TopUpPlan.id.desc())))


# -- statements (data for reports/) --------------------------------------------------------

def _issuer(compound: Compound) -> str:
    return f"{compound.name}业主委员会"


def _holders(unit_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for chunk in _chunks(sorted(set(unit_ids))):
        for uid, name in db.session.execute(
                select(Holding.unit_id, Person.name).join(Person, Person.id == Holding.person_id)
                .where(Holding.unit_id.in_(chunk)).order_by(Holding.unit_id, Holding.position)):
            out.setdefault(uid, []).append(name)
    return out


def unit_statement(unit: Unit):
    """Data of a unit's statement: its facts and every entry with the running balance."""
    from reports.fund_unit_statement import StatementLine, UnitStatementData

    compound = unit.compound
    row = unit_rows(compound, [unit.id])[0]
    lines = tuple(StatementLine(at=x.at, kind=x.kind_zh, memo=x.memo or "",
                                project=x.project_title, amount_fen=x.amount_fen,
                                balance_after_fen=x.balance_after_fen,
                                arrears_after_fen=x.arrears_after_fen)
                  for x in unit_ledger(unit))
    return UnitStatementData(
        compound=compound.name, issuer=_issuer(compound), unit=unit.label,
        owners=tuple(_holders([unit.id]).get(unit.id, [])), area=unit.area,
        developer_held=unit.developer_held, rate_fen=compound.fund_rate_fen,
        initial_due_fen=row.initial_due_fen, initial_paid_fen=row.initial_paid_fen,
        balance_fen=row.balance_fen, expense_arrears_fen=row.expense_arrears_fen,
        arrears_fen=row.arrears_fen, low_balance=row.low_balance, lines=lines,
        generated_at=utcnow())


def annual_statement(compound: Compound, year: int):
    """Data of the compound's yearly publication (DOMAIN.md §3): totals, projects with
    their approvals and apportionment, every sub-ledger, arrears, units below 30%, the
    balance month by month, and the audit chain anchor: the head of the compound's chain
    as it stands (the district-wide one while the compound has no chain of its own: its
    records from before chains were per compound are there)."""
    from reports.audit_anchor import AuditAnchor
    from reports.fund_annual_statement import (
        AnnualStatementData,
        KindTotal,
        ProjectSection,
        ShareRow,
        SubLedgerRow,
    )

    start, end = year_bounds(year)
    cid = compound.id
    opening = int(db.session.scalar(
        select(func.coalesce(func.sum(FundPosting.balance_delta_fen), 0))
        .where(FundPosting.compound_id == cid, FundPosting.created_at < start)) or 0)
    kinds: dict[str, list[int]] = {}
    for kind, total, bal, count in db.session.execute(
            select(FundPosting.kind, func.sum(FundPosting.total_fen),
                   func.sum(FundPosting.balance_delta_fen), func.count(FundPosting.id))
            .where(FundPosting.compound_id == cid, FundPosting.created_at >= start,
                   FundPosting.created_at < end).group_by(FundPosting.kind)):
        kinds[kind] = [int(total or 0), int(bal or 0), int(count)]
    order = [k.value for k in PostingKind]
    totals = tuple(KindTotal(PostingKind(k).zh, v[0], v[1], v[2])
                   for k, v in sorted(kinds.items(), key=lambda kv: order.index(kv[0])))
    closing = opening + sum(v[1] for v in kinds.values())

    # per unit: balance before the year, credits and debits in it (one grouped query)
    before = func.sum(func.coalesce(
        case((FundEntry.created_at < start, FundEntry.balance_delta_fen), else_=0), 0))
    in_year = (FundEntry.created_at >= start) & (FundEntry.created_at < end)
    credits = func.sum(case((in_year & (FundEntry.balance_delta_fen > 0),
                                FundEntry.balance_delta_fen), else_=0))
    debits = func.sum(case((in_year & (FundEntry.balance_delta_fen < 0),
                               FundEntry.balance_delta_fen), else_=0))
    after = func.sum(case((FundEntry.created_at < end, FundEntry.balance_delta_fen),
                             else_=0))
    arrears_end = func.sum(case((FundEntry.created_at < end, FundEntry.arrears_delta_fen),
                                   else_=0))
    initial_end = func.sum(case((FundEntry.created_at < end, FundEntry.initial_delta_fen),
                                   else_=0))
    per_unit = {r[0]: [int(x or 0) for x in r[1:]] for r in db.session.execute(
        select(FundEntry.unit_id, before, credits, debits, after, arrears_end, initial_end)
        .where(FundEntry.compound_id == cid, FundEntry.created_at < end)
        .group_by(FundEntry.unit_id))}
    units = (select(Unit.id, Unit.label, Unit.area, Unit.developer_held)
             .join(Building, Building.id == Unit.building_id)
             .join(Entrance, Entrance.id == Unit.entrance_id)
             .where(Unit.compound_id == cid)
             .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key, Unit.id))
    rate = compound.fund_rate_fen
    ledger = []
    for uid, label, area, dev in db.session.execute(units):
        o, c, d, cl, arr, paid = per_unit.get(uid, [0, 0, 0, 0, 0, 0])
        due = rules.initial_due(rate, area)
        ledger.append(SubLedgerRow(
            unit=label, area=area, developer_held=dev, initial_due_fen=due,
            initial_paid_fen=paid, opening_fen=o, credits_fen=c, debits_fen=d, closing_fen=cl,
            arrears_fen=rules.unit_arrears(due, paid, arr),
            low_balance=rules.is_low_balance(cl, paid)))

    projects = []
    for p in reversed(list_projects(compound, year=year)):
        shares = project_shares(p)
        vote = p.vote_summary
        approval = (f"第{p.vote_id}号表决《{vote.get('title', '')}》通过（使用维修资金）"
                    if p.vote_id else
                    f"应急维修（{EmergencyKind(p.emergency_kind).zh}）：{p.emergency_reason}")
        projects.append(ProjectSection(
            title=p.title, created_at=p.created_at, scope=p.scope_text, cost_fen=p.cost_fen,
            contractor=p.contractor, approval=approval, emergency=p.emergency_kind is not None,
            notice_published=p.notice_published_at is not None,
            reversed=p.status == ProjectStatus.reversed.value, owners_fen=p.owners_fen,
            developer_fen=p.developer_fen, arrears_fen=p.arrears_fen,
            shares=tuple(ShareRow(s.label, s.area, s.amount_fen, s.debit_fen, s.arrears_fen,
                                  s.developer_held) for s in shares)))

    labels, values = [], []
    running = opening
    by_month: dict[int, int] = {}
    for at, delta in db.session.execute(
            select(FundPosting.created_at, FundPosting.balance_delta_fen)
            .where(FundPosting.compound_id == cid, FundPosting.created_at >= start,
                   FundPosting.created_at < end)):
        month = _month_key(at)[1]
        by_month[month] = by_month.get(month, 0) + delta
    current = _month_key(utcnow())
    for m in range(1, 13):
        running += by_month.get(m, 0)
        labels.append(f"{m}月")
        values.append(running if (year, m) <= current else None)  # the future has no data
    fund = db.session.scalar(select(FundAccount).where(FundAccount.compound_id == cid))
    return AnnualStatementData(
        compound=compound.name, issuer=_issuer(compound), year=year, rate_fen=rate,
        opening_fen=opening, closing_fen=closing, totals=totals, projects=tuple(projects),
        ledger=tuple(ledger), developer_due_fen=fund.developer_due_fen if fund else 0,
        months=tuple(labels), month_balances=tuple(values), generated_at=utcnow(),
        anchor=_chain_head_anchor(compound, AuditAnchor))


def _chain_head_anchor(compound: Compound, anchor_type):
    a = audit.head_anchor(compound.id) or audit.head_anchor(None)
    if a is None:
        return None
    return anchor_type(a.chain, a.seq, a.hash, what="本表生成时的链头",
                       chain_name=compound.name if a.chain == compound.id else "全区")


def top_up_notices(plan: TopUpPlan):
    """Data of the plan's notices: one per unit that owes something."""
    from reports.fund_top_up_notice import TopUpNoticeData, TopUpNoticeUnit

    compound = plan.compound
    lines = plan_lines(plan)
    holders = _holders([x.unit_id for x in lines])
    return TopUpNoticeData(
        compound=compound.name, issuer=_issuer(compound), title=plan.title,
        target_pct=plan.target_pct, rate_fen=plan.rate_fen, due_on=plan.due_on,
        vote_title=plan.vote_title, instructions=plan.instructions,
        issued_on=plan.created_at.astimezone(SHANGHAI).date(),
        reference=f"{compound.name}业委会续筹〔{plan.created_at.astimezone(SHANGHAI).year}〕"
                  f"{plan.id}号",
        units=tuple(TopUpNoticeUnit(
            unit=x.label, owners=tuple(holders.get(x.unit_id, [])), area=x.area,
            developer_held=x.developer_held, balance_fen=x.balance_fen,
            target_fen=x.target_fen, top_up_fen=x.top_up_fen, arrears_fen=x.arrears_fen,
            due_fen=x.due_fen) for x in lines))


# -- verification -----------------------------------------------------------------------------

@dataclass
class VerifyReport:
    compounds: int = 0
    units: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    audit_ok: bool = True
    audit_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.audit_ok


def verify(compound_id: int | None = None, *, check_audit: bool = True) -> VerifyReport:
    """Check the invariants (`flask fund verify`):

    - each sub-ledger = the sum of its entries (balance, arrears, first deposit), and each
      entry's running balance follows from the one before;
    - each fund = the sum of its sub-ledgers, its developer part = the sum of its postings';
    - every fund entry has its audit entry, and the audit chain is intact.
    """
    report = VerifyReport()
    fq = select(FundAccount)
    if compound_id is not None:
        fq = fq.where(FundAccount.compound_id == compound_id)
    funds = db.session.scalars(fq).all()
    report.compounds = len(funds)
    for fund in funds:
        cid = fund.compound_id
        sums = {r[0]: r[1:] for r in db.session.execute(
            select(FundEntry.unit_id, func.sum(FundEntry.balance_delta_fen),
                   func.sum(FundEntry.arrears_delta_fen), func.sum(FundEntry.initial_delta_fen),
                   func.count(FundEntry.id))
            .where(FundEntry.compound_id == cid).group_by(FundEntry.unit_id))}
        totals = [0, 0, 0]
        accounts = db.session.execute(
            select(UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
                   UnitFundAccount.arrears_fen, UnitFundAccount.initial_paid_fen)
            .where(UnitFundAccount.compound_id == cid)).all()
        report.units += len(accounts)
        seen = set()
        for uid, bal, arr, paid in accounts:
            seen.add(uid)
            s_bal, s_arr, s_paid, n = sums.get(uid, (0, 0, 0, 0))
            report.entries += int(n)
            if (bal, arr, paid) != (int(s_bal or 0), int(s_arr or 0), int(s_paid or 0)):
                report.problems.append(
                    f"compound {cid} unit {uid}: sub-ledger {bal}/{arr}/{paid} fen "
                    f"but entries add up to {s_bal}/{s_arr}/{s_paid} "
                    "(balance/arrears/first deposit)")
            totals[0] += bal
            totals[1] += arr
            totals[2] += paid
        for uid in set(sums) - seen:
            report.problems.append(f"compound {cid} unit {uid}: entries without a sub-ledger")
        if [fund.balance_fen, fund.arrears_fen, fund.initial_paid_fen] != totals:
            report.problems.append(
                f"compound {cid}: fund {fund.balance_fen}/{fund.arrears_fen}/"
                f"{fund.initial_paid_fen} fen but its sub-ledgers add up to "
                f"{totals[0]}/{totals[1]}/{totals[2]} (balance/arrears/first deposit)")
        dev = int(db.session.scalar(
            select(func.coalesce(func.sum(FundPosting.developer_delta_fen), 0))
            .where(FundPosting.compound_id == cid)) or 0)
        if dev != fund.developer_due_fen:
            report.problems.append(f"compound {cid}: developer part {fund.developer_due_fen} "
                                   f"fen but postings add up to {dev}")
        prev: dict[int, tuple[int, int]] = {}
        for eid, uid, d_bal, d_arr, a_bal, a_arr in db.session.execute(
                select(FundEntry.id, FundEntry.unit_id, FundEntry.balance_delta_fen,
                       FundEntry.arrears_delta_fen, FundEntry.balance_after_fen,
                       FundEntry.arrears_after_fen)
                .where(FundEntry.compound_id == cid)
                .order_by(FundEntry.unit_id, FundEntry.id)).yield_per(10000):
            b0, a0 = prev.get(uid, (0, 0))
            if (b0 + d_bal, a0 + d_arr) != (a_bal, a_arr):
                report.problems.append(f"compound {cid} entry {eid}: running balance breaks")
            prev[uid] = (a_bal, a_arr)
    if check_audit:
        _verify_postings(report, compound_id)
        result = audit.verify()
        report.audit_ok, report.audit_checked = result.ok, result.checked
        if not result.ok:
            report.problems.append(f"audit chain: {result.problem}")
    return report


def _verify_postings(report: VerifyReport, compound_id: int | None) -> None:
    """Every posting has its audit entry, and its entries still hash to what it recorded.
    Postings loaded by the demo are covered by the demo's one `demo.load` entry."""
    from core.models import AuditEntry

    recorded: dict[int, dict] = {}
    aq = select(AuditEntry.object_id, AuditEntry.data).where(
        AuditEntry.object_type == "fund_posting")
    if compound_id is not None:
        aq = aq.where(AuditEntry.compound_id == compound_id)
    for object_id, data in db.session.execute(aq):
        recorded[int(object_id)] = json.loads(data)
    demo_loaded = db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "demo.load").limit(1)) is not None
    pq = select(FundPosting.id, FundPosting.created_by).order_by(FundPosting.id)
    if compound_id is not None:
        pq = pq.where(FundPosting.compound_id == compound_id)
    postings = db.session.execute(pq).all()
    digests: dict = {}
    eq = (select(FundEntry.posting_id, FundEntry.id, FundEntry.unit_id, FundEntry.kind,
                 FundEntry.amount_fen, FundEntry.balance_delta_fen, FundEntry.arrears_delta_fen,
                 FundEntry.initial_delta_fen, FundEntry.balance_after_fen,
                 FundEntry.arrears_after_fen, FundEntry.reverses_entry_id)
          .order_by(FundEntry.id))
    if compound_id is not None:
        eq = eq.where(FundEntry.compound_id == compound_id)
    for r in db.session.execute(eq).yield_per(10000):
        h = digests.setdefault(r[0], hashlib.sha256())
        h.update(("|".join("" if x is None else str(x) for x in r[1:]) + "\n").encode())
    empty = hashlib.sha256().hexdigest()
    for posting_id, created_by in postings:
        data = recorded.get(posting_id)
        if data is None:
            if not (created_by == "demo" and demo_loaded):
                report.problems.append(f"posting {posting_id} has no audit entry")
            continue
        actual = digests[posting_id].hexdigest() if posting_id in digests else empty
        if data.get("entries_sha256") != actual:
            report.problems.append(f"posting {posting_id}: its entries do not match its audit "
                                   "entry (changed behind the ledger's back)")
