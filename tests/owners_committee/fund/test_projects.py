"""Repair projects: approval (vote of item 5 covering the scope, or an emergency with a
reason), scope, apportionment by area with the developer's part, preview then post."""

import pytest
from sqlalchemy import func, select

from core.errors import DomainError
from core.extensions import db
from owners_committee.fund import projects, services
from owners_committee.fund.models import FundEntry, RepairProject
from tests.owners_committee.worlds import make_vote
from votes import approvals


def roof(c, **kw):
    fields = {"title": "7号楼屋面防水", "cost": "10000.00", "scope": projects.parse_scope_text("7")}
    fields.update(kw)
    return projects.create_project(c, **fields)


def refused(c, **kw) -> str:
    with pytest.raises(DomainError) as err:
        roof(c, **kw)
    db.session.rollback()
    assert (err.value.code, err.value.status) == ("approval_required", 409)
    assert db.session.scalar(select(func.count(RepairProject.id))) == 0
    assert db.session.scalar(select(func.count(FundEntry.id))) == 0
    return err.value.details["reason"]


def building7(estate):
    u = estate.units
    return [u.a, u.b, u.c, u.d]


def test_a_passed_use_fund_vote_covering_the_scope_approves(oc):
    vote = make_vote(oc.compound, building7(oc))
    project = roof(oc.compound, vote_id=vote.id)
    assert project.vote_id == vote.id and project.emergency_kind is None
    assert project.vote_summary["title"] == vote.title
    assert project.vote_summary["ratios"]["consent_area"] == "70.12%"


def test_a_compound_wide_vote_covers_a_building(oc):
    u = oc.units
    vote = make_vote(oc.compound, [u.a, u.b, u.c, u.d, u.e])
    assert roof(oc.compound, vote_id=vote.id).vote_id == vote.id


@pytest.mark.parametrize(("vote_kw", "reason"), [
    ({"matter": "raise_fund"}, "wrong_matter"),
    ({"matter": "rebuild"}, "wrong_matter"),
    ({"passed": False}, "vote_failed"),
    ({"status": "open"}, "vote_not_closed"),
    ({"status": "cancelled"}, "vote_cancelled"),
])
def test_the_wrong_vote_is_refused(oc, vote_kw, reason):
    vote = make_vote(oc.compound, building7(oc), **vote_kw)
    assert refused(oc.compound, vote_id=vote.id) == reason


def test_a_vote_whose_roll_misses_a_unit_of_the_scope_is_refused(oc):
    u = oc.units
    vote = make_vote(oc.compound, [u.a, u.b, u.c])  # 7-2-102 not in the roll
    assert refused(oc.compound, vote_id=vote.id) == "scope_not_covered"
    ok, reason, summary = approvals.approval_for(vote.id, oc.compound.id,
                                                 [u.a.id, u.b.id, u.c.id, u.d.id])
    assert (ok, reason, summary.uncovered) == (False, "scope_not_covered", (u.d.id,))
    # the same vote does cover a project on entrance 7-1
    assert roof(oc.compound, vote_id=vote.id, scope=projects.parse_scope_text("7-1")).id


def test_a_vote_of_another_compound_is_not_found(oc):
    vote = make_vote(oc.elsewhere, [])
    assert refused(oc.compound, vote_id=vote.id) == "vote_not_found"
    assert refused(oc.compound, vote_id=987654) == "vote_not_found"


def test_no_vote_and_no_emergency_is_refused(oc):
    assert refused(oc.compound) == "no_approval"


def test_an_emergency_needs_a_reason(oc):
    assert refused(oc.compound, emergency=True, emergency_kind="roof_leak") == \
        "emergency_reason_missing"
    assert refused(oc.compound, emergency=True, reason="   ") == "emergency_reason_missing"


def test_an_emergency_with_a_reason_proceeds_and_is_marked_for_the_notice(oc):
    project = roof(oc.compound, emergency=True, emergency_kind="roof_leak",
                   reason="暴雨后顶层三户漏水")
    assert project.vote_id is None and project.emergency_kind == "roof_leak"
    assert project.notice_due and project.notice_published_at is None
    projects.mark_notice_published(project)
    assert project.notice_published_at is not None
    with pytest.raises(DomainError) as err:
        projects.mark_notice_published(project)
    assert err.value.code == "notice_already_published"


def test_an_unknown_emergency_kind_is_refused(oc):
    with pytest.raises(DomainError) as err:
        roof(oc.compound, emergency=True, emergency_kind="earthquake", reason="x")
    assert err.value.field == "emergency_kind"


def test_a_failed_vote_with_an_emergency_and_reason_goes_ahead_as_an_emergency(oc):
    vote = make_vote(oc.compound, building7(oc), passed=False)
    project = roof(oc.compound, vote_id=vote.id, emergency=True, reason="消防通道堵塞")
    assert project.vote_id is None and project.emergency_kind == "other"


def test_one_vote_approves_one_project_unless_that_one_was_reversed(oc):
    vote = make_vote(oc.compound, building7(oc))
    first = roof(oc.compound, vote_id=vote.id)
    with pytest.raises(DomainError) as err:
        roof(oc.compound, vote_id=vote.id)
    assert err.value.details["reason"] == "vote_already_used"
    db.session.rollback()
    posting = projects.project_posting(first)
    services.reverse(posting, "金额填错")
    assert roof(oc.compound, vote_id=vote.id, cost="9000.00").vote_id == vote.id


