"""Audit chains per compound: ballots in four compounds at once against one compound.

Every ballot appends to its compound's audit chain and holds that chain's head row lock
until it commits. With one chain for the whole installation, ballots in different compounds
queued on one row; with a chain per compound they do not. Measured through gunicorn on
PostgreSQL with bench_votes' machinery and shape: the same server, the same 16 clients,
4,000 ballots per run after a warm-up, in one database holding four 20,000-unit compounds
each with an open vote:

- one compound: all 16 clients cast in compound 1;
- four compounds: 4 clients in each compound, at once.

On two cores the app's CPU, not the head row, bounds the rate, so the bench also samples
how many PostgreSQL backends wait for a lock while it runs: with one chain per compound,
ballots of different compounds no longer queue on one row.

The two alternate, BENCH_AUDIT_ROUNDS times each (default 3), so that the load of the
shared machine falls on both alike. Then, for the README's one-compound figure, bench_votes'
own casting run (one 20,000-unit compound alone in its database).

Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL); databases tongxin_bench_audit_chains and
tongxin_bench_audit_votes_cast are dropped and created afresh. BENCH_AUDIT_PARTS=1,2 picks.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import threading
import time

import sqlalchemy as sa

from bench.bench_votes import (
    CLIENTS,
    UNITS,
    _admin,
    _drive,
    _load_compound,
    _open_vote,
    _p,
    _pg_base,
    _settle,
    _tokens_for,
    bench_casting,
    cast_job,
    serving,
)
from bench.common import fresh_pg_database, make_app, table

COMPOUNDS = 4
WARM = 200


@contextlib.contextmanager
def lock_waits(url: str, every: float = 0.005):
    """Sample pg_stat_activity while the block runs: how many of the database's backends
    wait for a lock (a ballot waits for one only on its chain's head row: the vote's ballot
    lock is shared, and no two ballots are of one voter). Yields a dict filled at the end
    with `mean` (backends waiting, on average) and `share` (samples with any waiting)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    db_name = url.rsplit("/", 1)[1]
    q = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
                "AND wait_event_type = 'Lock'")
    samples: list[int] = []
    done = threading.Event()
    out: dict = {}

    def sample():
        with engine.connect() as conn:
            while not done.is_set():
                samples.append(conn.execute(q, {"db": db_name}).scalar())
                time.sleep(every)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        yield out
    finally:
        done.set()
        thread.join()
        engine.dispose()
        out["mean"] = statistics.fmean(samples) if samples else 0.0
        out["share"] = sum(1 for x in samples if x) / len(samples) if samples else 0.0


def _runs(n: int, rounds: int) -> tuple[int, int]:
    """Ballots needed from compound 1 and from each other compound."""
    per_other = rounds * (n + WARM) // COMPOUNDS
    return rounds * (n + WARM) + per_other, per_other


def bench_chains(url: str, rows: list[dict]) -> None:
    n = int(os.environ.get("BENCH_CAST_REQUESTS", "4000"))
    rounds = int(os.environ.get("BENCH_AUDIT_ROUNDS", "3"))
    rng = random.Random(11)
    app = make_app(url)
    _admin(app)
    votes = []
    for k in range(COMPOUNDS):
        cid = _load_compound(app, f"压测小区{k + 1}", UNITS, rng=rng)
        votes.append(_open_vote(app, cid, f"并发投票{k + 1}")[0])
    first, other = _runs(n, rounds)
    owners = [_tokens_for(app, vid, first if k == 0 else other)
              for k, vid in enumerate(votes)]
    paths = [f"/api/v1/votes/{vid}/ballots" for vid in votes]
    _settle(url)

    def take(k: int, count: int) -> list:
        got, owners[k] = owners[k][:count], owners[k][count:]
        return [cast_job(paths[k], t, u, rng) for t, u in got]

    def one(count: int) -> list:
        return take(0, count)

    def four(count: int) -> list:
        # job i goes to client i % CLIENTS: with 16 clients, client c casts in compound c % 4
        per = [take(k, count // COMPOUNDS) for k in range(COMPOUNDS)]
        return [per[i % COMPOUNDS][i // COMPOUNDS] for i in range(count // COMPOUNDS
                                                                   * COMPOUNDS)]

    results: dict[str, list[dict]] = {"one compound": [], "four compounds": []}
    with serving(url) as server:
        for _ in range(rounds):
            for name, jobs in (("one compound", one), ("four compounds", four)):
                _drive(server.port, jobs(WARM), CLIENTS)
                batch = jobs(n)
                a0, d0 = server.app_cpu(), server.db_cpu()
                with lock_waits(url) as waits:
                    elapsed, lat, codes = _drive(server.port, batch, CLIENTS)
                a1, d1 = server.app_cpu(), server.db_cpu()
                per = len(lat) or 1
                results[name].append({
                    "rate": len(lat) / elapsed, "p50": _p(lat, .5), "p99": _p(lat, .99),
                    "codes": codes, "app": (a1 - a0) / per * 1000,
                    "db": (d1 - d0) / per * 1000, "load": os.getloadavg()[0],
                    "waits": waits["mean"], "waiting": waits["share"]})
                print(f"  {name}: {len(lat) / elapsed:.0f}/s, p99 {_p(lat, .99):.0f} ms, "
                      f"{waits['mean']:.2f} backends waiting for a lock, {codes}", flush=True)
    for name, runs in results.items():
        for i, r in enumerate(runs, start=1):
            rows.append({"what": f"{name}, run {i}", "rate": f"{r['rate']:.0f}/s",
                         "p50": f"{r['p50']:.1f} ms", "p99": f"{r['p99']:.1f} ms",
                         "cpu": f"{r['app']:.1f} / {r['db']:.1f} ms",
                         "lock waits": f"{r['waits']:.2f} ({r['waiting']:.0%})",
                         "codes": str(r["codes"]), "load": f"{r['load']:.1f}"})
        rows.append({"what": f"{name}, median", "rate":
                     f"{statistics.median(r['rate'] for r in runs):.0f}/s",
                     "p50": f"{statistics.median(r['p50'] for r in runs):.1f} ms",
                     "p99": f"{statistics.median(r['p99'] for r in runs):.1f} ms", "cpu": "",
                     "lock waits": f"{statistics.median(r['waits'] for r in runs):.2f}",
                     "codes": "", "load": ""})
    rows.append({"what": f"{COMPOUNDS}×{UNITS} units, {CLIENTS} clients, {n} ballots a run",
                 "rate": "", "p50": "", "p99": "", "cpu": "app / PostgreSQL",
                 "lock waits": "backends (share of samples)", "codes": "",
                 "load": server.shape})


def main() -> None:
    pg = _pg_base()
    if not pg:
        print("skipped: set BENCH_DATABASE_URL for PostgreSQL (ballots go through gunicorn)")
        return
    parts = os.environ.get("BENCH_AUDIT_PARTS", "1,2").split(",")
    if "1" in parts:
        print("1. ballots: four compounds at once against one compound", flush=True)
        rows: list[dict] = []
        bench_chains(fresh_pg_database(pg, "tongxin_bench_audit_chains"), rows)
        print(table(rows, ["what", "rate", "p50", "p99", "cpu", "lock waits", "codes", "load"]),
              flush=True)
    if "2" in parts:
        print("\n2. ballots in one compound alone (bench_votes' casting run)", flush=True)
        rows = []
        bench_casting(fresh_pg_database(pg, "tongxin_bench_audit_votes_cast"), rows)
        print(table(rows, ["what", "rate", "p50", "p99", "codes", "target"]), flush=True)


if __name__ == "__main__":
    main()
