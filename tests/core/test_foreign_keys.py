"""Both engines refuse a row that points at nothing: PostgreSQL always checks foreign keys,
SQLite only on connections that ask — every connection of the app asks (core.extensions),
including a database built by the migrations."""

import pytest
import sqlalchemy as sa

from compounds.models import Holding, Person
from core.extensions import db
from tests.test_migrations import empty_db_app  # noqa: F401  (the fixture)


def _dangling_holding():
    person = Person(name="王芳")
    db.session.add(person)
    db.session.flush()
    db.session.add(Holding(unit_id=999_999, person_id=person.id))
    db.session.flush()


def test_a_title_to_a_unit_that_does_not_exist_is_refused(app):
    with pytest.raises(sa.exc.IntegrityError):
        _dangling_holding()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Holding)) == 0


def test_the_migrated_database_refuses_it_too(empty_db_app):  # noqa: F811
    from flask_migrate import upgrade

    with empty_db_app.app_context():
        upgrade()
        with pytest.raises(sa.exc.IntegrityError):
            _dangling_holding()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
