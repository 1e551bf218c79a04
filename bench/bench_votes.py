"""Votes at scale.

1. Tally of a 20,000-unit compound with 15,000 ballots, computed in SQL over the frozen roll
   (target: under 300 ms on both engines); also how long opening (freezing the roll) takes.
2. Ballot casting through gunicorn on PostgreSQL, 16 concurrent clients each casting for
   other owners with their own bearer tokens (target: ≥ 200 ballots/s, p99 < 150 ms), and
   the same clients on GET /healthz of the same server, for the ratio.
3. Paper ballots PDF for 5,000 voter groups (target: under 20 s).

PostgreSQL runs when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set; it uses its own
database, tongxin_bench_votes, dropped and created afresh.
Options (environment): BENCH_CAST_REQUESTS (default 4000), BENCH_GUNICORN_WORKERS (default
2 × CPUs + 1), BENCH_GUNICORN_THREADS (default 4).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.common import fresh_pg_database, make_app, table, timed

UNITS = 20_000
BALLOTS = 15_000
PDF_GROUPS = 5_000
CLIENTS = 16
ROOT = Path(__file__).resolve().parents[1]


def _pg_base() -> str | None:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")


# -- data ----------------------------------------------------------------------------------

def _load_compound(app, name: str, units: int, *, floors: int = 25, per_floor: int = 10,
                   rng: random.Random, couples: float = 0.3, repeat: float = 0.06) -> int:
    """A compound of `units` units, bulk-inserted: 2 entrances per building; by default ~6 %
    of buyers hold two units, ~30 % of units are co-owned by a couple, and the last 300
    units are the developer's."""
    from sqlalchemy import func, insert, select

    from compounds.models import (
        Building,
        Compound,
        District,
        Entrance,
        Holding,
        Person,
        Street,
        Unit,
        natural_key,
    )
    from core.extensions import db

    with app.app_context():
        d = db.session.scalar(select(District).where(District.name == "普陀区"))
        if d is None:
            d = District(name="普陀区")
            db.session.add(d)
            db.session.flush()
        s = db.session.scalar(select(Street).where(Street.district_id == d.id))
        if s is None:
            s = Street(district_id=d.id, name="长风新村街道")
            db.session.add(s)
            db.session.flush()
        c = Compound(street_id=s.id, name=name, notice_days=15)  # the law's minimum
        db.session.add(c)
        db.session.flush()
        unit_base = db.session.scalar(select(func.coalesce(func.max(Unit.id), 0)))
        person_base = db.session.scalar(select(func.coalesce(func.max(Person.id), 0)))
        per_entrance = floors * per_floor
        per_building = 2 * per_entrance
        n_buildings = -(-units // per_building)
        bids = list(db.session.execute(insert(Building).returning(
            Building.id, sort_by_parameter_order=True), [
            {"compound_id": c.id, "number": str(b), "sort_key": natural_key(str(b)),
             "floors": floors, "has_elevator": True} for b in range(1, n_buildings + 1)]
        ).scalars())
        eids = list(db.session.execute(insert(Entrance).returning(
            Entrance.id, sort_by_parameter_order=True), [
            {"building_id": bid, "number": e, "sort_key": natural_key(e)}
            for bid in bids for e in ("1", "2")]).scalars())
        unit_rows, people, holdings = [], [], []
        uid, pid = unit_base, person_base
        for i in range(units):
            b, rest = divmod(i, per_building)
            e, rest = divmod(rest, per_entrance)
            floor, r = divmod(rest, per_floor)
            number = f"{floor + 1}{r + 1:02d}"
            uid += 1
            unit_rows.append({
                "id": uid, "compound_id": c.id, "building_id": bids[b],
                "entrance_id": eids[2 * b + e], "number": number,
                "sort_key": natural_key(number), "floor": floor + 1,
                "area": Decimal(rng.randrange(4500, 16000)) / 100, "area_source": "registered",
                "developer_held": i >= units - 300, "label": f"{b + 1}-{e + 1}-{number}"})
        previous_owner = None
        for row in unit_rows:
            if row["developer_held"]:
                continue
            if previous_owner is not None and rng.random() < repeat:
                owners = previous_owner  # the same buyer again: one head with both units
            else:
                owners = []
                for _ in range(2 if rng.random() < couples else 1):
                    pid += 1
                    people.append({"id": pid, "name": f"业主{pid}", "id_number": None,
                                   "phone": f"139{pid:08d}"})
                    owners.append(pid)
            previous_owner = owners
            holdings += [{"unit_id": row["id"], "person_id": p, "position": k}
                         for k, p in enumerate(owners)]
        for batch in range(0, len(unit_rows), 5000):
            db.session.execute(insert(Unit), unit_rows[batch:batch + 5000])
        for batch in range(0, len(people), 5000):
            db.session.execute(insert(Person), people[batch:batch + 5000])
        for batch in range(0, len(holdings), 5000):
            db.session.execute(insert(Holding), holdings[batch:batch + 5000])
        db.session.commit()
        return c.id


def _admin(app):
    from core.auth import hash_password
    from core.extensions import db
    from core.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "admin"))
        if user is None:
            user = User(username="admin", password_hash=hash_password("bench-pass"),
                        is_admin=True)
            db.session.add(user)
            db.session.commit()
        return user.id


