"""The audit chains (审计链): append-only, each entry hashed with the one before it.

One chain per compound, and one (DISTRICT_CHAIN) for records of no compound and for every
entry written before chains were per compound. Services call `record()` inside their own
transaction, as the last write before commit, so the entry exists exactly when the change
does and the chain's lock is held briefly; ballots in different compounds never wait for
each other's lock. `verify()` walks every chain and reports the first entry that was
altered or is missing; `check_anchor()` proves that a chain still holds an entry printed
on paper (审计链锚点), so deleting the newest entries and rewinding the head is caught.

Hash versions: 1 (entries before migration 0004) joined seq, at, actor, action, object and
data with U+001F, so actor_id, compound_id and the chain were not covered; 2 hashes every
column but the surrogate id, each field length-prefixed (no separator can be forged) and
NULL distinct from every text. Old entries keep version 1: history is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import (
    BigInteger,
    Integer,
    Text,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from core.extensions import db
from core.models import DISTRICT_CHAIN, AuditEntry, AuditHead
from core.types import utcnow

GENESIS = "0" * 64
VERSION = 2  # what new entries are hashed with
_HEAD = AuditHead.__table__
_ENTRY = AuditEntry.__table__
_ENTRY_FIELDS = ("chain", "seq", "version", "at", "actor_id", "actor", "action",
                 "object_type", "object_id", "compound_id", "data", "prev_hash", "hash")


# -- the hash --------------------------------------------------------------------------------

def _at_utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def entry_hash_v1(*, seq: int, at: dt.datetime, actor: str, action: str, object_type: str,
                  object_id: str, data: str, prev_hash: str, **_ignored) -> str:
    """Version 1: SHA-256 over seq, time, actor, action, object, data and the previous hash,
    joined by U+001F. Kept to verify the entries written with it."""
    material = "\x1f".join(
        [str(seq), _at_utc(at), actor, action, object_type, object_id, data, prev_hash]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _field(value: object) -> str:
    """One field of the version 2 material: `~` for NULL, else `<UTF-8 length>:<text>`."""
    if value is None:
        return "~"
    text = str(value)
    return f"{len(text.encode('utf-8'))}:{text}"


def entry_hash(*, chain: int, seq: int, at: dt.datetime, actor_id: int | None, actor: str,
               action: str, object_type: str, object_id: str, compound_id: int | None,
               data: str, prev_hash: str, version: int = 2) -> str:
    """Version 2: SHA-256 over every column of the entry but its surrogate id (the version
    too) and the previous entry's hash. `_record_one_pg_statement` computes the same bytes
    in SQL; `test_database_hash_matches_python_hash` holds the two together."""
    material = "".join(_field(x) for x in (
        version, chain, seq, _at_utc(at), actor_id, actor, action, object_type, object_id,
        compound_id, data, prev_hash))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


#: version → the function that hashes an entry of that version (keyword args: its columns)
HASHERS: dict[int, Callable[..., str]] = {1: entry_hash_v1, 2: entry_hash}


# -- statements, built once (they run for every audited change, every ballot among them) --

_UTF8 = literal_column("'UTF8'")


def _sql_field(expr, *, nullable: bool = False):
    """`_field` in SQL. Constants are inlined, so that the statement sends only the entry's
    own values; only the nullable columns pay for the NULL test."""
    prefixed = func.concat(cast(func.octet_length(func.convert_to(expr, _UTF8)), Text),
                           literal_column("':'"), expr)
    if not nullable:
        return prefixed
    return case((expr.is_(None), literal_column("'~'")), else_=prefixed)


def _record_one_pg_statement():
    """PostgreSQL: advance the chain's head and insert the entry in ONE statement, hashing in
    SQL.

    The head's row lock is then held only from this statement to the commit (every ballot
    of the compound takes it, so its length bounds the compound's ballot rate). The SQL
    hash is `entry_hash`, byte for byte; `verify()` recomputes it in Python. The SET
    expressions all read the row as it was, so prev_hash gets the old hash. A chain without
    a head row yet updates nothing, inserts nothing and returns no row.
    """
    def text(name: str):
        return bindparam(name, type_=Text)

    def opt_int(name: str):
        return cast(bindparam(name, type_=Integer), Text)

    next_seq = _HEAD.c.seq + literal_column("1")
    material = func.concat(
        literal_column(f"'{_field(VERSION)}'"),
        *(_sql_field(x) for x in (cast(_HEAD.c.chain, Text), cast(next_seq, Text),
                                  text("at_utc"))),
        _sql_field(opt_int("actor_id"), nullable=True),
        *(_sql_field(text(x)) for x in ("actor", "action", "object_type", "object_id")),
        _sql_field(opt_int("compound_id"), nullable=True),
        _sql_field(text("data")), _sql_field(_HEAD.c.hash))
    digest = func.encode(func.sha256(func.convert_to(material, _UTF8)), literal_column("'hex'"))
    head = (update(_HEAD).where(_HEAD.c.chain == bindparam("b_chain", type_=Integer))
            .values(seq=next_seq, prev_hash=_HEAD.c.hash, hash=digest)
            .returning(_HEAD.c.chain, _HEAD.c.seq, _HEAD.c.prev_hash, _HEAD.c.hash).cte("h"))
    row = select(head.c.chain, head.c.seq, literal_column(str(VERSION)),
                 bindparam("at", type_=_ENTRY.c.at.type),
                 bindparam("actor_id", type_=Integer), text("actor"), text("action"),
                 text("object_type"), text("object_id"),
                 bindparam("compound_id", type_=Integer), text("data"),
                 head.c.prev_hash, head.c.hash)
    return (insert(_ENTRY).from_select(list(_ENTRY_FIELDS), row)
            .returning(_ENTRY.c.seq, _ENTRY.c.hash))


_RECORD_ONE_PG = _record_one_pg_statement()
_ADVANCE = (update(_HEAD).where(_HEAD.c.chain == bindparam("b_chain", type_=Integer))
            .values(seq=_HEAD.c.seq + bindparam("n", type_=BigInteger))
            .returning(_HEAD.c.seq, _HEAD.c.hash))
#: a chain's head row, created by its first entry; two first entries at once both pass
#: (the second waits for the first to commit, then inserts nothing and advances it)
_NEW_HEAD = {
    name: (dialect.insert(_HEAD)
           .values(chain=bindparam("b_chain", type_=Integer), seq=0, hash=GENESIS,
                   prev_hash=GENESIS)
           .on_conflict_do_nothing(index_elements=[_HEAD.c.chain]))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


# -- appending -------------------------------------------------------------------------------

def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"not JSON-serialisable for the audit chain: {type(value).__name__}")


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_default)


def chain_of(compound_id: int | None) -> int:
    """The chain an entry about this compound (or about none) belongs to."""
    return DISTRICT_CHAIN if compound_id is None else compound_id


def _actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "system"


def _advance_head(chain: int, n: int) -> tuple[int, str]:
    """Move the chain's head on by `n` entries; return (its new seq, the hash before the
    move), creating the head with the chain's first entry.

    This UPDATE takes the chain's lock (a row lock on PostgreSQL, the write lock on SQLite),
    held until the caller commits: concurrent writers to the chain append one after the
    other.
    """
    conn = db.session.connection()
    head = conn.execute(_ADVANCE, {"b_chain": chain, "n": n}).first()
    if head is None:
        conn.execute(_NEW_HEAD[conn.dialect.name], {"b_chain": chain})
        head = conn.execute(_ADVANCE, {"b_chain": chain, "n": n}).one()
    return head.seq, head.hash


def _append(chain: int, rows: list[dict]) -> None:
    """Insert the entries and move the head's hash to the last one (the general path: SQLite,
    bulk appends, a chain's first entry; single entries on PostgreSQL use _RECORD_ONE_PG)."""
    conn = db.session.connection()  # Core statements: no ORM bookkeeping needed here
    conn.execute(insert(_ENTRY), rows)
    conn.execute(update(_HEAD).where(_HEAD.c.chain == chain)
                 .values(hash=rows[-1]["hash"], prev_hash=rows[-1]["prev_hash"]))


