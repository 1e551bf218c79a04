"""The audit chain catches an edited, a deleted and a re-ordered entry."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import audit
from core.extensions import db
from core.models import AuditEntry, AuditHead


def _tamper(stmt):
    """What an attacker with database access does; on PostgreSQL they must first switch
    off the append-only trigger (only a superuser can)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(stmt)
    db.session.commit()


def _entries(n=5):
    for i in range(n):
        audit.record("test.thing", "thing", i, {"n": i, "名字": "张三"}, actor=(None, "tester"))
    db.session.commit()


def test_intact_chain_verifies(app):
    _entries()
    result = audit.verify()
    assert result.ok and result.checked == 5


def test_edited_entry_is_reported(app):
    _entries()
    _tamper(sa.update(AuditEntry).where(AuditEntry.seq == 3).values(data='{"n":99}'))
    result = audit.verify()
    assert not result.ok and result.seq == 3 and "altered" in result.problem


def test_deleted_entry_is_reported(app):
    _entries()
    _tamper(sa.delete(AuditEntry).where(AuditEntry.seq == 2))
    result = audit.verify()
    assert not result.ok and result.seq == 2 and "missing" in result.problem


def test_deleted_last_entry_is_reported(app):
    _entries()
    _tamper(sa.delete(AuditEntry).where(AuditEntry.seq == 5))
    assert audit.verify().seq == 5


def test_record_many_continues_the_chain(app):
    _entries(2)
    audit.record_many([("bulk", "unit", i, {"i": i}) for i in range(3)], actor=(None, "t"))
    db.session.commit()
    assert audit.verify().checked == 5


def test_cli_verify_exit_codes(app):
    _entries()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "5 entries" in ok.output
    _tamper(sa.update(AuditEntry).where(AuditEntry.seq == 4).values(actor="mallory"))
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and "entry 4 was altered" in bad.output


@pytest.mark.pg_only
def test_postgres_refuses_to_alter_the_chain(app):
    _entries(1)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.update(AuditEntry).values(actor="mallory"))
    db.session.rollback()
    assert audit.verify().ok


# On PostgreSQL a single entry is hashed by the database (one statement per ballot); the
# Python hash must agree byte for byte, whatever the text, or verify() would cry wolf.
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=40)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(_text, _text, st.dictionaries(_text, _text, max_size=3)),
                        min_size=1, max_size=4))
def test_database_hash_matches_python_hash(app, entries):
    _tamper(sa.delete(AuditEntry))  # a fresh chain for each example
    db.session.execute(sa.delete(AuditHead))
    db.session.commit()
    for actor, object_id, data in entries:
        audit.record("测试.动作", "物件", object_id, data, actor=(None, actor or "system"))
    audit.record_many([("bulk", "unit", 1, {"名": "李四"})], actor=(None, "t"))
    db.session.commit()
    result = audit.verify()
    assert result.ok and result.checked == len(entries) + 1
    head = db.session.get(AuditHead, 1)
    last = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert (head.seq, head.hash, head.prev_hash) == (last.seq, last.hash, last.prev_hash)
