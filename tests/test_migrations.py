"""`flask db upgrade` on an empty database builds exactly the schema the models describe."""

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
            if conn.dialect.name == "postgresql":
                names = set(conn.execute(sa.text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
                assert "audit_entry_append_only" in names
            else:
                names = set(conn.execute(sa.text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            assert {"fund_entry_immutable", "fund_posting_immutable"} <= names
        # and back down to nothing, so a bad release can be rolled back
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.engine.dispose()
