"""Shared bench plumbing: a fresh database per engine, an app, timing helpers."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

import sqlalchemy as sa


def engines() -> list[tuple[str, str]]:
    """(name, url) pairs: SQLite always, PostgreSQL when a URL is configured."""
    out = [("SQLite", "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3"))]
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        out.append(("PostgreSQL", fresh_pg_database(pg, "tongxin_bench")))
    return out


def fresh_pg_database(url: str, name: str) -> str:
    base = sa.engine.make_url(url)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def make_app(url: str):
    from app import create_app
    from core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
    return app


def timed(fn: Callable, repeat: int = 5) -> dict:
    """Run fn `repeat` times; return median and max in milliseconds."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": statistics.median(samples), "max_ms": max(samples)}


def table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max(len(c), *(len(f"{r[c]}") for r in rows)) for c in columns}
    head = "  ".join(c.ljust(widths[c]) for c in columns)
    lines = ["  ".join(f"{r[c]}".ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join([head, "-" * len(head), *lines])
