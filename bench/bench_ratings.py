"""Ratings at district scale: scoring 500 companies over 3,000 compounds (target < 1 s) and
the printable report of 500 companies (target < 5 s), on SQLite and PostgreSQL.

The district: 3,000 compounds of 20–120 units (about 210,000 households), 500 companies
(one in ten compounds changed company during the quarter), 20 survey responses per compound
(60,000), an inspection and a complaint count per compound, 1,000 credit records, and the
previous three quarters published (so the fall-by-10 check and the trend charts have data).

Timed through the services the pages, the API and the CLI call:

- ``compute`` — the live draft: every compound's and company's score and list (cold session);
- ``publish`` — compute + store the frozen version (500 results) + audit entry;
- ``report`` — ``report_data`` (trend over four periods) + rendering the PDF.

Run: ``python -m bench.bench_ratings`` (PostgreSQL too when BENCH_DATABASE_URL or
TEST_DATABASE_URL is set; database ``tongxin_bench_ratings``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal

from sqlalchemy import insert

from bench.common import fresh_pg_database, make_app, table

COMPANIES = 500
COMPOUNDS = 3_000
RESPONSES = 20
TARGET_SCORE_S = 1.0
TARGET_REPORT_S = 5.0


def engines() -> list[tuple[str, str]]:
    out = [("SQLite", "sqlite:///" + os.path.join(tempfile.mkdtemp(), "ratings.sqlite3"))]
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        out.append(("PostgreSQL", fresh_pg_database(pg, "tongxin_bench_ratings")))
    return out


def _uscc(n: int) -> str:
    from property.companies.rules import uscc_check_char

    body = f"91310107MA1{n:06d}"
    return body + uscc_check_char(body)


def seed(app, companies: int, compounds: int, responses: int, period) -> int:
    """Write the district in bulk; returns the district id."""
    from compounds.models import Building, Compound, District, Entrance, Street, Unit
    from core.extensions import db
    from property.models import (
        Company,
        ComplaintCount,
        CreditRecord,
        Inspection,
        ServiceContract,
        SurveyResponse,
    )
    from property.ratings import rules

    rng = random.Random(20260930)
    with app.app_context():
        s = db.session
        district = District(name="基准区")
        s.add(district)
        s.flush()
        streets = [Street(district_id=district.id, name=f"街道{i}") for i in range(10)]
        s.add_all(streets)
        s.flush()
        ids = lambda model, rows: list(s.execute(  # noqa: E731
            insert(model).returning(model.id, sort_by_parameter_order=True), rows).scalars())
        compound_ids = ids(Compound, [{"street_id": streets[i % 10].id, "name": f"小区{i:04d}",
                                       "address": "", "notice_days": 15}
                                      for i in range(compounds)])
        building_ids = ids(Building, [{"compound_id": c, "number": "1", "sort_key": "000001",
                                       "floors": 30, "phase": "", "has_elevator": True}
                                      for c in compound_ids])
        entrance_ids = ids(Entrance, [{"building_id": b, "number": "1", "sort_key": "000001"}
                                      for b in building_ids])
        sizes = [rng.randint(20, 120) for _ in compound_ids]
        unit_rows, first_unit = [], {}
        for c, b, e, n in zip(compound_ids, building_ids, entrance_ids, sizes, strict=True):
            for k in range(n):
                unit_rows.append({"compound_id": c, "building_id": b, "entrance_id": e,
                                  "number": str(100 + k), "sort_key": f"{100 + k:06d}",
                                  "floor": 1 + k % 30, "area": Decimal("88.00"),
                                  "area_source": "registered", "developer_held": False,
                                  "label": f"1-1-{100 + k}"})
        unit_ids = []
        for i in range(0, len(unit_rows), 20_000):
            unit_ids += ids(Unit, unit_rows[i:i + 20_000])
        pos = 0
        for c, n in zip(compound_ids, sizes, strict=True):
            first_unit[c] = unit_ids[pos:pos + n]
            pos += n
        company_ids = ids(Company, [{"district_id": district.id, "name": f"基准物业{i:03d}",
                                     "uscc": _uscc(i), "address": "", "contact_name": "",
                                     "contact_phone": ""} for i in range(companies)])
        contracts = []
        switch = period.start + dt.timedelta(days=40)
        for i, c in enumerate(compound_ids):
            company = company_ids[i % companies]
            if i % 10 == 0:  # changed company during the quarter
                contracts.append({"company_id": company_ids[(i + 7) % companies],
                                  "compound_id": c, "starts_on": dt.date(2018, 1, 1),
                                  "ends_on": switch - dt.timedelta(days=1), "fee_fen": 180,
                                  "note": ""})
                contracts.append({"company_id": company, "compound_id": c,
                                  "starts_on": switch, "ends_on": None, "fee_fen": 210,
                                  "note": ""})
            else:
                contracts.append({"company_id": company, "compound_id": c,
                                  "starts_on": dt.date(2019, 1, 1), "ends_on": None,
                                  "fee_fen": 200, "note": ""})
        s.execute(insert(ServiceContract), contracts)
        codes = [period.code]
        p = period
        for _ in range(3):
            p = rules.previous_period(p)
            codes.append(p.code)
        # a company's standard shows in all its compounds (give or take), quarter to quarter
        standard = [rng.randint(0, 2600) for _ in range(companies)]
        quality = {c: max(0, standard[i % companies] + rng.randint(-300, 300))
                   for i, c in enumerate(compound_ids)}
        survey = []
        for c in compound_ids:
            for unit in first_unit[c][:responses]:
                a = [min(5, max(1, 5 - quality[c] // 700 - rng.randint(0, 1)))
                     for _ in range(5)]
                survey.append({"period": period.code, "compound_id": c, "unit_id": unit,
                               "cleaning": a[0], "security": a[1], "greening": a[2],
                               "repairs": a[3], "attitude": a[4], "answered": 5,
                               "total": sum(a), "channel": "online", "serial": "",
                               "entered_by": "bench"})
        for i in range(0, len(survey), 20_000):
            s.execute(insert(SurveyResponse), survey[i:i + 20_000])
        for code in codes:
            s.execute(insert(Inspection), [
                {"period": code, "compound_id": c, "inspected_on": dt.date(2026, 8, 1),
                 "inspector": "bench", "deductions": [],
                 "deducted_c": max(0, quality[c] + rng.randint(-300, 300)), "note": ""}
                for c in compound_ids])
        s.execute(insert(ComplaintCount), [
            {"period": period.code, "compound_id": c, "valid": rng.randint(0, 6),
             "source": "manual", "note": ""} for c in compound_ids])
        records = []
        for i in range(1_000):
            points = rng.choice((1, 2, 2, 3, 3, 5, -2, -5, -10))
            kind = "good" if points > 0 else "bad"
            veto = i % 97 == 0
            records.append({"company_id": company_ids[rng.randrange(companies)],
                            "district_id": district.id, "compound_id": None, "staff_id": None,
                            "kind": "veto" if veto else kind,
                            "veto_reason": "safety_accident" if veto else None,
                            "points": -abs(points) if veto else points,
                            "occurred_on": period.start + dt.timedelta(days=i % 90),
                            "period": period.code, "evidence": "基准记录", "status": "active",
                            "recorded_by": "bench"})
        s.execute(insert(CreditRecord), records)
        s.commit()
        # the previous three quarters, published (oldest first)
        from property.ratings.publication import store_version
        for code in reversed(codes[1:]):
            store_version(district, code, by="bench")
        s.commit()
        return district.id


def _run_engine(name: str, url: str, companies: int, compounds: int,
                responses: int) -> list[dict]:
    from flask_login import login_user

    from compounds.models import District
    from core.auth import hash_password
    from core.extensions import db
    from core.models import Role, RoleGrant, User
    from property.ratings import publication, rules, scoring
    from property.ratings import report as rating_report
    from reports.rating_report import RatingReport

    period = rules.period_parse("2026Q3")
    app = make_app(url)
    t0 = time.perf_counter()
    district_id = seed(app, companies, compounds, responses, period)
    seeded = time.perf_counter() - t0
    with app.app_context():
        user = User(username="bench-district", password_hash=hash_password("bench-pass"))
        db.session.add(user)
        db.session.flush()
        db.session.add(RoleGrant(user_id=user.id, role=Role.district_admin.value,
                                 scope_id=district_id))
        db.session.commit()
        user_id = user.id
    rows = []

    def step(what: str, fn, target: float, repeat: int = 3) -> None:
        samples, cpu, outcome = [], [], ""
        for _ in range(repeat):
            with app.test_request_context():
                login_user(db.session.get(User, user_id))
                district = db.session.get(District, district_id)
                db.session.expire_all()
                t, c = time.perf_counter(), time.process_time()
                outcome = fn(district)
                samples.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                db.session.remove()
        best, worst = min(samples), max(samples)
        rows.append({"engine": name, "step": what, "best s": f"{best:.3f}",
                     "worst s": f"{worst:.3f}", "app cpu s": f"{min(cpu):.3f}",
                     "result": outcome,
                     "target": ("ok" if worst < target else f"SLOW (>{target:g} s)")
                     + f" (< {target:g} s)"})

    def compute(district):
        result = scoring.compute(district, period.code)
        lists = {k: len(result.listed(k)) for k in ("red", "warning", "black")}
        return (f"{len(result.outcomes)} companies, {result.compounds_rated:,} compounds, "
                f"{result.households:,} households; red {lists['red']}, "
                f"warning {lists['warning']}, black {lists['black']}")

    published = {}

    def publish(district):
        row = publication.publish(district, period.code)
        published["id"] = row.id
        return f"version {row.version}, {len(row.results)} results"

    def report(district):
        data = rating_report.report_data(district, period.code)
        pdf = RatingReport(data).render()
        return f"{len(data.companies)} company pages, {len(pdf) / 1e6:.1f} MB"

    step("compute (draft, cold session)", compute, TARGET_SCORE_S)
    step("publish (compute + store + audit)", publish, TARGET_SCORE_S, repeat=1)
    step("report PDF (data + render)", report, TARGET_REPORT_S)
    with app.app_context():
        db.engine.dispose()
    rows.insert(0, {"engine": name, "step": "seed the district (not timed)", "best s":
                    f"{seeded:.1f}", "worst s": "", "app cpu s": "", "result":
                    f"{compounds:,} compounds, {companies} companies, "
                    f"{compounds * responses:,} responses", "target": ""})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ratings",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=COMPANIES)
    parser.add_argument("--compounds", type=int, default=COMPOUNDS)
    parser.add_argument("--responses", type=int, default=RESPONSES,
                        help="survey responses per compound")
    args = parser.parse_args(argv if argv is not None else [])
    results = []
    for name, url in engines():
        results += _run_engine(name, url, args.companies, args.compounds, args.responses)
    print(f"Ratings: {args.companies} companies over {args.compounds:,} compounds "
          f"(targets: scoring < {TARGET_SCORE_S:g} s, report < {TARGET_REPORT_S:g} s)")
    print(table(results, ["engine", "step", "best s", "worst s", "app cpu s", "result",
                          "target"]))
    print("app cpu s: CPU time of this process (the database server's work is not in it);"
          " on a busy machine the wall-clock figures include waiting for a CPU.")


if __name__ == "__main__":
    main(sys.argv[1:])