def _record_one_pg(chain, item, actor_id, actor_name, compound_id) -> int | None:
    """One entry on PostgreSQL in one statement; None elsewhere, or before the chain's first
    entry (no head row yet), so that the general path runs."""
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return None
    action, object_type, object_id, data = item
    at = utcnow()
    row = conn.execute(_RECORD_ONE_PG, {
        "b_chain": chain, "at": at, "at_utc": _at_utc(at), "actor_id": actor_id,
        "actor": actor_name, "action": action, "object_type": object_type,
        "object_id": str(object_id), "compound_id": compound_id,
        "data": canonical(data or {})}).first()
    return None if row is None else row.seq


def _entries(chain, items, actor_id, actor_name, compound_id, first_seq: int,
             prev: str) -> list[dict]:
    at = utcnow()
    rows, seq = [], first_seq
    for action, object_type, object_id, data in items:
        row = {"chain": chain, "seq": seq, "version": VERSION, "at": at, "actor_id": actor_id,
               "actor": actor_name, "action": action, "object_type": object_type,
               "object_id": str(object_id), "compound_id": compound_id,
               "data": canonical(data or {}), "prev_hash": prev}
        row["hash"] = entry_hash(**row)
        rows.append(row)
        prev, seq = row["hash"], seq + 1
    return rows