def _as_admin(app, fn):
    from flask_login import login_user

    from core.extensions import db
    from core.models import User

    with app.test_request_context():
        login_user(db.session.scalar(db.select(User).where(User.username == "admin")))
        return fn()


def _notice_has_run(vote) -> None:
    """The bench does not wait the notice's 15 days: the announcement and the moment the
    vote may open move back together, as time would (tests/votes/worlds.py end_notice)."""
    from core.extensions import db

    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    span = vote.may_open_at - past
    vote.announced_at, vote.may_open_at = vote.announced_at - span, past
    db.session.commit()


def _open_vote(app, cid: int, title: str, scope=None) -> tuple[int, float]:
    from compounds.models import Compound
    from core.extensions import db
    from votes import services

    def go():
        compound = db.session.get(Compound, cid)
        closes = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)  # the notice states it
        vote = services.create_vote(compound, title=title, matter="rebuild", scope=scope,
                                    closes_at=closes.isoformat())
        services.announce(vote)
        _notice_has_run(vote)
        t0 = time.perf_counter()
        services.open_vote(vote)
        return vote.id, time.perf_counter() - t0

    return _as_admin(app, go)


def _insert_ballots(app, vid: int, n: int, rng: random.Random) -> int:
    from sqlalchemy import insert, select

    from core.extensions import db
    from core.types import utcnow
    from votes.models import Ballot, RollGroup, RollUnit

    with app.app_context():
        groups = db.session.execute(
            select(RollGroup.id, RollUnit.unit_id).join(RollUnit, RollUnit.group_id ==
                                                        RollGroup.id)
            .where(RollGroup.vote_id == vid)).all()
        first = {}
        for gid, unit_id in groups:
            first.setdefault(gid, unit_id)
        chosen = rng.sample(sorted(first), min(n, len(first)))
        now = utcnow()
        rows = [{"vote_id": vid, "group_id": gid, "unit_id": first[gid],
                 "choice": rng.choices(["agree", "oppose", "abstain"], [80, 12, 8])[0],
                 "channel": "paper", "receipt": secrets.token_hex(8).upper(), "serial": "",
                 "proxy_name": "", "proxy_ref": "", "cast_by": "bench", "cast_at": now}
                for gid in chosen]
        for batch in range(0, len(rows), 5000):
            db.session.execute(insert(Ballot), rows[batch:batch + 5000])
        db.session.commit()
        return len(rows)


# -- 1. tally ------------------------------------------------------------------------------

