"""The audit chain (审计链): append-only, each entry hashed with the one before it.

Services call `record()` inside their own transaction, as the last write before commit,
so the entry exists exactly when the change does and the chain's lock is held briefly.
`verify()` walks the chain and reports the first entry that was altered or is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Integer, Text, bindparam, cast, func, insert, select, update

from core.extensions import db
from core.models import AuditEntry, AuditHead
from core.types import utcnow

GENESIS = "0" * 64
_HEAD = AuditHead.__table__
_ENTRY = AuditEntry.__table__
_ENTRY_FIELDS = ("seq", "at", "actor_id", "actor", "action", "object_type", "object_id",
                 "compound_id", "data", "prev_hash", "hash")
# Built once (they run for every audited change, every ballot among them).
_ADVANCE = (update(_HEAD).where(_HEAD.c.id == 1)
            .values(seq=_HEAD.c.seq + bindparam("n", type_=_HEAD.c.seq.type))
            .returning(_HEAD.c.seq, _HEAD.c.hash))


def _record_one_pg_statement():
    """PostgreSQL: advance the head and insert the entry in ONE statement, hashing in SQL.

    The head's row lock is then held only from this statement to the commit (every ballot
    takes it, so its length bounds the ballot rate). The SQL hash is `entry_hash`, byte for
    byte: SHA-256 over the same fields joined by U+001F; `verify()` recomputes it in Python.
    The SET expressions all read the row as it was, so prev_hash gets the old hash.
    """
    def text(name: str):
        return bindparam(name, type_=Text)

    material = func.concat_ws(
        func.chr(31), cast(_HEAD.c.seq + 1, Text), text("at_utc"), text("actor"),
        text("action"), text("object_type"), text("object_id"), text("data"), _HEAD.c.hash)
    head = (update(_HEAD).where(_HEAD.c.id == 1)
            .values(seq=_HEAD.c.seq + 1, prev_hash=_HEAD.c.hash,
                    hash=func.encode(func.sha256(func.convert_to(material, "UTF8")), "hex"))
            .returning(_HEAD.c.seq, _HEAD.c.prev_hash, _HEAD.c.hash).cte("h"))
    row = select(head.c.seq, bindparam("at", type_=_ENTRY.c.at.type),
                 bindparam("actor_id", type_=Integer), text("actor"), text("action"),
                 text("object_type"), text("object_id"),
                 bindparam("compound_id", type_=Integer), text("data"),
                 head.c.prev_hash, head.c.hash)
    return (insert(_ENTRY).from_select(list(_ENTRY_FIELDS), row)
            .returning(_ENTRY.c.seq, _ENTRY.c.hash))


_RECORD_ONE_PG = _record_one_pg_statement()


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


def _at_utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def entry_hash(*, seq: int, at: dt.datetime, actor: str, action: str, object_type: str,
               object_id: str, data: str, prev_hash: str) -> str:
    """SHA-256 over every field of the entry and the previous entry's hash."""
    material = "\x1f".join(
        [str(seq), _at_utc(at), actor, action, object_type, object_id, data, prev_hash]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "system"


def _advance_head(n: int) -> tuple[int, str]:
    """Move the head on by `n` entries; return (its new seq, the hash before the move).

    This UPDATE takes the chain's lock (a row lock on PostgreSQL, the write lock on SQLite),
    held until the caller commits: concurrent writers append one after the other.
    """
    session = db.session
    head = session.connection().execute(_ADVANCE, {"n": n}).first()
    if head is None:  # the first entry ever
        session.add(AuditHead(id=1, seq=n, hash=GENESIS))
        session.flush()
        return n, GENESIS
    return head.seq, head.hash


def _append(rows: list[dict]) -> None:
    """Insert the entries and move the head's hash to the last one (the general path: SQLite,
    bulk appends, the first entry ever; single entries on PostgreSQL use _RECORD_ONE_PG)."""
    conn = db.session.connection()  # Core statements: no ORM bookkeeping needed here
    conn.execute(insert(_ENTRY), rows)
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1)
                 .values(hash=rows[-1]["hash"], prev_hash=rows[-1]["prev_hash"]))