def record(action: str, object_type: str, object_id, data: dict | None = None, *,
           compound_id: int | None = None, actor: tuple[int | None, str] | None = None
           ) -> int:
    """Append an entry to the compound's chain (the district-wide one without a compound)
    in the current transaction (the caller commits); returns its sequence number."""
    return record_many([(action, object_type, object_id, data)], compound_id=compound_id,
                       actor=actor)


def record_many(items: list[tuple[str, str, object, dict]], *, compound_id: int | None = None,
                actor: tuple[int | None, str] | None = None) -> int:
    """Append entries (action, object_type, object_id, data) to the compound's chain under
    one lock, in order; returns the sequence number of the last one (0 when there are none).

    A 20,000-row ledger import writes one entry per changed unit; taking the chain's
    lock once for all of them keeps that fast.
    """
    if not items:
        return 0
    chain = chain_of(compound_id)
    actor_id, actor_name = actor or _actor()
    db.session.flush()  # the change being audited takes its locks first
    if len(items) == 1 and (seq := _record_one_pg(chain, items[0], actor_id, actor_name,
                                                  compound_id)) is not None:
        return seq
    seq, prev = _advance_head(chain, len(items))
    _append(chain, _entries(chain, items, actor_id, actor_name, compound_id,
                            seq - len(items) + 1, prev))
    return seq


# -- verifying -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainResult:
    """One chain walked: how many entries verified, and its first problem, if any."""

    chain: int
    checked: int
    problem: str | None = None
    seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class VerifyResult:
    """Every chain walked. `problem`/`seq`/`chain` name the first broken chain's first
    broken entry; `chains` has each chain's own result."""

    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None
    chain: int | None = None
    chains: tuple[ChainResult, ...] = ()


def chain_label(chain: int) -> str:
    return "district-wide" if chain == DISTRICT_CHAIN else f"compound {chain}"


def _walk(chain: int, head: tuple[int, str] | None, batch: int) -> ChainResult:
    """Check a chain entry by entry: seq 1, 2, … without gaps, each following the one before
    and hashing to what it says; then that the head names the last entry."""
    cols = [_ENTRY.c[name] for name in _ENTRY_FIELDS]
    prev_hash, expected, checked, version = GENESIS, 1, 0, 1

    def broken(problem: str, seq: int) -> ChainResult:
        return ChainResult(chain, checked, f"chain {chain_label(chain)}: {problem}", seq)

    while True:
        rows = db.session.execute(
            select(*cols).where(_ENTRY.c.chain == chain, _ENTRY.c.seq >= expected)
            .order_by(_ENTRY.c.seq).limit(batch)).mappings().all()
        if not rows:
            break
        for e in rows:
            if e["seq"] != expected:
                return broken(f"entry {expected} is missing", expected)
            if e["prev_hash"] != prev_hash:
                return broken(f"entry {e['seq']} does not follow entry {e['seq'] - 1}",
                              e["seq"])
            hasher = HASHERS.get(e["version"])
            fields = {k: v for k, v in e.items() if k != "hash"}
            # a version never goes back: an entry re-hashed the old way to hide an edit of
            # what only the new way covers is altered
            if hasher is None or e["version"] < version or hasher(**fields) != e["hash"]:
                return broken(f"entry {e['seq']} was altered", e["seq"])
            prev_hash, expected, checked = e["hash"], expected + 1, checked + 1
            version = e["version"]
    if head is None:
        if checked:
            return broken("its head is missing", checked)
    elif head[0] != expected - 1:
        return broken(f"entry {expected} is missing", expected)
    elif head[1] != prev_hash:
        return broken(f"its head does not match entry {expected - 1}", expected - 1)
    return ChainResult(chain, checked)


def verify(batch: int = 5000) -> VerifyResult:
    """Walk every chain; report each chain's count and the first altered or missing entry.

    Catches an edited, deleted or re-ordered entry and a head that disagrees with its chain.
    It cannot see the newest entries deleted together with the head moved back to match:
    `check_anchor` against an anchor printed earlier does.
    """
    heads = {h.chain: (h.seq, h.hash) for h in db.session.execute(
        select(_HEAD.c.chain, _HEAD.c.seq, _HEAD.c.hash))}
    chains = sorted(set(heads) | set(db.session.scalars(select(_ENTRY.c.chain).distinct())))
    results = tuple(_walk(c, heads.get(c), batch) for c in chains)
    checked = sum(r.checked for r in results)
    bad = next((r for r in results if not r.ok), None)
    if bad is None:
        return VerifyResult(True, checked, chains=results)
    return VerifyResult(False, checked, bad.problem, bad.seq, bad.chain, results)


