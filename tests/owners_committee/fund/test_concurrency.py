"""Simultaneous postings on one unit (PostgreSQL row locks): no lost update, never negative.

Each thread has its own application context, so its own session and connection; a barrier
releases them together. The fund row is taken first by every posting, the unit rows next, so
the postings are applied one after the other whatever the interleaving.
"""

import threading

import pytest
from flask_login import login_user
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.models import User
from owners_committee.fund import accounts, projects, services, verify
from owners_committee.fund.models import FundEntry

pytestmark = pytest.mark.pg_only


def run_together(app, user_id, jobs):
    """Run each job(compound) in its own thread, all released at once; re-raise failures."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            with app.app_context(), app.test_request_context("/"):
                login_user(db.session.get(User, user_id))
                compound = services.get_compound(job.compound_id, "fund.manage")
                barrier.wait(timeout=20)
                job(compound)
        except Exception as err:  # collected and re-raised in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a posting hung"
    if errors:
        raise errors[0]


class Job:
    def __init__(self, compound_id, fn):
        self.compound_id, self.fn = compound_id, fn

    def __call__(self, compound):
        self.fn(compound)


def test_simultaneous_top_ups_lose_nothing(app, estate):
    cid = estate.compound.id
    jobs = [Job(cid, lambda c: services.post_entry(c, unit="7-1-101", kind="top_up", amount="1.25"))
            for _ in range(12)]
    run_together(app, estate.oc.id, jobs)
    db.session.expire_all()
    row = next(r for r in accounts.unit_rows(estate.compound) if r.label == "7-1-101")
    assert row.balance_fen == 12 * 125
    balances = db.session.scalars(select(FundEntry.balance_after_fen)
                                  .order_by(FundEntry.id)).all()
    assert balances == [125 * n for n in range(1, 13)]  # one after the other, none lost
    assert verify.verify().ok


def test_simultaneous_shares_and_top_ups_never_go_negative(app, oc):
    c = oc.compound
    services.post_entry(c, unit="7-1-101", kind="initial", amount="300.00")
    cid = c.id

    def share(compound):
        projects.create_project(compound, title="抢修", cost="150.00",
                                scope=projects.parse_scope_text("7-1-101"), emergency=True,
                                reason="漏水")

    def top_up(compound):
        services.post_entry(compound, unit="7-1-101", kind="top_up", amount="10.00")

    run_together(app, oc.oc.id, [Job(cid, share) for _ in range(4)]
                 + [Job(cid, top_up) for _ in range(4)])
    db.session.expire_all()
    row = next(r for r in accounts.unit_rows(c) if r.label == "7-1-101")
    # 300 + 4 × 10 − 4 × 150 = −260: nothing lost, the balance stops at 0, the rest is owed
    assert (row.balance_fen, row.expense_arrears_fen) == (0, 26_000)
    entries = db.session.scalars(select(FundEntry).order_by(FundEntry.id)).all()
    assert len(entries) == 9 and all(e.balance_after_fen >= 0 for e in entries)
    report = verify.verify()
    assert report.ok, report.problems


def test_simultaneous_reversals_of_one_posting_reverse_it_once(app, oc):
    c = oc.compound
    posting = services.post_entry(c, unit="7-1-101", kind="initial", amount="50.00")
    pid, outcomes = posting.id, []

    def reverse(compound):
        try:
            services.reverse(services.get_posting(pid, compound), "重复录入")
            outcomes.append("reversed")
        except DomainError as err:
            outcomes.append(err.code)

    run_together(app, oc.oc.id, [Job(c.id, reverse) for _ in range(5)])
    assert sorted(outcomes) == ["already_reversed"] * 4 + ["reversed"]
    db.session.expire_all()
    assert accounts.unit_rows(c)[0].balance_fen == 0 and verify.verify().ok
