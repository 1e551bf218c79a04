"""Ledger import at 20,000 units (target: well under 15 s), on SQLite and PostgreSQL.

Generates a realistic ledger (CSV: co-owners, buyers of several units, developer-held
stores, a basement floor), then times through the same service the web page and the API
call (`compounds.registry.ledger.import_ledger`), with its audit entries:

- the first import (every unit, building, entrance and person created),
- re-importing the same file (nothing changes),
- re-importing with every unit changed (area corrected, some holders replaced),
- exporting the ledger to XLSX and importing that XLSX back (the round trip).

Run: `python -m bench.bench_import [--units N]` (PostgreSQL too when BENCH_DATABASE_URL or
TEST_DATABASE_URL is set; the bench uses its own database `tongxin_bench`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import time
from decimal import Decimal

from bench.common import engines, make_app, table

UNITS = 20_000
TARGET_S = 15.0


def _id_number(k: int) -> str:
    from core.idnumber import check_char

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=k // 1000)
    first17 = f"310107{birth:%Y%m%d}{k % 1000:03d}"
    return first17 + check_char(first17)


def ledger_rows(units: int = UNITS, *, changed: bool = False) -> list[list]:
    """`units` ledger rows: 2 entrances per building, 25 floors, 4 units a floor; about a
    quarter co-owned, one in 40 bought by the previous unit's buyer, one in 25 developer-held,
    and a basement store per entrance. `changed` corrects every area by +0.01 m² and sells
    every tenth unit to a new owner."""
    rows, person = [], 0
    per_entrance = 25 * 4
    i = 0
    while len(rows) < units:
        b, e = i // (2 * per_entrance) + 1, i // per_entrance % 2 + 1
        k = i % per_entrance
        floor, n = k // 4 + 1, f"{k // 4 + 1}{k % 4 + 1:02d}"
        if k == 0:  # the entrance's basement store, developer-held
            floor, n = -1, "B01"
        area = Decimal("78.00") + Decimal(i % 37) + Decimal(i % 7) / 4
        if changed:
            area += Decimal("0.01")
        if k == 0 or i % 25 == 3:
            names, ids, dev = [], [], 1
        elif i % 40 == 7 and rows and rows[-1][7]:  # same buyer as the unit before
            names, ids, dev = rows[-1][7].split(";"), rows[-1][8].split(";"), 0
        else:
            co = 2 if i % 4 == 1 else 1
            names = [f"业主{person + j}" for j in range(co)]
            ids = [_id_number(person + j) for j in range(co)]
            person += co
            dev = 0
        if changed and i % 10 == 5 and names:
            names, ids = [f"新业主{i}"], [_id_number(500_000 + i)]
        rows.append([str(b), str(e), n, floor, f"{area:.2f}", "登记" if i % 9 else "实测",
                     dev, ";".join(names), ";".join(ids)])
        i += 1
    return rows


def ledger_csv(rows: list[list]) -> bytes:
    from compounds.registry.ledger import COLUMNS

    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([c.zh for c in COLUMNS])
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _setup(app) -> tuple[int, int]:
    from compounds.models import Compound, District, Street
    from core.auth import hash_password
    from core.extensions import db
    from core.models import User

    with app.app_context():
        d = District(name="静安区")
        db.session.add(d)
        db.session.flush()
        s = Street(district_id=d.id, name="彭浦新村街道")
        db.session.add(s)
        db.session.flush()
        c = Compound(street_id=s.id, name="台账基准小区")
        admin = User(username="bench-admin", password_hash=hash_password("bench-pass"),
                     is_admin=True)
        db.session.add_all([c, admin])
        db.session.commit()
        return c.id, admin.id


def _run_engine(name: str, url: str, units: int) -> list[dict]:
    from flask_login import login_user
    from sqlalchemy import func, select

    from compounds.models import Compound, Unit
    from compounds.registry import ledger
    from core.audit import verify
    from core.extensions import db
    from core.models import User

    app = make_app(url)
    cid, admin_id = _setup(app)
    first = ledger_csv(ledger_rows(units))
    changed = ledger_csv(ledger_rows(units, changed=True))
    rows = []

    def step(what: str, fn) -> None:
        with app.test_request_context():
            login_user(db.session.get(User, admin_id))
            compound = db.session.get(Compound, cid)
            t0 = time.perf_counter()
            outcome = fn(compound)
            seconds = time.perf_counter() - t0
            db.session.remove()
        rows.append({"engine": name, "step": what, "units": f"{units:,}",
                     "seconds": f"{seconds:.2f}", "units/s": f"{units / seconds:,.0f}",
                     "result": outcome,
                     "target": "ok" if seconds < TARGET_S else f"SLOW (>{TARGET_S:.0f} s)"})

    def imported(content: bytes, filename: str):
        def run(compound):
            r = ledger.import_ledger(compound, filename, content)
            return f"created {r.created:,}, updated {r.updated:,}, unchanged {r.unchanged:,}"
        return run

    exported: dict[str, bytes] = {}

    def export(compound):
        out = ledger.export_ledger(compound, "bench")
        exported["xlsx"] = out.content
        return f"{out.rows:,} rows, {len(out.content) / 1e6:.1f} MB"

    step(f"import CSV ({len(first) / 1e6:.1f} MB), all new", imported(first, "bench.csv"))
    step("re-import the same CSV", imported(first, "bench.csv"))
    step("re-import CSV, every unit changed", imported(changed, "changed.csv"))
    step("export XLSX (with reason)", export)
    step("import the exported XLSX", lambda c: imported(exported["xlsx"], "export.xlsx")(c))

    with app.app_context():
        count = db.session.scalar(select(func.count(Unit.id)).where(Unit.compound_id == cid))
        chain = verify()
        assert count == units, count
        assert chain.ok, chain
        db.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_import",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=int(os.environ.get("BENCH_UNITS", UNITS)))
    args = parser.parse_args(argv if argv is not None else [])
    results = []
    for name, url in engines():
        results += _run_engine(name, url, args.units)
    print(f"Ledger import: {args.units:,} units, one transaction each, audit entries "
          f"included (target < {TARGET_S:.0f} s)")
    print(table(results, ["engine", "step", "units", "seconds", "units/s", "result",
                          "target"]))


if __name__ == "__main__":
    main(sys.argv[1:])
