"""The fund's annual statement prints the head of the compound's audit chain when it was
generated; the fund journal cannot be deleted on either engine."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core import audit
from core.extensions import db
from core.models import DISTRICT_CHAIN, AuditHead
from owners_committee.fund import accounts, statements
from owners_committee.fund import services as fs
from owners_committee.fund.models import FundEntry, FundPosting
from reports.fund_annual_statement import FundAnnualStatement
from tests.acting import as_user
from tests.core.audit_tools import anchors_in, pdf_text, rewind, verify_cli
from tests.owners_committee.worlds import build_estate
from tests.pdf_tools import needs_poppler

pytestmark = needs_poppler


@pytest.fixture
def estate(make):
    """同心苑 and its accounts."""
    return build_estate(make)


@pytest.fixture
def oc(estate):
    with as_user(estate.oc):
        c = estate.compound
        for label, amount in (("7-1-101", "8805.00"), ("7-1-102", "4000.00")):
            fs.post_entry(c, unit=label, kind="initial", amount=amount)
        yield estate


def statement(compound) -> bytes:
    return FundAnnualStatement(statements.annual_statement(compound,
                                                           accounts.this_year())).render()


def test_the_statement_prints_the_head_of_the_compounds_chain(app, oc, tmp_path):
    c = oc.compound
    pdf = statement(c)
    assert "审计链锚点" in pdf_text(pdf, tmp_path, "statement")
    head = db.session.get(AuditHead, c.id)
    seq = head.seq
    assert anchors_in(pdf, tmp_path) == [f"{c.id}/{seq}:{head.hash}"]
    fs.post_entry(c, unit="7-2-101", kind="initial", amount="6666.00")  # the chain goes on
    [token] = anchors_in(pdf, tmp_path)
    ok = verify_cli(app, token)
    assert ok.exit_code == 0 and "is in place" in ok.output, ok.output
    # the head is rewound to before the statement and the chain re-grown: caught
    rewind(c.id, seq - 1)
    fs.post_entry(c, unit="7-2-101", kind="initial", amount="1.00")
    fs.post_entry(c, unit="7-2-101", kind="initial", amount="2.00")
    assert audit.verify().ok
    bad = verify_cli(app, token)
    assert bad.exit_code == 1 and f"entry {seq} of chain compound {c.id} now has" in bad.output


def test_a_compound_without_a_chain_of_its_own_anchors_the_district_wide_one(
        app, estate, tmp_path):
    audit.record("user.update", "user", estate.oc.id, {})
    db.session.commit()
    head = db.session.get(AuditHead, DISTRICT_CHAIN)
    assert db.session.get(AuditHead, estate.compound.id) is None
    assert anchors_in(statement(estate.compound), tmp_path) == [f"0/{head.seq}:{head.hash}"]


@pytest.mark.parametrize("model", [FundEntry, FundPosting])
def test_the_fund_journal_cannot_be_deleted(oc, model):
    """Before, SQLite refused only updates: a deleted posting went unnoticed by the engine."""
    with pytest.raises(sa.exc.DatabaseError, match="immutable"):
        db.session.execute(sa.delete(model))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) > 0
