"""The audit chains catch an edited, a deleted and a re-ordered entry; every column is hashed;
the database refuses to change the chains and the fund journal; one chain per compound."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import audit
from core.extensions import db
from core.models import DISTRICT_CHAIN, AuditEntry, AuditHead
from tests.conftest import guards_lifted


def _tamper(*stmts):
    """What an attacker with the database's own rights does: get past the append-only
    triggers (on PostgreSQL a superuser's replication role, on SQLite dropping them, as
    anyone who can write the file can), change the rows, commit."""
    conn = db.session.connection()
    with guards_lifted(conn):
        for stmt in stmts:
            conn.execute(stmt)
    db.session.commit()


def _entries(n=5, compound_id=None):
    for i in range(n):
        audit.record("test.thing", "thing", i, {"n": i, "名字": "张三"}, actor=(7, "tester"),
                     compound_id=compound_id)
    db.session.commit()


def _entry(seq, chain=DISTRICT_CHAIN):
    return sa.and_(AuditEntry.chain == chain, AuditEntry.seq == seq)


def test_intact_chain_verifies(app):
    _entries()
    result = audit.verify()
    assert result.ok and result.checked == 5


def test_edited_entry_is_reported(app):
    _entries()
    _tamper(sa.update(AuditEntry).where(_entry(3)).values(data='{"n":99}'))
    result = audit.verify()
    assert not result.ok and result.seq == 3 and "altered" in result.problem


@pytest.mark.parametrize("column, value", [("actor_id", 8), ("actor_id", None),
                                           ("compound_id", 3), ("version", 1)])
def test_every_column_is_hashed(app, column, value):
    """The outside audit's finding: actor_id and compound_id were not hashed (nor the
    version, which would let an entry be re-hashed the weaker way)."""
    _entries(3)
    _tamper(sa.update(AuditEntry).where(_entry(2)).values({column: value}))
    result = audit.verify()
    assert not result.ok and result.seq == 2 and "entry 2 was altered" in result.problem


def test_an_entry_moved_to_another_chain_is_reported(app):
    _entries(2, compound_id=4)
    _tamper(sa.update(AuditEntry).where(_entry(2, chain=4)).values(chain=5))
    result = audit.verify()
    assert not result.ok and result.chain == 4 and "entry 2 is missing" in result.problem


def test_deleted_entry_is_reported(app):
    _entries()
    _tamper(sa.delete(AuditEntry).where(_entry(2)))
    result = audit.verify()
    assert not result.ok and result.seq == 2 and "missing" in result.problem


def test_deleted_last_entry_is_reported(app):
    _entries()
    _tamper(sa.delete(AuditEntry).where(_entry(5)))
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
    _tamper(sa.update(AuditEntry).where(_entry(4)).values(actor="mallory"))
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and "entry 4 was altered" in bad.output


# -- one chain per compound ------------------------------------------------------------------

def test_each_compound_has_its_own_chain(app):
    assert audit.record("a", "thing", 1, compound_id=1) == 1
    assert audit.record("b", "thing", 2, compound_id=2) == 1
    assert audit.record("c", "thing", 3, compound_id=1) == 2
    assert audit.record_many([("d", "thing", 4, {}), ("e", "thing", 5, {})]) == 2
    db.session.commit()
    rows = db.session.execute(sa.select(AuditEntry.action, AuditEntry.chain, AuditEntry.seq)
                              .order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in rows] == [("a", 1, 1), ("b", 2, 1), ("c", 1, 2),
                                        ("d", DISTRICT_CHAIN, 1), ("e", DISTRICT_CHAIN, 2)]
    heads = dict(db.session.execute(sa.select(AuditHead.chain, AuditHead.seq)).all())
    assert heads == {1: 2, 2: 1, DISTRICT_CHAIN: 2}
    result = audit.verify()
    assert result.ok and result.checked == 5
    assert [(c.chain, c.checked) for c in result.chains] == [(DISTRICT_CHAIN, 2), (1, 2), (2, 1)]


def test_verify_names_the_broken_chain_and_counts_every_chain(app):
    _entries(3, compound_id=1)
    _entries(2, compound_id=2)
    _tamper(sa.update(AuditEntry).where(_entry(2, chain=2)).values(data="{}"))
    result = audit.verify()
    assert not result.ok and (result.chain, result.seq) == (2, 2)
    assert [(c.chain, c.checked, c.ok) for c in result.chains] == [(1, 3, True), (2, 1, False)]
    out = app.test_cli_runner().invoke(args=["audit", "verify"]).output
    assert "chain 1 (compound 1): 3 entries ok" in out
    assert "chain 2 (compound 2): 1 entries BROKEN" in out
    assert "chain compound 2: entry 2 was altered" in out


def test_a_head_that_disagrees_with_its_chain_is_reported(app):
    _entries(2)
    _tamper(sa.update(AuditHead).values(hash="f" * 64))
    result = audit.verify()
    assert not result.ok and "head does not match entry 2" in result.problem


def test_legacy_entries_keep_their_old_hash_and_new_ones_follow(app):
    """Entries from before migration 0004 (version 1, district-wide chain) still verify with
    the formula they were written with; new entries continue that chain with version 2."""
    at = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)
    prev, rows = audit.GENESIS, []
    for seq in (1, 2):
        row = {"chain": DISTRICT_CHAIN, "seq": seq, "version": 1, "at": at, "actor_id": 3,
               "actor": "rc", "action": "old.thing", "object_type": "unit",
               "object_id": str(seq), "compound_id": 9, "data": "{}", "prev_hash": prev}
        row["hash"] = audit.entry_hash_v1(**row)
        rows.append(row)
        prev = row["hash"]
    db.session.execute(sa.insert(AuditEntry), rows)
    db.session.execute(sa.insert(AuditHead).values(chain=DISTRICT_CHAIN, seq=2, hash=prev,
                                                   prev_hash=rows[0]["hash"]))
    db.session.commit()
    assert audit.record("user.update", "user", 1) == 3
    db.session.commit()
    assert audit.verify().ok and audit.verify().checked == 3
    # version 1 never covered actor_id: editing it there goes unnoticed (history is not
    # rewritten); the same edit of a version 2 entry does not
    _tamper(sa.update(AuditEntry).where(_entry(1)).values(actor_id=4))
    assert audit.verify().ok
    _tamper(sa.update(AuditEntry).where(_entry(3)).values(actor_id=4))
    assert audit.verify().seq == 3


# -- the database refuses ------------------------------------------------------------------

def _refused(stmt, match):
    with pytest.raises(sa.exc.DatabaseError, match=match):
        db.session.execute(stmt)
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_to_change_or_delete_entries(app):
    _entries(2)
    _refused(sa.update(AuditEntry).values(actor="mallory"), "append-only")
    _refused(sa.delete(AuditEntry).where(_entry(2)), "append-only")
    assert audit.verify().ok and audit.verify().checked == 2


def test_the_database_refuses_to_rewind_or_delete_a_head(app):
    _entries(3)
    _refused(sa.update(AuditHead).values(seq=2), "only moves forward")
    _refused(sa.update(AuditHead).values(chain=5), "only moves forward")
    _refused(sa.delete(AuditHead), "only moves forward")
    assert db.session.get(AuditHead, DISTRICT_CHAIN).seq == 3


@pytest.mark.pg_only
@pytest.mark.parametrize("table", ["audit_entry", "audit_head", "fund_entry", "fund_posting"])
def test_postgres_refuses_truncate(app, table):
    _entries(1)
    with pytest.raises(sa.exc.DBAPIError, match=r"append-only|only moves forward|immutable"):
        db.session.execute(sa.text(f"TRUNCATE {table} CASCADE"))
    db.session.rollback()
    assert audit.verify().ok and audit.verify().checked == 1


# -- a chain's first entries, at once ------------------------------------------------------

@pytest.mark.pg_only
def test_two_first_entries_of_a_new_chain_at_once_neither_fork_nor_fail(app):
    """Two threads append the first entry of a compound's chain at the same moment: the head
    row is created once (INSERT … ON CONFLICT DO NOTHING), one waits for the other, and the
    chain has entries 1 and 2."""
    barrier = threading.Barrier(2)
    errors = []

    def first_entry(n):
        with app.app_context():
            try:
                db.session.execute(sa.text("SELECT 1"))  # connect before the race
                barrier.wait()
                audit.record("race", "thing", n, {"n": n}, compound_id=77, actor=(None, "t"))
                db.session.commit()
            except Exception as err:  # any failure is the test's failure
                errors.append(err)
            finally:
                db.session.remove()

    for _ in range(5):  # a few rounds, each on a fresh chain
        threads = [threading.Thread(target=first_entry, args=(n,)) for n in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        seqs = sorted(db.session.scalars(
            sa.select(AuditEntry.seq).where(AuditEntry.chain == 77)).all())
        assert seqs == [1, 2]
        assert audit.verify().ok
        _tamper(sa.delete(AuditEntry), sa.delete(AuditHead))


# -- Python and SQL hash alike -------------------------------------------------------------

# On PostgreSQL a single entry is hashed by the database (one statement per ballot); the
# Python hash must agree byte for byte, whatever the text and wherever NULLs are, or
# verify() would cry wolf.
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=40)
_maybe_id = st.none() | st.integers(min_value=1, max_value=2**31 - 1)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(_text, _text, st.dictionaries(_text, _text, max_size=3),
                                  _maybe_id, st.none() | st.sampled_from([1, 2])),
                        min_size=1, max_size=5))
def test_database_hash_matches_python_hash(app, entries):
    _tamper(sa.delete(AuditEntry), sa.delete(AuditHead))  # fresh chains for each example
    for actor, object_id, data, actor_id, compound_id in entries:
        audit.record("测试.动作", "物件", object_id, data, compound_id=compound_id,
                     actor=(actor_id, actor or "system"))
    db.session.commit()
    # a second round: each chain now has its head, so on PostgreSQL these go through the
    # one-statement path hashed in SQL
    for actor, object_id, data, actor_id, compound_id in entries:
        audit.record("测试.二", "物件", object_id + "\x1f", data, compound_id=compound_id,
                     actor=(actor_id, actor + "\x1f" if actor else "system"))
    audit.record_many([("bulk", "unit", 1, {"名": "李四"})], actor=(None, "t"))
    db.session.commit()
    result = audit.verify()
    assert result.ok and result.checked == 2 * len(entries) + 1
    for head in db.session.scalars(sa.select(AuditHead)):
        last = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.chain == head.chain)
                                 .order_by(AuditEntry.seq.desc()).limit(1))
        assert (head.seq, head.hash, head.prev_hash) == (last.seq, last.hash, last.prev_hash)
        assert last.version == 2


# -- the audit log page --------------------------------------------------------------------

def test_the_audit_log_shows_every_chain_newest_first(make, login, client):
    c = make.compound("槐荫新村")
    login(make.user("root", admin=True))
    audit.record("first.thing", "thing", 1, compound_id=c.id)
    audit.record("second.thing", "thing", 2)
    audit.record("third.thing", "thing", 3, compound_id=c.id)
    db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    rows = [r for r in page.split("<tr>") if ".thing" in r]
    assert [r.split(".thing")[0].rsplit(">", 1)[1] for r in rows] == ["third", "second",
                                                                      "first"]
    assert "槐荫新村" in rows[0] and "<td>2</td>" in rows[0]
    assert "全区" in rows[1] and "<td>1</td>" in rows[1]