def _record_one_pg(item, actor_id, actor_name, compound_id) -> int | None:
    """One entry on PostgreSQL in one statement; None elsewhere, or before the first entry
    (no head row yet), so that the general path runs."""
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return None
    action, object_type, object_id, data = item
    at = utcnow()
    row = conn.execute(_RECORD_ONE_PG, {
        "at": at, "at_utc": _at_utc(at), "actor_id": actor_id, "actor": actor_name,
        "action": action, "object_type": object_type, "object_id": str(object_id),
        "compound_id": compound_id, "data": canonical(data or {})}).first()
    return None if row is None else row.seq


def _entries(items, actor_id, actor_name, compound_id, first_seq: int, prev: str) -> list[dict]:
    at = utcnow()
    rows, seq = [], first_seq
    for action, object_type, object_id, data in items:
        payload = canonical(data or {})
        h = entry_hash(seq=seq, at=at, actor=actor_name, action=action, object_type=object_type,
                       object_id=str(object_id), data=payload, prev_hash=prev)
        rows.append({"seq": seq, "at": at, "actor_id": actor_id, "actor": actor_name,
                     "action": action, "object_type": object_type, "object_id": str(object_id),
                     "compound_id": compound_id, "data": payload, "prev_hash": prev, "hash": h})
        prev, seq = h, seq + 1
    return rows


def record(action: str, object_type: str, object_id, data: dict | None = None, *,
           compound_id: int | None = None, actor: tuple[int | None, str] | None = None
           ) -> int:
    """Append an entry to the chain in the current transaction (the caller commits);
    returns its sequence number."""
    return record_many([(action, object_type, object_id, data)], compound_id=compound_id,
                       actor=actor)


def record_many(items: list[tuple[str, str, object, dict]], *, compound_id: int | None = None,
                actor: tuple[int | None, str] | None = None) -> int:
    """Append entries (action, object_type, object_id, data) under one lock, in order;
    returns the sequence number of the last one (0 when there are none).

    A 20,000-row ledger import writes one entry per changed unit; taking the chain's
    lock once for all of them keeps that fast.
    """
    if not items:
        return 0
    actor_id, actor_name = actor or _actor()
    db.session.flush()  # the change being audited takes its locks first
    if len(items) == 1 and (seq := _record_one_pg(items[0], actor_id, actor_name,
                                                  compound_id)) is not None:
        return seq
    seq, prev = _advance_head(len(items))
    _append(_entries(items, actor_id, actor_name, compound_id, seq - len(items) + 1, prev))
    return seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the whole chain; return the first altered or missing entry, if any."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            last_id = e.id
            if e.seq != expected_seq:
                return VerifyResult(False, checked, f"entry {expected_seq} is missing",
                                    expected_seq)
            if e.prev_hash != prev_hash:
                return VerifyResult(False, checked,
                                    f"entry {e.seq} does not follow entry {e.seq - 1}", e.seq)
            recomputed = entry_hash(seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                                    object_type=e.object_type, object_id=e.object_id,
                                    data=e.data, prev_hash=e.prev_hash)
            if recomputed != e.hash:
                return VerifyResult(False, checked, f"entry {e.seq} was altered", e.seq)
            prev_hash, expected_seq, checked = e.hash, expected_seq + 1, checked + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and head.seq != expected_seq - 1:
        return VerifyResult(False, checked, f"entry {expected_seq} is missing", expected_seq)
    return VerifyResult(True, checked)


def history(object_type: str, object_id, limit: int = 100) -> list[AuditEntry]:
    """The newest entries about one object (e.g. a unit's change history)."""
    return list(db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.seq.desc()).limit(limit)
    ))


def entry_data(entry: AuditEntry) -> dict:
    return json.loads(entry.data)
