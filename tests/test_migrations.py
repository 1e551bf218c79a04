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


def _checks(engine) -> dict[tuple[str, str], str]:
    """Every CHECK constraint of the database, by table and name, as the engine itself
    renders it (whitespace aside)."""
    insp = sa.inspect(engine)
    return {(table, c["name"]): " ".join(c["sqltext"].split())
            for table in insp.get_table_names() for c in insp.get_check_constraints(table)}


def test_the_migrations_give_the_same_check_constraints_as_the_models(app, empty_db_app):
    """Alembic's comparison above does not look at CHECK constraints: the migrated database
    and the tests' create_all() one must hold the same ones, word for word as the engine
    renders them — a rule changed in a model and forgotten in a migration (or the other way
    round) fails here."""
    from flask_migrate import upgrade

    from core.extensions import db

    with app.app_context():
        built = _checks(db.engine)
    with empty_db_app.app_context():
        upgrade()
        migrated = _checks(db.engine)
        db.engine.dispose()
    assert len(built) > 100  # the rules are there at all
    assert sorted(set(built) ^ set(migrated)) == []
    assert {k: (built[k], migrated[k]) for k in built if built[k] != migrated[k]} == {}


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


def _v0016_world(conn, announced: dt.datetime) -> dict[str, int]:
    """Two compounds as 0016 allowed them (notice 0 and 20 days) and their votes: announced
    and waiting under the 0-day setting (one of them closing 10 days after its notice),
    opened at once, cancelled before opening, and one waiting its 20 days. Returns the vote
    ids by name."""
    from core.types import UTCDateTime

    conn.execute(sa.text("INSERT INTO district (id, name, request_followup) "
                         "VALUES (1, '普陀区', 'reopen')"))
    conn.execute(sa.text("INSERT INTO street (id, district_id, name) VALUES (1, 1, '长风')"))
    compound = sa.table("compound", *(sa.column(c) for c in (
        "id", "street_id", "name", "address", "notice_days")),
        sa.column("created_at", UTCDateTime()))
    conn.execute(sa.insert(compound), [
        {"id": 1, "street_id": 1, "name": "零日苑", "address": "", "notice_days": 0,
         "created_at": announced},
        {"id": 2, "street_id": 1, "name": "廿日苑", "address": "", "notice_days": 20,
         "created_at": announced}])
    moments = ("announced_at", "may_open_at", "opened_at", "cancelled_at", "closes_at",
               "created_at")
    vote = sa.table("vote", *(sa.column(c) for c in (
        "id", "compound_id", "title", "question", "matter", "rule_variant", "status",
        "publish_names", "issuer", "cancel_reason", "revoked_by", "revoke_reason",
        "revoke_basis", "paper_collection")), *(sa.column(c, UTCDateTime()) for c in moments))
    hour, days = dt.timedelta(hours=1), lambda n: dt.timedelta(days=n)
    rows = {  # name: (id, compound, status, may_open_at, opened_at, cancelled_at, closes_at)
        "waiting": (1, 1, "announced", announced, None, None, announced + days(30)),
        "opened": (2, 1, "open", announced, announced + hour, None, announced + days(30)),
        "cancelled": (3, 1, "cancelled", announced, None, announced + hour,
                      announced + days(30)),
        "longer": (4, 2, "announced", announced + days(20), None, None, announced + days(30)),
        "short": (5, 1, "announced", announced, None, None, announced + days(10)),
    }
    conn.execute(sa.insert(vote), [
        {"id": vid, "compound_id": cid, "title": name, "question": "", "matter": "other",
         "rule_variant": "standard", "status": status, "publish_names": False, "issuer": "",
         "cancel_reason": "取消" if cancelled else "", "revoked_by": "", "revoke_reason": "",
         "revoke_basis": "", "paper_collection": "", "announced_at": announced,
         "may_open_at": may_open, "opened_at": opened, "cancelled_at": cancelled,
         "closes_at": closes, "created_at": announced}
        for name, (vid, cid, status, may_open, opened, cancelled, closes) in rows.items()])
    return {name: row[0] for name, row in rows.items()}


def test_0017_raises_notice_days_to_the_legal_15_and_holds_waiting_votes(empty_db_app,
                                                                          capfd):
    """A compound set below 15 days is raised to 15; a vote announced under the old setting
    and not yet opened may open only 15 days after its announcement (an opened, a cancelled
    and a longer-waiting vote are left as they are; one that now closes inside its wait is
    named); the database then refuses 14 days. The way back restores the old 0–90
    constraint and keeps the values."""
    from flask_migrate import downgrade, upgrade

    from core.extensions import db
    from core.types import UTCDateTime

    announced = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    vote = sa.table("vote", sa.column("id"), sa.column("may_open_at", UTCDateTime()))

    def notice_days(conn) -> list[tuple[int, int]]:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT id, notice_days FROM compound ORDER BY id"))]

    def add_compound(conn, cid: int, days: int) -> None:
        conn.execute(sa.text("INSERT INTO compound (id, street_id, name, address, notice_days, "
                             "created_at) VALUES (:id, 1, :name, '', :days, :at)"),
                     {"id": cid, "name": f"新苑{cid}", "days": days,
                      "at": "2026-12-01 09:00:00.000000"})

    with empty_db_app.app_context():
        upgrade(revision="0016")
        with db.engine.begin() as conn:
            ids = _v0016_world(conn, announced)
        upgrade()
        with db.engine.connect() as conn:
            assert notice_days(conn) == [(1, 15), (2, 20)]
            may_open = dict(conn.execute(sa.select(vote.c.id, vote.c.may_open_at)).all())
        assert may_open == {
            ids["waiting"]: announced + dt.timedelta(days=15),  # the legal period, from then
            ids["opened"]: announced,  # opened already: history, not changed
            ids["cancelled"]: announced,
            ids["longer"]: announced + dt.timedelta(days=20),  # never shortened
            ids["short"]: announced + dt.timedelta(days=15),
        }
        warned = [line for line in capfd.readouterr().err.splitlines()
                  if "closes before its notice period ends" in line]
        assert len(warned) == 1 and f"vote {ids['short']} " in warned[0], warned
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            add_compound(conn, 3, 14)
        with db.engine.begin() as conn:
            add_compound(conn, 3, 15)
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            add_compound(conn, 4, 91)
        # the way back: the old constraint (0 allowed again), the values as they are
        downgrade(revision="0016")
        with db.engine.begin() as conn:
            add_compound(conn, 4, 0)
            assert notice_days(conn) == [(1, 15), (2, 20), (3, 15), (4, 0)]
        db.engine.dispose()
