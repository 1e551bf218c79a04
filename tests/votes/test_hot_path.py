"""The ballot's hot path stays as lean as README "Performance" says: an owner's online ballot
through the API runs a fixed, small number of SQL statements (bench/bench_votes.py measures
its speed; this only counts, so that a refactoring cannot add a query unnoticed)."""

from __future__ import annotations

from tests.conftest import IS_PG
from tests.sql import statements


def test_an_online_ballot_runs_six_statements_on_postgresql(flow):
    vid = flow.open()
    owner = flow.client("a")
    owner.get(f"/votes/{vid}")  # the token's first use is not the ballot's cost
    with statements() as seen:
        resp = flow.cast(vid, "7-1-101", who="a")
    assert resp.status_code == 201, resp.get_json()
    # bearer sign-in with roles; the vote with the owner's place in its roll; the shared
    # ballot lock; the roll entry with the vote's state; the ballot; the audit entry. SQLite
    # has no lock: it reads the state again after the insert, and its audit chain takes
    # three statements (advance the head, insert, hash the head) where PostgreSQL takes one.
    sql = [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "SELECT 1"))]
    assert len(sql) == (6 if IS_PG else 8), "\n---\n".join(sql)
    assert any("pg_advisory_xact_lock_shared" in s for s in sql) == IS_PG