def bench_tally(engine: str, url: str, rows: list[dict]) -> None:
    rng = random.Random(20261121)
    app = make_app(url)
    _admin(app)
    t0 = time.perf_counter()
    cid = _load_compound(app, "两万户小区", UNITS, rng=rng)
    load_s = time.perf_counter() - t0
    vid, open_s = _open_vote(app, cid, "全小区表决")
    cast = _insert_ballots(app, vid, BALLOTS, rng)

    from core.extensions import db
    from votes import services
    from votes.models import Vote

    with app.app_context():
        vote = db.session.get(Vote, vid)
        services.compute_tally(vote)  # warm
        res = timed(lambda: services.compute_tally(vote), repeat=9)
        t = services.compute_tally(vote)
        prog = timed(lambda: _as_admin(app, lambda: services.progress(
            db.session.get(Vote, vid))), repeat=5)
    rows.append({"engine": engine, "what": f"tally: {UNITS} units, {vote.roll_heads} voters, "
                 f"{cast} ballots", "median": f"{res['median_ms']:.1f} ms",
                 "max": f"{res['max_ms']:.1f} ms", "target": "< 300 ms"})
    rows.append({"engine": engine, "what": "live progress (tally + counts + attempts)",
                 "median": f"{prog['median_ms']:.1f} ms", "max": f"{prog['max_ms']:.1f} ms",
                 "target": ""})
    rows.append({"engine": engine, "what": f"open: freeze the roll of {UNITS} units",
                 "median": f"{open_s * 1000:.0f} ms", "max": "", "target": ""})
    rows.append({"engine": engine, "what": f"(load {UNITS} units, bulk)",
                 "median": f"{load_s * 1000:.0f} ms", "max": "", "target": ""})
    print(f"  {engine}: turnout {t.turnout_area_pct}% / {t.turnout_heads_pct}%, "
          f"passed {t.passed}", flush=True)


# -- 2. casting through gunicorn -----------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tokens_for(app, vid: int, n: int) -> list[tuple[str, str]]:
    """n owners of different voter groups, each with a user account and an API token:
    [(token, unit label)]."""
    from sqlalchemy import insert, select

    from core.extensions import db
    from core.models import ApiToken, RoleGrant, User
    from core.types import utcnow
    from votes.models import RollGroup, RollHolder, RollUnit

    with app.app_context():
        rows = db.session.execute(
            select(RollGroup.id, RollHolder.person_id, RollUnit.label)
            .join(RollHolder, RollHolder.group_id == RollGroup.id)
            .join(RollUnit, RollUnit.group_id == RollGroup.id)
            .where(RollGroup.vote_id == vid, RollGroup.developer.is_(False))
            .order_by(RollGroup.id)).all()
        seen, picked = set(), []
        for gid, person_id, label in rows:
            if gid not in seen:
                seen.add(gid)
                picked.append((person_id, label))
            if len(picked) == n:
                break
        pw = db.session.scalar(select(User.password_hash).where(User.username == "admin"))
        users = list(db.session.execute(insert(User).returning(
            User.id, sort_by_parameter_order=True), [
            {"username": f"owner{p}", "display_name": f"业主{p}", "password_hash": pw,
             "person_id": p, "is_admin": False, "active": True, "phone": ""}
            for p, _ in picked]).scalars())
        db.session.execute(insert(RoleGrant), [{"user_id": u, "role": "owner", "scope_id": None}
                                               for u in users])
        raw = [secrets.token_urlsafe(32) for _ in users]
        expires = utcnow() + dt.timedelta(hours=12)
        db.session.execute(insert(ApiToken), [
            {"user_id": u, "token_hash": hashlib.sha256(t.encode()).hexdigest(),
             "expires_at": expires} for u, t in zip(users, raw, strict=True)])
        db.session.commit()
        return [(t, label) for t, (_, label) in zip(raw, picked, strict=True)]


