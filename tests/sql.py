"""What the tests count of the SQL a request runs: the statements, as sent to the engine."""

from __future__ import annotations

import contextlib

from sqlalchemy import event

from core.extensions import db


@contextlib.contextmanager
def statements():
    """`with statements() as seen:` — every statement the engine executes in the block."""
    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
