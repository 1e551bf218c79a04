"""Repair-fund figures (`make bench` or `python -m bench bench_fund`), on SQLite and, when
reachable, PostgreSQL:

- apportioning a repair over 20,000 units: preview (shares computed) and posting (one
  transaction: 20,000 entries, sub-ledgers, fund, 20,000 audit entries) — target < 2 s;
- the annual statement of a 5,000-unit compound after a busy year (first deposits, twelve
  interest spreads, three projects, top-ups: ~75,000 entries): data + PDF — target < 10 s.

PostgreSQL URL: BENCH_DATABASE_URL, else the local database `tongxin_bench_fund`
(`createdb -h 127.0.0.1 -U postgres tongxin_bench_fund`); its schema is dropped and recreated,
so never point it at a database that holds anything.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import time
from decimal import Decimal

import sqlalchemy as sa
from pypdf import PdfReader

TARGET_APPORTION_S = 2.0
TARGET_STATEMENT_S = 10.0
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/tongxin_bench_fund"


def _app(url: str):
    from app import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False})


def _reset(db, url: str) -> None:
    if url.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


def _compound(name: str, buildings: int, entrances: int, per_entrance: int, rate_fen: int):
    """A compound of buildings × entrances × per_entrance units, written in bulk."""
    from compounds.models import Building, Compound, District, Entrance, Street, Unit, natural_key
    from core.extensions import db

    district = db.session.scalar(sa.select(District)) or District(name="普陀区")
    db.session.add(district)
    db.session.flush()
    street = Street(district_id=district.id, name=f"{name}街道")
    db.session.add(street)
    db.session.flush()
    compound = Compound(street_id=street.id, name=name, fund_rate_fen=rate_fen)
    db.session.add(compound)
    db.session.flush()
    rows = []
    for b in range(1, buildings + 1):
        building = Building(compound_id=compound.id, number=str(b), sort_key=natural_key(str(b)),
                            floors=33)
        db.session.add(building)
        db.session.flush()
        for e in range(1, entrances + 1):
            entrance = Entrance(building_id=building.id, number=str(e),
                                sort_key=natural_key(str(e)))
            db.session.add(entrance)
            db.session.flush()
            for n in range(per_entrance):
                floor, pos = divmod(n, 4)
                number = f"{floor + 1}{pos + 1:02d}"
                area = Decimal(6000 + (b * 7919 + e * 104729 + n * 7717) % 9000) / 100
                rows.append({"compound_id": compound.id, "building_id": building.id,
                             "entrance_id": entrance.id, "number": number,
                             "sort_key": natural_key(number), "floor": floor + 1,
                             "area": area, "area_source": "registered",
                             "developer_held": (b * 31 + e * 17 + n) % 97 == 0,
                             "label": f"{b}-{e}-{number}"})
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(Unit), rows[start:start + 5000])
    db.session.commit()
    return compound


def _as_admin(app):
    from flask_login import login_user

    from core.auth import hash_password
    from core.extensions import db
    from core.models import User

    user = User(username="bench", display_name="bench", password_hash=hash_password("x" * 8),
                is_admin=True)
    db.session.add(user)
    db.session.commit()
    ctx = app.test_request_context("/")
    ctx.push()
    login_user(user)
    return ctx


def _deposits(compound, at=None) -> None:
    """Every owner-held unit pays its first deposit (a few only part), one posting."""
    from compounds.models import Unit
    from core.extensions import db
    from owners_committee.fund import journal, rules
    from owners_committee.fund.models import PostingKind
    from owners_committee.fund.rules import EntryKind

    units = db.session.execute(
        sa.select(Unit.id, Unit.area).where(Unit.compound_id == compound.id)).all()
    amounts = {}
    for uid, area in units:
        due = rules.initial_due(compound.fund_rate_fen, area)
        amounts[uid] = due if uid % 11 else due // 3

    def lines(states):
        return [journal.Line(u, EntryKind.INITIAL, a, a, 0, a) for u, a in amounts.items()]

    posted = journal.post(compound.id, PostingKind.initial, sorted(amounts), lines, at=at)
    journal.audit_posting(posted, "fund.post", {}, compound_id=compound.id)
    db.session.commit()


def bench_apportion(app, url: str) -> dict:
    from core.extensions import db
    from owners_committee.fund import projects, verify

    _reset(db, url)
    ctx = _as_admin(app)
    try:
        compound = _compound("两万户小区", buildings=50, entrances=4, per_entrance=100,
                             rate_fen=12000)
        _deposits(compound)
        runs = []
        for n in range(3):  # three projects in a row; the best and the median are reported
            fields = {"title": f"全小区消防系统改造（第{n + 1}期）", "cost": "3456789.01",
                      "scope": [], "emergency": True, "emergency_kind": "fire_safety",
                      "reason": "消防泵房设备失效"}
            t0 = time.perf_counter()
            plan = projects.plan_project(compound, **fields)
            t1 = time.perf_counter()
            project = projects.create_project(compound, expect_digest=plan.digest, **fields)
            t2 = time.perf_counter()
            assert project.units == 20_000
            assert sum(s.amount_fen for s in projects.project_shares(project)) == 345_678_901
            runs.append((t2 - t0, t1 - t0, t2 - t1))
        runs.sort()
        t3 = time.perf_counter()
        report = verify.verify(compound.id, check_audit=False)
        t4 = time.perf_counter()
        assert report.ok, report.problems[:3]
        best, median = runs[0], runs[1]
        return {"units": project.units, "preview_s": best[1], "post_s": best[2],
                "total_s": best[0], "median_s": median[0], "verify_s": t4 - t3}
    finally:
        db.session.remove()
        ctx.pop()


def bench_statement(app, url: str) -> dict:
    from compounds.services import find_unit
    from core.extensions import db
    from owners_committee.fund import accounts, journal, projects, services, statements
    from owners_committee.fund.models import FundAccount, FundEntry
    from owners_committee.fund.rules import EntryKind, SpreadBasis
    from reports.fund_annual_statement import FundAnnualStatement

    _reset(db, url)
    ctx = _as_admin(app)
    try:
        compound = _compound("五千户小区", buildings=25, entrances=2, per_entrance=100,
                             rate_fen=9000)
        year = accounts.this_year() - 1  # a whole year, all of it in the past
        start = dt.datetime(year, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=1)
        _deposits(compound, at=start - dt.timedelta(days=40))
        repairs = {3: ("全小区外墙修缮", "", "2500000.00"), 6: ("3号楼屋面防水", "3", "86000.00"),
                   9: ("7号楼2单元电梯更新", "7-2", "420000.00")}
        for month in range(12):
            at = start + dt.timedelta(days=30 * month + 20)
            if month in repairs:
                title, scope, cost = repairs[month]
                plan = projects.plan_project(compound, title=title, cost=cost,
                                             scope=projects.parse_scope_text(scope),
                                             emergency=True, emergency_kind="other",
                                             reason="危及安全")
                projects.post_project(compound, plan, at=at - dt.timedelta(days=3))
                db.session.commit()
            balance = db.session.scalar(sa.select(FundAccount.balance_fen))
            posted = services.post_spread(compound.id, EntryKind.INTEREST,
                                          balance * 135 // 120000,
                                          SpreadBasis.BALANCE, "银行结息", at=at)
            journal.audit_posting(posted, "fund.spread", {}, compound_id=compound.id)
            db.session.commit()
        for label in ("7-2-101", "7-2-102", "7-2-201", "3-1-101"):
            unit = find_unit(compound, label)
            posted = services.post_to_unit(compound.id, unit.id, EntryKind.TOP_UP, 500_000,
                                           "补缴",
                                           at=start + dt.timedelta(days=340))
            journal.audit_posting(posted, "fund.post", {}, compound_id=compound.id)
            db.session.commit()
        entries = db.session.scalar(sa.select(sa.func.count(FundEntry.id)))
        t0 = time.perf_counter()
        data = statements.annual_statement(compound, year)
        t1 = time.perf_counter()
        pdf = FundAnnualStatement(data).render()
        t2 = time.perf_counter()
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        return {"units": len(data.ledger), "entries": entries, "data_s": t1 - t0,
                "pdf_s": t2 - t1, "total_s": t2 - t0, "pages": pages, "bytes": len(pdf)}
    finally:
        db.session.remove()
        ctx.pop()


def _pg_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or PG_DEFAULT
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return url
    except Exception:  # no PostgreSQL here: the SQLite figures alone
        return None
    finally:
        engine.dispose()


def main() -> None:
    engines = [("SQLite", "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3"))]
    pg = _pg_url()
    if pg:
        engines.append(("PostgreSQL", pg))
    else:
        print("PostgreSQL not reachable: SQLite only (set BENCH_DATABASE_URL)")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(figures on a busy machine are slower)")
    for name, url in engines:
        app = _app(url)
        with app.app_context():
            a = bench_apportion(app, url)
            s = bench_statement(app, url)
        ok_a = "OK" if a["total_s"] < TARGET_APPORTION_S else "SLOW"
        ok_s = "OK" if s["total_s"] < TARGET_STATEMENT_S else "SLOW"
        print(f"{name}: apportion a project over {a['units']:,} units: "
              f"preview {a['preview_s']:.2f} s + post {a['post_s']:.2f} s = "
              f"{a['total_s']:.2f} s best of 3, median {a['median_s']:.2f} s "
              f"(target < {TARGET_APPORTION_S:.0f} s) {ok_a}; "
              f"fund verify {a['verify_s']:.2f} s", flush=True)
        print(f"{name}: annual statement of a {s['units']:,}-unit compound "
              f"({s['entries']:,} entries): data {s['data_s']:.2f} s + PDF {s['pdf_s']:.2f} s "
              f"= {s['total_s']:.2f} s, {s['pages']} pages, {s['bytes'] // 1024} KiB "
              f"(target < {TARGET_STATEMENT_S:.0f} s) {ok_s}", flush=True)


if __name__ == "__main__":
    main()