def _drive(port: int, jobs: list, clients: int) -> tuple[float, list[float], dict[int, int]]:
    """Run jobs (method, path, body, token) over `clients` keep-alive connections."""
    latencies: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    chunks = [jobs[i::clients] for i in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def worker(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, local_codes = [], {}
        barrier.wait()
        for method, path, body, token in chunk:
            headers = {"Connection": "keep-alive"}
            data = None
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            t0 = time.perf_counter()
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            resp.read()
            local.append(time.perf_counter() - t0)
            local_codes[resp.status] = local_codes.get(resp.status, 0) + 1
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()
        with lock:
            latencies.extend(local)
            for k, v in local_codes.items():
                codes[k] = codes.get(k, 0) + v

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, codes


def _cpu(match) -> float:
    """CPU seconds (user + system) used so far by the processes whose command line (and
    parent pid) `match(cmdline, ppid)` accepts; from /proc, so Linux only (else 0)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if match(cmd, int(fields[1])):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _p(latencies: list[float], q: float) -> float:
    s = sorted(latencies)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


def _settle(url: str) -> None:
    """After the bulk load, what a DBA does before opening the doors: VACUUM ANALYZE and a
    checkpoint, so that autovacuum and dirty-page writes do not run during the measurement."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
        conn.execute(sa.text("CHECKPOINT"))
    engine.dispose()


@contextlib.contextmanager
def serving(url: str):
    """gunicorn on a free port over the database at `url` (the production shape: gthread
    workers; BENCH_GUNICORN_* override), until the block ends. Yields a Server."""
    port = _free_port()
    cpus = os.cpu_count() or 2
    workers = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * cpus + 1)))
    threads = int(os.environ.get("BENCH_GUNICORN_THREADS", "4"))
    # gunicorn.conf.py defaults to production, which wants shared (Redis) sign-in limits
    # with several workers; ballots pass no sign-in limit, so development mode measures
    # the same path (the security headers are the same in both modes)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", PYTHONPATH=str(ROOT),
               TONGXIN_ENV="development")
    worker_class = os.environ.get("BENCH_GUNICORN_CLASS", "gthread")
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class,
                "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                "--keep-alive", "30", "app:create_app()"]
    log_path = Path(tempfile.mkdtemp(prefix="gunicorn-")) / "gunicorn.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    c.request("GET", "/healthz")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.3)
            else:
                raise RuntimeError(f"gunicorn did not start; see {log_path}")
            db_name = url.rsplit("/", 1)[1]
            yield Server(port, proc, cpus, f"gunicorn {workers}×{threads} {worker_class}",
                         app_cpu=lambda: _cpu(lambda cmd, ppid: ppid == proc.pid),
                         db_cpu=lambda: _cpu(lambda cmd, ppid: cmd.startswith("postgres:")
                                             and db_name in cmd))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@dataclass(frozen=True)
class Server:
    port: int
    proc: subprocess.Popen
    cpus: int
    shape: str
    app_cpu: Callable[[], float]  # CPU seconds so far: gunicorn workers
    db_cpu: Callable[[], float]  # … and this database's PostgreSQL backends


def cast_job(path: str, token: str, label: str, rng: random.Random):
    return ("POST", path, {"unit": label, "choice": rng.choice(
        ["agree", "agree", "agree", "oppose", "abstain"]), "channel": "online"}, token)


def bench_casting(url: str, rows: list[dict]) -> None:
    n = int(os.environ.get("BENCH_CAST_REQUESTS", "4000"))
    rng = random.Random(7)
    app = make_app(url)
    _admin(app)
    cid = _load_compound(app, "投票压测小区", UNITS, rng=rng)
    vid, _ = _open_vote(app, cid, "并发投票")
    warm = 200
    owners = _tokens_for(app, vid, n + warm)
    _settle(url)
    with serving(url) as server:
        path = f"/api/v1/votes/{vid}/ballots"
        port = server.port
        _drive(port, [cast_job(path, t, u, rng) for t, u in owners[:warm]], CLIENTS)
        _drive(port, [("GET", "/healthz", None, None)] * warm, CLIENTS)
        a0, d0 = server.app_cpu(), server.db_cpu()
        elapsed, lat, codes = _drive(port, [cast_job(path, t, u, rng) for t, u in owners[warm:]],
                                     CLIENTS)
        a1, d1 = server.app_cpu(), server.db_cpu()
        cast_rate = len(lat) / elapsed
        h_elapsed, h_lat, h_codes = _drive(port, [("GET", "/healthz", None, None)] * n, CLIENTS)
        health_rate = len(h_lat) / h_elapsed
    from core.extensions import db
    from votes import services
    from votes.models import Vote

    with app.app_context():
        counted = services.compute_tally(db.session.get(Vote, vid)).participated_heads
    rows.append({"what": f"POST ballots (online, {CLIENTS} clients, {len(lat)} ballots)",
                 "rate": f"{cast_rate:.0f}/s", "p50": f"{_p(lat, .5):.1f} ms",
                 "p99": f"{_p(lat, .99):.1f} ms", "codes": str(codes),
                 "target": "≥ 200/s, p99 < 150 ms"})
    rows.append({"what": f"GET /healthz ({CLIENTS} clients)", "rate": f"{health_rate:.0f}/s",
                 "p50": f"{_p(h_lat, .5):.1f} ms", "p99": f"{_p(h_lat, .99):.1f} ms",
                 "codes": str(h_codes), "target": ""})
    per = len(lat) or 1
    rows.append({"what": "CPU per ballot: app (gunicorn workers) / PostgreSQL backends",
                 "rate": f"{(a1 - a0) / per * 1000:.1f} / {(d1 - d0) / per * 1000:.1f} ms",
                 "p50": "", "p99": "", "codes": "",
                 "target": f"machine: {server.cpus} CPUs, load avg {os.getloadavg()[0]:.1f}"})
    rows.append({"what": "ratio ballots / healthz", "rate": f"{cast_rate / health_rate:.2f}",
                 "p50": "", "p99": "", "codes": f"counted {counted} = {warm} + {len(lat)}",
                 "target": f"{server.shape}, {server.cpus} CPUs"})