# -- anchors (审计链锚点) --------------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    """An entry of a chain as printed on paper: `CHAIN/SEQ:HASH`."""

    chain: int
    seq: int
    hash: str

    @property
    def token(self) -> str:
        return f"{self.chain}/{self.seq}:{self.hash}"


_ANCHOR = re.compile(r"(?:(\d+)/)?(\d+):([0-9a-fA-F]{64})")


def parse_anchor(text: str) -> tuple[int | None, int, str]:
    """`CHAIN/SEQ:HASH` or `SEQ:HASH` → (chain or None, seq, hash in lower case)."""
    m = _ANCHOR.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not an anchor (CHAIN/SEQ:HASH or SEQ:HASH, "
                         "HASH 64 hex digits)")
    return (None if m[1] is None else int(m[1])), int(m[2]), m[3].lower()


@dataclass(frozen=True)
class AnchorResult:
    ok: bool
    message: str
    anchor: Anchor | None = None


def check_anchor(text: str, verified: VerifyResult | None = None) -> AnchorResult:
    """Whether a chain still holds the entry an anchor names, with that hash, and verifies.

    Without a chain (`SEQ:HASH`) any chain holding that entry will do. Pass `verified` (a
    `verify()` result) to check several anchors against one walk of the chains.
    """
    try:
        chain, seq, digest = parse_anchor(text)
    except ValueError as err:
        return AnchorResult(False, str(err))
    q = select(_ENTRY.c.chain, _ENTRY.c.hash).where(_ENTRY.c.seq == seq)
    # (chain, seq) is unique and indexed: without a chain, try (each chain, seq)
    q = q.where(_ENTRY.c.chain == chain) if chain is not None else q.where(
        _ENTRY.c.chain.in_(select(_HEAD.c.chain)), _ENTRY.c.hash == digest)
    found = db.session.execute(q.limit(1)).first()
    where = f"chain {chain_label(chain)}" if chain is not None else "any chain"
    if found is None:
        return AnchorResult(False, f"anchor {text.strip()}: {where} has no entry {seq}"
                            + ("" if chain is not None else " with that hash")
                            + " (entries deleted and the chain rewritten?)")
    anchor = Anchor(found.chain, seq, found.hash)
    if found.hash != digest:
        return AnchorResult(False, f"anchor {text.strip()}: entry {seq} of chain "
                            f"{chain_label(found.chain)} now has hash {found.hash}, not the "
                            "anchor's (the chain was rewritten after it)", anchor)
    verified = verified or verify()
    own = next(r for r in verified.chains if r.chain == found.chain)
    if not own.ok:
        return AnchorResult(False, f"anchor {text.strip()}: {own.problem}", anchor)
    return AnchorResult(True, f"anchor {anchor.token}: entry {seq} of chain "
                        f"{chain_label(found.chain)} is in place and the chain verifies",
                        anchor)


def entry_anchor(action: str, object_type: str, object_id) -> Anchor | None:
    """The anchor of the newest entry recording `action` on an object (e.g. the publication
    of a vote's result), or None if there is none."""
    row = db.session.execute(
        select(_ENTRY.c.chain, _ENTRY.c.seq, _ENTRY.c.hash)
        .where(_ENTRY.c.object_type == object_type, _ENTRY.c.object_id == str(object_id),
               _ENTRY.c.action == action)
        .order_by(_ENTRY.c.id.desc()).limit(1)).first()
    return None if row is None else Anchor(row.chain, row.seq, row.hash)


def head_anchor(compound_id: int | None) -> Anchor | None:
    """The anchor of the compound's chain as it stands (committed), or None if the chain has
    no entry yet."""
    row = db.session.execute(
        select(_HEAD.c.chain, _HEAD.c.seq, _HEAD.c.hash)
        .where(_HEAD.c.chain == chain_of(compound_id), _HEAD.c.seq > 0)).first()
    return None if row is None else Anchor(row.chain, row.seq, row.hash)


# -- reading ---------------------------------------------------------------------------------

def history(object_type: str, object_id, limit: int = 100) -> list[AuditEntry]:
    """The newest entries about one object (e.g. a unit's change history)."""
    return list(db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id.desc()).limit(limit)
    ))


def entry_data(entry: AuditEntry) -> dict:
    return json.loads(entry.data)