def test_shares_by_area_with_the_developer_charged_and_exact_sum(oc):
    c = oc.compound
    services.post_entry(c, unit="7-1-101", kind="initial", amount="8805.00")
    plan = projects.plan_project(c, title="屋面", cost="10000.00",
                                 scope=projects.parse_scope_text("7"), emergency=True,
                                 reason="漏水")
    shares = {s.label: s for s in plan.shares}
    # areas 88.05 + 92.10 + 66.66 + 100.00 = 346.81 m²; exact parts …885.41, …563.28,
    # …208.99, …342.32: the two fen left over go to the largest remainders (.99 and .41)
    assert sum(s.amount_fen for s in plan.shares) == 1_000_000
    assert [s.amount_fen for s in plan.shares] == [253_886, 265_563, 192_209, 288_342]
    assert shares["7-2-102"].developer_held and plan.developer_fen == 288_342
    assert plan.owners_fen == 1_000_000 - 288_342
    # 7-1-101 pays from its balance; the others have none: arrears
    assert (shares["7-1-101"].debit_fen, shares["7-1-101"].arrears_fen) == (253_886, 0)
    assert (shares["7-1-102"].debit_fen, shares["7-1-102"].arrears_fen) == (0, 265_563)
    project = projects.create_project(c, expect_digest=plan.digest, title="屋面", cost="10000.00",
                                      scope=projects.parse_scope_text("7"), emergency=True,
                                      reason="漏水")
    assert (project.owners_fen, project.developer_fen) == (plan.owners_fen, 288_342)
    assert project.debited_fen == 253_886 and project.arrears_fen == 265_563 + 192_209
    stored = projects.project_shares(project)
    assert [(s.label, s.amount_fen) for s in stored] == [
        (s.label, s.amount_fen) for s in plan.shares]
    # the developer's unit is not charged to a sub-ledger
    assert db.session.scalar(select(func.count(FundEntry.id)).where(
        FundEntry.unit_id == oc.units.d.id)) == 0


def test_the_preview_guards_the_posting(oc):
    c = oc.compound
    plan = projects.plan_project(c, title="屋面", cost="10000.00",
                                 scope=projects.parse_scope_text("7"), emergency=True,
                                 reason="漏水")
    with pytest.raises(DomainError) as err:
        projects.create_project(c, expect_digest=plan.digest, title="屋面", cost="10000.01",
                                scope=projects.parse_scope_text("7"), emergency=True, reason="漏水")
    assert (err.value.code, err.value.status) == ("preview_changed", 409)


@pytest.mark.parametrize(("text", "labels", "summary"), [
    ("", ["7-1-101", "7-1-102", "7-2-101", "7-2-102", "8-1-101"], "全体业主（整个小区）"),
    ("7", ["7-1-101", "7-1-102", "7-2-101", "7-2-102"], "7号楼"),
    ("7-2", ["7-2-101", "7-2-102"], "7号楼2单元"),
    ("7-1-102, 8", ["7-1-102", "8-1-101"], "7-1-102；8号楼"),
    ("7-2\n7-2-101；7", ["7-1-101", "7-1-102", "7-2-101", "7-2-102"],
     "7号楼2单元；7-2-101；7号楼"),
])
def test_scope_by_building_entrance_or_unit(oc, text, labels, summary):
    resolved = projects.resolve_scope(oc.compound, projects.parse_scope_text(text))
    assert [u.label for u in resolved.units] == labels
    assert resolved.text == summary and resolved.whole_compound == (text == "")


def test_every_unknown_scope_item_is_named(oc):
    with pytest.raises(DomainError) as err:
        projects.resolve_scope(oc.compound, projects.parse_scope_text("7, 9, 7-5, 7-1-999"))
    assert err.value.code == "invalid_scope" and err.value.details["unknown"] == [
        "9", "7-5", "7-1-999"]


def test_the_api_scope_form(oc):
    items = projects.parse_scope_json([{"building": "7", "entrance": "2"}, {"unit": "8-1-101"},
                                       {"building": 8}, "7-1"])
    assert [i.text for i in items] == ["7-2", "8-1-101", "8", "7-1"]
    for bad in ("7", [1], [{"entrance": "2"}], [{"building": True}]):
        with pytest.raises(DomainError) as err:
            projects.parse_scope_json(bad)
        assert err.value.field == "scope"


@pytest.mark.parametrize(("kw", "field"), [
    ({"title": " "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"cost": "0.00"}, "cost"),
    ({"cost": "abc"}, "cost"),
    ({"cost": 12.5}, "cost"),
    ({"contractor": "x" * 201}, "contractor"),
])
def test_bad_project_fields(oc, kw, field):
    with pytest.raises(DomainError) as err:
        roof(oc.compound, emergency=True, reason="r", **kw)
    assert err.value.field == field


def test_decided_votes_lists_passed_use_fund_votes_only(oc):
    good = make_vote(oc.compound, building7(oc), title="通过的")
    make_vote(oc.compound, building7(oc), passed=False, title="未通过")
    make_vote(oc.compound, building7(oc), matter="other", title="别的事项")
    make_vote(oc.compound, building7(oc), status="open", title="表决中")
    assert [v.id for v in approvals.decided_votes(oc.compound.id)] == [good.id]