# -- 3. paper ballots ----------------------------------------------------------------------

def bench_pdf(url: str, rows: list[dict]) -> None:
    from reports.vote_ballots import render_ballots
    from votes import services

    rng = random.Random(5)
    app = make_app(url)
    _admin(app)
    # 4,999 units of single owners and the developer's 300: 5,000 voter groups
    cid = _load_compound(app, "五千户小区", PDF_GROUPS - 1 + 300, rng=rng, couples=0.0,
                         repeat=0.0)
    vid, _ = _open_vote(app, cid, "加装电梯意见表决")

    from core.extensions import db
    from votes.models import Vote

    with app.app_context():
        vote = db.session.get(Vote, vid)
        groups = vote.roll_heads
        t0 = time.perf_counter()
        data = _as_admin(app, lambda: services.ballots_document(
            db.session.get(Vote, vid), "https://tongxin.example.cn/votes/1/ballot"))
        t1 = time.perf_counter()
        pdf = render_ballots(data)
        t2 = time.perf_counter()
    rows.append({"what": f"paper ballots PDF, {groups} voter groups ({len(data.sheets)} ballots,"
                 f" {len(pdf) // 1024} KiB)", "data": f"{(t1 - t0):.2f} s",
                 "render": f"{(t2 - t1):.2f} s", "total": f"{(t2 - t0):.2f} s",
                 "target": "< 20 s"})


def main() -> None:
    parts = os.environ.get("BENCH_VOTES_PARTS", "1,2,3").split(",")
    rows: list[dict] = []
    pg = _pg_base()
    engines = [("SQLite", "sqlite:///" + os.path.join(tempfile.mkdtemp(), "votes.sqlite3"))]
    if pg:
        engines.append(("PostgreSQL", fresh_pg_database(pg, "tongxin_bench_votes")))
    if "1" in parts:
        print("1. tally over the frozen roll", flush=True)
        for name, url in engines:
            bench_tally(name, url, rows)
        print(table(rows, ["engine", "what", "median", "max", "target"]), flush=True)

    if "2" not in parts:
        pass
    elif pg:
        print("\n2. casting ballots through gunicorn on PostgreSQL", flush=True)
        cast_rows: list[dict] = []
        bench_casting(fresh_pg_database(pg, "tongxin_bench_votes_cast"), cast_rows)
        print(table(cast_rows, ["what", "rate", "p50", "p99", "codes", "target"]), flush=True)
    else:
        print("\n2. casting ballots: skipped (set BENCH_DATABASE_URL for PostgreSQL)")

    if "3" not in parts:
        return
    print("\n3. paper ballots", flush=True)
    pdf_rows: list[dict] = []
    bench_pdf("sqlite:///" + os.path.join(tempfile.mkdtemp(), "pdf.sqlite3"), pdf_rows)
    print(table(pdf_rows, ["what", "data", "render", "total", "target"]), flush=True)


if __name__ == "__main__":
    main()
