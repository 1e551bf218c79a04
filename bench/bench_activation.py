"""Activation letters for 5,000 owners (target: under 10 s): the codes made and stored, the
audit entry, and the PDF (2,500 A4 pages) — first printing, then a reprint of the same codes.

    python -m bench bench_activation
"""

from __future__ import annotations

import os
import random
import tempfile
import time

from bench.bench_votes import _admin, _as_admin, _load_compound
from bench.common import make_app, table

OWNERS = 5_000


def bench(url: str, rows: list[dict]) -> None:
    from compounds.accounts import services
    from compounds.accounts.web import letters_data
    from compounds.models import Compound
    from core.extensions import db
    from reports.activation_letters import render_letters

    app = make_app(url)
    _admin(app)
    # 5,000 single owners, and the developer's 300 units (which get no letter)
    cid = _load_compound(app, "五千户小区", OWNERS + 300, rng=random.Random(7), couples=0.0,
                         repeat=0.0)
    for label in ("first printing", "reprint (same codes)"):
        with app.app_context():
            t0 = time.perf_counter()
            issued = _as_admin(app, lambda: services.issue_letters(
                db.session.get(Compound, cid)))
            t1 = time.perf_counter()
            with app.test_request_context(base_url="https://tongxin.example.cn"):
                data = letters_data(db.session.get(Compound, cid), issued)
                pdf = render_letters(data)
            t2 = time.perf_counter()
        rows.append({"what": f"{label}: {len(issued)} letters, {len(pdf) // 2 ** 20} MiB",
                     "codes": f"{t1 - t0:.2f} s", "pdf": f"{t2 - t1:.2f} s",
                     "total": f"{t2 - t0:.2f} s", "target": "< 10 s"})


def main() -> None:
    rows: list[dict] = []
    bench("sqlite:///" + os.path.join(tempfile.mkdtemp(), "activation.sqlite3"), rows)
    print(table(rows, ["what", "codes", "pdf", "total", "target"]), flush=True)


if __name__ == "__main__":
    main()
