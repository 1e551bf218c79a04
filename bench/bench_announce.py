"""Announcing a vote to a 20,000-unit compound: the announcement and its messages — one
in-app row and one SMS row per owner (co-owners each), about 27,000 owners — written in the
announcement's transaction (target: under 5 s on both engines).

Run: `python -m bench.bench_announce` (PostgreSQL too when BENCH_DATABASE_URL or
TEST_DATABASE_URL is set; it uses its own database, tongxin_bench_announce).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time

from bench.bench_votes import _admin, _as_admin, _load_compound
from bench.common import fresh_pg_database, make_app, table

UNITS = 20_000
#: owners with an account (the rest are reached by SMS only)
ACCOUNTS = 8_000
TARGET_S = 5.0


def _accounts(app, cid: int, n: int) -> None:
    """Owner accounts for the first `n` owners of the compound, bulk-inserted."""
    from sqlalchemy import insert, select

    from compounds.models import Holding, Person, Unit
    from core.extensions import db
    from core.models import User

    with app.app_context():
        pids = db.session.scalars(
            select(Person.id).join(Holding, Holding.person_id == Person.id)
            .join(Unit, Unit.id == Holding.unit_id).where(Unit.compound_id == cid)
            .distinct().order_by(Person.id).limit(n)).all()
        db.session.execute(insert(User), [
            {"username": f"owner{p}", "display_name": "", "password_hash": "x",
             "person_id": p, "phone": "", "is_admin": False, "active": True}
            for p in pids])
        db.session.commit()


def _announce(app, cid: int) -> tuple[float, int, int]:
    """(seconds to announce, people told, messages written)."""
    from sqlalchemy import func, select

    from compounds.models import Compound
    from core.extensions import db
    from core.messaging.models import Message
    from votes import services

    def go():
        compound = db.session.get(Compound, cid)
        closes = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
        vote = services.create_vote(compound, title="全体业主续筹维修资金表决",
                                    matter="raise_fund", closes_at=closes)
        t0 = time.perf_counter()
        services.announce(vote)
        elapsed = time.perf_counter() - t0
        messages = db.session.scalar(select(func.count()).select_from(Message).where(
            Message.subject_type == "vote", Message.subject_id == vote.id))
        people = db.session.scalar(select(func.count(func.distinct(Message.person_id))).where(
            Message.subject_type == "vote", Message.subject_id == vote.id))
        return elapsed, people, messages

    return _as_admin(app, go)


def run(name: str, url: str) -> dict:
    app = make_app(url)
    _admin(app)
    cid = _load_compound(app, "长风一村", UNITS, rng=random.Random(12))
    _accounts(app, cid, ACCOUNTS)
    elapsed, people, messages = _announce(app, cid)
    return {"engine": name, "units": UNITS, "owners told": people, "messages": messages,
            "announce (s)": f"{elapsed:.2f}",
            "target": f"< {TARGET_S:.0f} s " + ("ok" if elapsed < TARGET_S else "MISSED")}


def main() -> None:
    runs = [("SQLite", "sqlite:///" + os.path.join(tempfile.mkdtemp(), "announce.sqlite3"))]
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        runs.append(("PostgreSQL", fresh_pg_database(pg, "tongxin_bench_announce")))
    else:
        print("PostgreSQL: skipped (set BENCH_DATABASE_URL)")
    rows = [run(name, url) for name, url in runs]
    print(table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
