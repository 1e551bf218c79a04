"""A top-up plan (续筹) charges only the units of its scope and rests on a basis: a passed
vote of matter 6 (raising the fund) covering the scope, or — where no owners' assembly
exists — the local rule it cites. Both are printed on every notice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import DomainError
from core.extensions import db
from owners_committee.fund import services, statements
from owners_committee.fund.models import TopUpPlan
from reports.fund_top_up_notice import FundTopUpNotices
from tests.owners_committee.fund.test_pdfs import text_of
from tests.owners_committee.worlds import make_vote
from tests.pdf_tools import needs_poppler

pytestmark = needs_poppler

RULE = "《某市住宅专项维修资金管理实施细则》第二十条：未成立业主大会的，由居委会组织续筹。"


def _raise_fund_vote(estate, units, **kw):
    kw.setdefault("title", "关于7号楼2单元续筹维修资金的表决")
    return make_vote(estate.compound, units, matter="raise_fund", **kw)


def _plan(c, **kw):
    fields = {"title": "7号楼2单元续筹", "target_pct": 100}
    fields.update(kw)
    return services.create_top_up_plan(c, **fields)


def _refused(c, **kw) -> DomainError:
    with pytest.raises(DomainError) as err:
        _plan(c, **kw)
    db.session.rollback()
    assert db.session.scalar(select(func.count(TopUpPlan.id))) == 0
    return err.value


@pytest.mark.parametrize(("scope", "charged"), [
    ("7-2", {"7-2-101", "7-2-102"}),
    ("8", {"8-1-101"}),
    ("7-1, 8", {"7-1-101", "7-1-102", "8-1-101"}),
    ("", {"7-1-101", "7-1-102", "7-2-101", "7-2-102", "8-1-101"}),
])
def test_the_scope_charges_only_its_units(oc, scope, charged):
    plan = _plan(oc.compound, scope=scope, local_rule=RULE)
    assert {x.label for x in services.plan_lines(plan)} == charged
    assert plan.units == len(charged) and plan.whole_compound is (scope == "")


def test_a_scope_naming_nothing_of_the_compound_is_refused(oc):
    err = _refused(oc.compound, scope="5-2, 7", local_rule=RULE)
    assert (err.code, err.field, err.details["unknown"]) == ("invalid_scope", "scope", ["5-2"])


def test_a_scope_of_single_units_is_refused(oc):
    err = _refused(oc.compound, scope="7-2-101", local_rule=RULE)
    assert (err.code, err.field) == ("invalid_scope", "scope")


def test_no_basis_is_refused(oc):
    err = _refused(oc.compound, scope="7-2")
    assert (err.code, err.status, err.field) == ("basis_required", 409, "vote_id")
    err = _refused(oc.compound, scope="7-2", local_rule="   ")
    assert err.code == "basis_required"


@pytest.mark.parametrize(("vote_kw", "reason"), [
    ({"matter": "use_fund"}, "wrong_matter"),
    ({"passed": False}, "vote_failed"),
    ({"status": "open"}, "vote_not_closed"),
    ({"status": "cancelled"}, "vote_cancelled"),
    ({"status": "revoked"}, "vote_revoked"),
])
def test_a_vote_that_is_not_a_passed_raise_fund_decision_is_refused(oc, vote_kw, reason):
    u = oc.units
    kw = {"matter": "raise_fund", **vote_kw}
    vote = make_vote(oc.compound, [u.c, u.d], **kw)
    err = _refused(oc.compound, scope="7-2", vote_id=vote.id, local_rule=RULE)
    assert (err.code, err.status, err.details["reason"]) == ("approval_required", 409, reason)


def test_a_vote_not_covering_the_scope_is_refused(oc):
    u = oc.units
    vote = _raise_fund_vote(oc, [u.c, u.d])
    err = _refused(oc.compound, scope="7", vote_id=vote.id)
    assert err.details["reason"] == "scope_not_covered"


def test_a_covering_vote_is_the_basis_printed_on_every_notice(oc, tmp_path):
    u = oc.units
    vote = _raise_fund_vote(oc, [u.c, u.d])
    plan = _plan(oc.compound, scope="7-2", vote_id=str(vote.id))
    assert (plan.vote_id, plan.local_rule, plan.scope_text) == (vote.id, "", "7号楼2单元")
    pdf = FundTopUpNotices(statements.top_up_notices(plan)).render()
    for page in (1, 2):
        text = text_of(pdf, tmp_path, page=page)
        assert "续筹范围7号楼2单元" in text
        assert f"第{vote.id}号表决《关于7号楼2单元续筹维修资金的表决》通过" in text


def test_the_local_rule_is_printed_on_every_notice(oc, tmp_path):
    plan = _plan(oc.compound, scope="8", local_rule=RULE)
    assert plan.vote_id is None and plan.local_rule == RULE
    text = text_of(FundTopUpNotices(statements.top_up_notices(plan)).render(), tmp_path, page=1)
    assert "本小区尚未成立业主大会" in text and "第二十条" in text and "续筹范围8号楼" in text


def test_the_form_takes_scope_and_basis_and_says_what_is_missing(estate, login, client):
    login(estate.oc)
    cid = estate.compound.id
    resp = client.post(f"/compounds/{cid}/fund/plans/new", data={
        "title": "7号楼2单元续筹", "target_pct": "100", "scope": "7-2", "vote_id": ""})
    assert resp.status_code == 200
    assert "业主大会" in resp.get_data(as_text=True)  # the basis message, in Chinese
    resp = client.post(f"/compounds/{cid}/fund/plans/new", data={
        "title": "7号楼2单元续筹", "target_pct": "100", "scope": "7-2", "vote_id": "",
        "local_rule": RULE})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "7号楼2单元" in page and "第二十条" in page
    assert "7-2-101" in page and "7-1-101" not in page
