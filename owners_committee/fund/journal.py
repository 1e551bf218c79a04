"""The posting engine of the repair fund: every change to the sub-ledgers goes through `post`.

`post`

1. takes the compound's fund row first (an UPDATE: a row lock on PostgreSQL, the database
   write lock on SQLite), so postings on one compound are applied one after another and
   none computes from a balance another is changing;
2. locks the sub-ledgers it touches (`SELECT … FOR UPDATE`, in unit order) and reads them
   fresh inside the lock;
3. writes the posting, one immutable entry per unit, the new sub-ledger states and the
   fund's totals, in bulk (a 20,000-unit project is a handful of statements);
4. leaves the audit to the caller, who adds its own rows first and then calls
   `audit_posting` as the last write before commit: one audit entry per posting, holding a
   SHA-256 over every one of its entries, which `verify` recomputes — so each entry is
   covered by the hash chain without 20,000 audit rows for a compound-wide project.

Callers (services, projects, the opening-balance import, the demo) commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from compounds.models import Unit
from core import audit
from core.auth import current_actor
from core.errors import conflict
from core.extensions import db
from core.types import UTCDateTime, utcnow
from owners_committee.fund.models import (
    FundAccount,
    FundEntry,
    FundPosting,
    PostingKind,
    UnitFundAccount,
)
from owners_committee.fund.rules import EntryKind

#: parameters per IN (...) list: well inside SQLite's and PostgreSQL's limits
CHUNK = 1000
#: above this many units a posting locks the compound's sub-ledgers by compound, not by id
BY_COMPOUND = 2000


def chunks(items: Sequence, size: int = CHUNK):
    """`items` in slices of at most `size` (one IN list each)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(slots=True)
class State:
    """A sub-ledger during a posting (read inside the lock)."""

    account_id: int
    unit_id: int
    balance: int
    arrears: int
    initial: int
    entries: int


@dataclass(slots=True)
class Line:
    """One entry to write: face amount and effects."""

    unit_id: int
    kind: EntryKind
    amount: int
    balance_delta: int
    arrears_delta: int = 0
    initial_delta: int = 0
    reverses_entry_id: int | None = None


@dataclass
class Posted:
    posting: FundPosting
    #: (entry id, line, balance after, arrears after), in line order
    entries: list[tuple[int, Line, int, int]]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _ensure_fund(compound_id: int) -> None:
    """Create the compound's fund row if missing (safe when two requests race)."""
    if db.session.scalar(select(FundAccount.id).where(FundAccount.compound_id == compound_id)):
        return
    dialect_insert = postgresql.insert if _dialect() == "postgresql" else sqlite.insert
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
    if unit_ids is None or len(unit_ids) > BY_COMPOUND:  # one statement, not 20 IN lists
        db.session.execute(insert(UnitFundAccount).from_select(cols, source))
        return
    for chunk in chunks(sorted(set(unit_ids))):
        db.session.execute(insert(UnitFundAccount).from_select(
            cols, source.where(Unit.id.in_(chunk))))


def _lock_units(compound_id: int, unit_ids: list[int] | None) -> dict[int, State]:
    """Lock and read the sub-ledgers of `unit_ids` (None: all of the compound), unit order."""
    _ensure_unit_accounts(compound_id, unit_ids)
    cols = (UnitFundAccount.id, UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
            UnitFundAccount.arrears_fen, UnitFundAccount.initial_paid_fen,
            UnitFundAccount.version)
    states: dict[int, State] = {}

    def read(q):
        for row in db.session.execute(q.order_by(UnitFundAccount.unit_id).with_for_update()):
            states[row[1]] = State(*row)

    if unit_ids is None or len(unit_ids) > BY_COMPOUND:
        # Every writer of sub-ledgers holds the compound's fund lock (taken first in _post),
        # so a compound-wide posting needs no row lock per unit: 20,000 row locks would only
        # cost time. Small postings lock their rows too, as a second line of defence.
        wanted = None if unit_ids is None else set(unit_ids)
        for row in db.session.execute(
                select(*cols).where(UnitFundAccount.compound_id == compound_id)):
            if wanted is None or row[1] in wanted:
                states[row[1]] = State(*row)
        return states
    for chunk in chunks(sorted(set(unit_ids))):
        read(select(*cols).where(UnitFundAccount.unit_id.in_(chunk)))
    return states


def post(compound_id: int, kind: PostingKind, unit_ids: list[int] | None,
         compute: Callable[[dict[int, State]], list[Line]], *, memo: str = "",
         basis: str | None = None, project_id: int | None = None,
         reverses_posting_id: int | None = None, developer_delta: int = 0,
         at: dt.datetime | None = None, actor: tuple[int | None, str] | None = None,
         before: Callable[[], None] | None = None) -> Posted:
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
        raise conflict("nothing_to_post", _l("Nothing to post: every amount is zero"))
    now = at or utcnow()
    actor_id, actor_name = actor or current_actor()

    applied: list[tuple[Line, int, int]] = []
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
    ids = insert_rows(FundEntry.__table__, rows, key="unit_id")
    _update_accounts([states[u] for u in sorted({line.unit_id for line in lines})], now)
    db.session.execute(
        update(FundAccount).where(FundAccount.compound_id == compound_id).values(
            balance_fen=FundAccount.balance_fen + posting.balance_delta_fen,
            arrears_fen=FundAccount.arrears_fen + posting.arrears_delta_fen,
            initial_paid_fen=FundAccount.initial_paid_fen + posting.initial_delta_fen,
            developer_due_fen=FundAccount.developer_due_fen + developer_delta,
            updated_at=now))
    return Posted(posting, [(i, line, bal, arr)
                             for i, (line, bal, arr) in zip(ids, applied, strict=True)])


def _pg_array_type(col) -> str:
    """The column's PostgreSQL type as an array type, e.g. "NUMERIC(12, 2)[]"."""
    return col.type.compile(dialect=db.session.get_bind().dialect) + "[]"


def insert_rows(table, rows: list[dict], *, key: str | None = None) -> list[int]:
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
    for chunk in chunks(rows, 10_000):
        params = {c: rows[0][c] for c in same} | {c: [r[c] for r in chunk] for c in varying}
        result = db.session.execute(text(sql), params)
        if key is not None:
            by_key.update({k: i for i, k in result})
    return [by_key[r[key]] for r in rows] if key is not None else []


def _update_accounts(states: list[State], now: dt.datetime) -> None:
    """Write the new sub-ledger states in bulk: on PostgreSQL one UPDATE … FROM unnest(arrays)
    (a round trip per row would cost seconds for a 20,000-unit project); on SQLite an
    executemany (in-process, already fast)."""
    t = UnitFundAccount.__table__
    if _dialect() == "postgresql":
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
        h.update(digest_line(r))
    return h.hexdigest()


def digest_line(row: Iterable) -> bytes:
    """One entry's line of `entries_digest` (verify streams them, posting by posting)."""
    return ("|".join("" if x is None else str(x) for x in row) + "\n").encode()


#: postings of at most this many entries carry every entry in their audit data (readable in
#: the audit log); larger ones carry the digest only
_AUDIT_LINES = 50


def audit_posting(posted: Posted, action: str, data: dict, *, compound_id: int,
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


