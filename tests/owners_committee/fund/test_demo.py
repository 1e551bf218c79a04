"""The demo's fund step: a year of the walk-up compound's fund, consistent and readable."""

import itertools

from sqlalchemy import func, select

from compounds import demo
from core import audit
from core.extensions import db
from core.models import AuditEntry
from owners_committee.fund import accounts, verify
from owners_committee.fund.models import FundPosting, RepairProject


def test_demo_fund_year(app, client):
    ctx = demo.load()
    walkup = ctx.compounds[0]
    assert walkup.fund_rate_fen == 9000
    assert ctx.summary["fund"]["interest_postings"] == 12
    kinds = db.session.execute(select(FundPosting.kind, func.count(FundPosting.id))
                               .group_by(FundPosting.kind)).all()
    assert dict(kinds) == {"initial": 1, "interest": 12, "expense_share": 1}
    project = db.session.scalar(select(RepairProject))
    assert project.emergency_kind == "burst_pipe" and project.notice_due
    assert project.notice_published_at is None
    total = accounts.summary(walkup)
    assert 3 <= len(total.low_balance) <= 12  # the burst pipe's entrance
    assert all(r.label.startswith("5-2-") for r in total.low_balance)
    assert len(total.in_arrears) > 10  # first deposits missing or short
    _labels, values = accounts.balance_series(walkup, months=16)
    assert values[0] == 0 and values[1] > 0 and values[-1] == total.balance_fen
    assert len(set(values[1:])) >= 12  # interest every month; the repair shows as a drop
    assert any(b < a for a, b in itertools.pairwise(values))
    # the demo is audited by its one entry; the ledgers and the chain are consistent
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 1
    report = verify.verify()
    assert report.ok, report.problems[:5]
    assert audit.verify().ok
    client.post("/login", data={"username": "oc", "password": demo.DEFAULT_PASSWORD})
    page = client.get(f"/compounds/{walkup.id}/fund")
    assert page.status_code == 200 and "5-2-" in page.get_data(as_text=True)
