"""Test harness: one app per session on SQLite or PostgreSQL, emptied after each test.

SQLite always; PostgreSQL when TEST_DATABASE_URL is set (then an unreachable server is a
failure, never a skip). No mocked database: every test talks to a real engine.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

#: the outbox's queue in memory (set before the app imports it): nothing consumes it; the
#: tests call its tasks themselves
os.environ.setdefault("QUEUE_URL", "memory://")

from tests.factories import Factory

#: fixtures for the whole run: the browser's (live server, chromium: one playwright instance
#: for every browser test), the PDF tools, and the small worlds other packages' tests reuse
#: (the votes' estate and flow, the property world); a package's conftest may override them
pytest_plugins = ["tests.browser.harness", "tests.pdf_tools", "tests.votes.worlds",
                  "tests.property.worlds"]

TEST_DB = os.environ.get("TEST_DATABASE_URL", "")
IS_PG = TEST_DB.startswith("postgresql")
_tmpdir = tempfile.mkdtemp(prefix="tongxin-test-")
#: attached files of the tests' apps go to a temporary store, not instance/ (core.attachments)
os.environ.setdefault("ATTACHMENT_ROOT", os.path.join(_tmpdir, "attachments"))


def _db_url() -> str:
    if TEST_DB:
        return TEST_DB
    return "sqlite:///" + os.path.join(_tmpdir, "test.sqlite3")


def pytest_report_header(config):
    return f"tongxin database: {'PostgreSQL ' + TEST_DB if IS_PG else 'SQLite (' + _db_url() + ')'}"


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass run only tests that touch the database."""
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)")
    keep, drop = [], []
    for item in items:
        if "pg_only" in item.keywords and not IS_PG:
            item.add_marker(skip_pg)
        if os.environ.get("TONGXIN_DB_PASS") and "app" not in item.fixturenames:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _check_reachable(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as err:  # any failure to connect must stop the run loudly
        pytest.exit(f"PostgreSQL at {url} is unreachable: {err}", returncode=3)
    finally:
        engine.dispose()


def make_test_app(**overrides):
    from app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _db_url(),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def _app():
    if IS_PG:
        _check_reachable(TEST_DB)
    app = make_test_app()
    from core.extensions import db

    with app.app_context():
        _reset_schema(db)
    return app


def _reset_schema(db) -> None:
    if IS_PG:
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.create_all()


@contextmanager
def guards_lifted(conn, tables=None):
    """Run statements past the append-only triggers (audit chain, fund journal), as someone
    with the database's own rights would: on PostgreSQL replication role `replica` (a
    superuser's power), on SQLite the triggers dropped and then put back (anyone who can
    write the file). `tables`: only those tables' triggers (SQLite); all by default."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        yield
        conn.execute(sa.text("SET LOCAL session_replication_role = origin"))
        return
    q = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    if tables is not None:
        q += " AND tbl_name IN ({})".format(", ".join(f"'{t}'" for t in tables))
    triggers = conn.exec_driver_sql(q).all() if tables is None or tables else []
    for name, _ in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        conn.exec_driver_sql(sql)


def _empty_all(db) -> None:
    """Delete the rows of every non-empty table, children first, and restart the ids.

    One query finds the tables that hold rows (however they got there: ORM, bulk insert,
    COPY, another thread's server), so emptying costs little when a test wrote little.
    The append-only tables' triggers are lifted for it (on SQLite only when one of those
    tables holds rows), in the same transaction.
    """
    names = [t.name for t in db.metadata.sorted_tables]
    probe = " UNION ALL ".join(
        f"SELECT '{n}' AS t WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    with db.engine.begin() as conn:
        full = {row[0] for row in conn.execute(sa.text(probe))}
        with guards_lifted(conn, None if IS_PG else full):
            for n in reversed(names):
                if n in full:
                    conn.execute(sa.text(f'DELETE FROM "{n}"'))
        if IS_PG:
            conn.execute(sa.text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "JOIN pg_namespace ns ON ns.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND ns.nspname = 'public'"))


@pytest.fixture
def app(_app):
    from core.extensions import db

    with _app.app_context():
        yield _app
        db.session.remove()
        _empty_all(db)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    """Factories returning callables: make.compound(), make.user(...), make.units(...)."""
    return Factory()


@pytest.fixture
def login(client):
    """login(user) signs the test client in as that user (password 'password')."""

    def _login(user, password="password"):
        client.post("/logout")
        resp = client.post("/login", data={"username": user.username, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return client

    return _login


@pytest.fixture
def api(client):
    """api(user) → a small client sending Bearer-authenticated JSON to /api/v1."""

    class Api:
        def __init__(self, token=None):
            self.token = token

        def _h(self, headers=None):
            h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            h.update(headers or {})
            return h

        def get(self, path, **kw):
            return client.get("/api/v1" + path, headers=self._h(kw.pop("headers", None)), **kw)

        def post(self, path, json=None, **kw):
            return client.post("/api/v1" + path, json=json,
                               headers=self._h(kw.pop("headers", None)), **kw)

        def patch(self, path, json=None, **kw):
            return client.patch("/api/v1" + path, json=json,
                                headers=self._h(kw.pop("headers", None)), **kw)

        def delete(self, path, **kw):
            return client.delete("/api/v1" + path, headers=self._h(kw.pop("headers", None)),
                                 **kw)

    def _api(user=None, password="password"):
        if user is None:
            return Api()
        resp = client.post("/api/v1/auth/token",
                           json={"username": user.username, "password": password})
        assert resp.status_code == 200, resp.get_json()
        return Api(resp.get_json()["token"])

    return _api
