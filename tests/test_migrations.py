"""`flask db upgrade` on an empty database builds exactly the schema the models describe."""

import datetime as dt
import os
import tempfile

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import IS_PG, TEST_DB


def _fresh_url() -> str:
    if IS_PG:
        base = sa.engine.make_url(TEST_DB)
        name = f"{base.database}_migrations"  # one per test database: parallel runs never clash
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return base.set(database=name).render_as_string(hide_password=False)
    return "sqlite:///" + os.path.join(tempfile.mkdtemp(), "migrations.sqlite3")


@pytest.fixture
def empty_db_app(app):
    from tests.conftest import make_test_app

    return make_test_app(SQLALCHEMY_DATABASE_URI=_fresh_url())


#: the database's own refusals, by engine (SQLite has no TRUNCATE, and one event per trigger)
GUARDS = {
    "postgresql": {"audit_entry_append_only", "audit_entry_no_truncate",
                   "audit_head_forward_only", "audit_head_no_delete", "audit_head_no_truncate",
                   "fund_entry_immutable", "fund_entry_no_truncate",
                   "fund_posting_immutable", "fund_posting_no_truncate"},
    "sqlite": {"audit_entry_append_only", "audit_entry_no_delete",
               "audit_head_forward_only", "audit_head_no_delete",
               "fund_entry_immutable", "fund_entry_no_delete",
               "fund_posting_immutable", "fund_posting_no_delete"},
}


def _triggers(conn) -> set[str]:
    if conn.dialect.name == "postgresql":
        return set(conn.execute(sa.text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    return set(conn.execute(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def test_upgrade_from_empty_matches_models(empty_db_app):
    from flask_migrate import downgrade, upgrade

    from core.extensions import db

    with empty_db_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff[:5]}"
        # the append-only guards come with the schema, not only with create_all()
        with db.engine.connect() as conn:
            assert _triggers(conn) == GUARDS[conn.dialect.name]
        # and back down to nothing, so a bad release can be rolled back
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            assert left == set() and _triggers(conn) == set()
        db.engine.dispose()


def test_create_all_makes_the_same_guards(app):
    """The tests build their schema with create_all(): the models' DDL events must give it
    the very triggers the migrations give production."""
    from core.extensions import db

    with db.engine.connect() as conn:
        assert _triggers(conn) == GUARDS[conn.dialect.name]


def _legacy_chain(conn, n: int) -> str:
    """Entries as the single chain before 0004 wrote them (hash version 1); returns the
    hash of the last one."""
    from core.audit import GENESIS, entry_hash_v1

    prev, at = GENESIS, dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    for seq in range(1, n + 1):
        row = {"seq": seq, "at": at, "actor_id": 1, "actor": "rc", "action": "unit.update",
               "object_type": "unit", "object_id": str(seq), "compound_id": 1 + seq % 2,
               "data": '{"名":"王芳"}', "prev_hash": prev}
        row["hash"] = entry_hash_v1(**row)
        conn.execute(sa.text(
            "INSERT INTO audit_entry (seq, at, actor_id, actor, action, object_type, "
            "object_id, compound_id, data, prev_hash, hash) VALUES (:seq, :at, :actor_id, "
            ":actor, :action, :object_type, :object_id, :compound_id, :data, :prev_hash, "
            ":hash)"), row)
        prev, before = row["hash"], row["prev_hash"]
    conn.execute(sa.text("INSERT INTO audit_head (id, seq, hash, prev_hash) "
                         "VALUES (1, :seq, :hash, :prev)"), {"seq": n, "hash": prev,
                                                             "prev": before})
    return prev


def test_0004_keeps_the_old_chain_as_the_district_wide_one(empty_db_app, capfd):
    """Entries written before 0004 become chain 0 as they are (version 1, same seq, same
    hash) and still verify; new entries go to their compound's chain; the way back refuses
    while such new entries exist, and works when there are none."""
    from flask_migrate import downgrade, upgrade

    from core import audit
    from core.extensions import db
    from core.models import AuditEntry

    with empty_db_app.app_context():
        upgrade(revision="0003")
        with db.engine.begin() as conn:
            last = _legacy_chain(conn, 3)
        upgrade()
        result = audit.verify()
        assert result.ok and [(c.chain, c.checked) for c in result.chains] == [(0, 3)]
        assert audit.head_anchor(None) == audit.Anchor(0, 3, last)
        db.session.remove()  # its read locks would hold up the migration's DDL
        # the way back, while only old entries exist, gives the old single chain back
        downgrade(revision="0003")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id, seq, hash FROM audit_head")).all() == [
                (1, 3, last)]
        upgrade()
        assert audit.record("vote.ballot", "ballot", 1, {}, compound_id=2) == 1
        assert audit.record("user.update", "user", 1, {}) == 4
        db.session.commit()
        result = audit.verify()
        assert result.ok and [(c.chain, c.checked) for c in result.chains] == [(0, 4), (2, 1)]
        versions = db.session.execute(sa.select(AuditEntry.chain, AuditEntry.seq,
                                                AuditEntry.version)
                                      .order_by(AuditEntry.id)).all()
        assert [tuple(v) for v in versions] == [(0, 1, 1), (0, 2, 1), (0, 3, 1), (2, 1, 2),
                                                (0, 4, 2)]
        db.session.remove()
        with pytest.raises(SystemExit):  # Flask-Migrate's way of failing a command
            downgrade(revision="0003")
        assert "cannot downgrade below 0004: 2 audit entries" in capfd.readouterr().err
        assert audit.verify().ok and audit.verify().checked == 5
        db.session.remove()
        db.engine.dispose()
