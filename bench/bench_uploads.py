"""Hostile uploads of up to 10 MiB through the real import routes: time and extra memory.

Each case runs in a fresh subprocess: the app on a real server (Werkzeug, in a thread),
the file built beforehand and read from disk, a warm-up import (so that loading openpyxl
and the templates is not counted), then one upload with http.client. Printed per case:
the answer (status, error code), wall time of the request, peak RSS growth during it
(`resource.getrusage` high-water mark) and RSS still held afterwards. Target: every
answer within 5 s and under 100 MB of extra memory.

Cases: the ledger import (`POST /api/v1/compounds/<cid>/units/import`, multipart) with a
million-row XLSX (tiny repeated rows, and numbered rows that compress like a real sheet),
a 300 MB shared string, a million shared strings, a zip bomb with lying sizes and one with
honest sizes, a 10 MiB CSV of too many rows and a 10 MiB valid-ish CSV (50,000 good rows,
one bad: every row is checked, nothing written); the fund's opening balances page
(`/compounds/<cid>/fund/import`) with the million numbered rows and a 10 MiB CSV.

Run: `python -m bench.bench_uploads [--root DIR] [--case NAME]`; `--root` runs the cases
against another checkout (e.g. the code before this work) for comparison. PostgreSQL too
when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (database `tongxin_bench_uploads`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import fresh_pg_database, table

MiB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]
TARGET_S, TARGET_MB = 5.0, 100


def _id_number(k: int) -> str:
    """The k-th distinct valid ID number (as bench_import makes them)."""
    import datetime as dt

    from core.idnumber import check_char

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=k // 1000)
    first17 = f"310107{birth:%Y%m%d}{k % 1000:03d}"
    return first17 + check_char(first17)


def _valid_ish_csv() -> bytes:
    """50,000 well-formed units, five co-owners each (~10 MiB), the last row bad: every
    row is checked, against the database too, and nothing is written."""
    lines = ["楼号,单元,室号,楼层,建筑面积,面积来源,开发商持有,业主姓名,身份证号"]
    for n in range(50_000):
        b, e, u = n // 1000 + 1, n // 100 % 10 + 1, n % 100 + 101
        names = ";".join(f"业主{n}号{k}" for k in range(5))
        ids = ";".join(_id_number(5 * n + k) for k in range(5))
        floor = "x" if n == 49_999 else str(n % 30 + 1)
        lines.append(f"{b},{e},{u},{floor},89.50,登记,0,{names},{ids}")
    return ("\r\n".join(lines) + "\r\n").encode()


def _fund_csv() -> bytes:
    return "房屋,余额\n".encode() + b"7-1-101,1.00\n" * ((10 * MiB - 1024) // 13)


def cases() -> dict[str, tuple[str, str, callable]]:
    """name → (route, filename, builder)."""
    from tests.core import hostile_files as h

    fund_header = ("房屋", "余额")
    return {
        "million-row xlsx (repeated row)": ("ledger", "l.xlsx", h.million_rows),
        "million-row xlsx (numbered)": ("ledger", "l.xlsx", lambda: h.numbered_rows(1_000_000)),
        "300 MB shared string": ("ledger", "l.xlsx", h.shared_string_bomb),
        "1,000,000 shared strings": ("ledger", "l.xlsx", h.shared_string_count_bomb),
        "zip bomb, lying sizes (1 GiB)": ("ledger", "l.xlsx", h.lying_zip_bomb),
        "zip bomb, honest sizes (1 GiB)": ("ledger", "l.xlsx", lambda: h.workbook(
            h.sheet(h.repeated(b" " * 1024, 1024 * 1024, per=1024)), level=9)),
        "10 MiB CSV, too many rows": ("ledger", "l.csv",
                                      lambda: h.csv_ledger_rows(10 * MiB - 4096)),
        "10 MiB valid-ish CSV (50,000 rows)": ("ledger", "l.csv", _valid_ish_csv),
        "fund: million-row xlsx": ("fund", "f.xlsx", lambda: h.workbook(h.sheet(
            (f'<row><c t="inlineStr"><is><t>7-1-{n}</t></is></c><c><v>1</v></c></row>'
             .encode() for n in range(1_000_000)), header=fund_header))),
        "fund: 10 MiB CSV, too many rows": ("fund", "f.csv", _fund_csv),
    }


# -- the child: one upload in a fresh process ----------------------------------------------------

def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(route: str, path: str, filename: str, url: str) -> dict:
    import http.client
    import threading
    import time

    from werkzeug.serving import make_server

    from app import create_app
    from core.extensions import db
    from core.models import Role
    from tests.factories import Factory

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        make = Factory()
        c = make.compound("同心苑")
        make.unit(make.building(c, "7"), "101", developer=True)
        role = Role.rc_secretary if route == "ledger" else Role.oc_member
        make.user("u", role, c)
        cid = c.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def post(target: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=600)
        conn.request("POST", target, body, headers)
        resp = conn.getresponse()
        answer = resp.read(), resp.getheader("Set-Cookie")
        conn.close()
        return resp.status, *answer

    _, _, cookie = post("/login", b"username=u&password=password",
                        {"Content-Type": "application/x-www-form-urlencoded"})
    _, raw, _ = post("/api/v1/auth/token", b'{"username": "u", "password": "password"}',
                     {"Content-Type": "application/json"})
    auth = {"Authorization": "Bearer " + json.loads(raw)["token"],
            "Cookie": cookie.split(";")[0]}
    target = (f"/api/v1/compounds/{cid}/units/import" if route == "ledger"
              else f"/compounds/{cid}/fund/import")

    def upload(name: str, content: bytes) -> tuple[int, bytes]:
        b = "----bench"
        body = (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode() + content + \
            f"\r\n--{b}--\r\n".encode()
        status, answer, _ = post(target, body, {
            **auth, "Content-Type": f"multipart/form-data; boundary={b}"})
        return status, answer

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["x"])
    import io
    warm = io.BytesIO()
    wb.save(warm)
    upload("warm.xlsx", warm.getvalue())  # openpyxl and the pages loaded, not counted
    upload("warm.csv", b"a\n1\n")

    content = Path(path).read_bytes()
    before_peak, before = _peak_mb(), _rss_mb()
    t0 = time.perf_counter()
    status, answer = upload(filename, content)
    seconds = time.perf_counter() - t0
    code = ""
    try:
        code = json.loads(answer)["error"]["code"]
    except (ValueError, KeyError, TypeError):  # a page: its error paragraph
        text = answer.decode("utf-8", "replace")
        found = re.search(r'id="import-errors">\s*<p><strong>[^<]*</strong>\s*([^<]{0,40})',
                          text)
        code = "page: " + (found.group(1).strip() if found else f"HTTP {status}")
    with app.app_context():
        from compounds.models import Unit
        from owners_committee.fund.models import FundEntry

        written = db.session.query(Unit).count() - 1 + db.session.query(FundEntry).count()
    server.shutdown()
    return {"status": status, "code": code, "seconds": seconds,
            "peak_mb": max(0.0, _peak_mb() - before_peak), "held_mb": _rss_mb() - before,
            "written": written}


# -- the parent -----------------------------------------------------------------------------------

def _engines() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [("SQLite", None)]
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        out.append(("PostgreSQL", fresh_pg_database(pg, "tongxin_bench_uploads")))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(ROOT), help="the checkout to run the app from")
    parser.add_argument("--case", action="append", help="only these cases (by name)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    rows = []
    for name, (route, filename, build) in cases().items():
        if args.case and name not in args.case:
            continue
        content = build()
        assert len(content) <= 10 * MiB, (name, len(content))
        path = tmp / f"{len(rows)}-{filename}"
        path.write_bytes(content)
        for engine, url in _engines():
            url = url or "sqlite:///" + str(tmp / f"{len(rows)}.sqlite3")
            out = subprocess.run(  # by path: --root's checkout may not have this file
                [sys.executable, __file__, "--root", args.root, "--child",
                 route, str(path), filename, url],
                cwd=args.root, env={**os.environ, "PYTHONPATH": f"{args.root}:{ROOT}"},
                capture_output=True, text=True, check=False)
            if out.returncode:
                print(out.stderr[-2000:], file=sys.stderr)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            ok = r["seconds"] < TARGET_S and r["peak_mb"] < TARGET_MB and not r["written"]
            rows.append({"case": name, "db": engine, "file": f"{len(content) / MiB:.2f} MiB",
                         "answer": f"{r['status']} {r['code']}",
                         "time": f"{r['seconds']:.2f} s", "peak +MB": f"{r['peak_mb']:.0f}",
                         "held +MB": f"{r['held_mb']:.0f}", "written": r["written"],
                         "ok": "yes" if ok else "NO"})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    print()
    print(table(rows, ["case", "db", "file", "answer", "time", "peak +MB", "held +MB",
                       "written", "ok"]))


if __name__ == "__main__":
    main()
