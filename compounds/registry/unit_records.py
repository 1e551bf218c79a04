"""What refers to a unit, asked before the unit may be removed.

A unit entered by mistake (a wrong number, a unit that does not exist) is removed; a unit
that took part in anything — a vote's roll, the repair fund, a request, a survey — is a
record of that, and is corrected instead. Each package declares its own records through
the hook "registry.unit_records": a list of (the table's unit column, what a person calls
it); `present` asks them all in one query.
"""

from __future__ import annotations

from sqlalchemy import literal, select, union_all

from core.extensions import db


def present(unit_id: int, kinds) -> list[str]:
    """The labels of `kinds` ((unit column, label) …) whose table holds a row of the unit,
    in the order given — one query for them all."""
    kinds = list(kinds)
    probes = [select(literal(i).label("k")).where(select(column).where(column == unit_id)
                                                  .exists())
              for i, (column, _label) in enumerate(kinds)]
    found = set(db.session.scalars(union_all(*probes))) if probes else set()
    return [str(label) for i, (_column, label) in enumerate(kinds) if i in found]
