"""The sub-ledgers: deposits, top-ups, refunds, interest spreads, reversals, the invariant
(`flask fund verify`), immutability and the audit trail — on the real engine."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core import audit
from core.errors import DomainError
from core.extensions import db
from core.models import AuditEntry
from owners_committee.fund import accounts, journal, projects, services, verify
from owners_committee.fund.models import (
    FundAccount,
    FundEntry,
    FundPosting,
    ProjectStatus,
    RepairProject,
    UnitFundAccount,
)


def row(compound, label):
    return next(r for r in accounts.unit_rows(compound) if r.label == label)


def posting_of(project):
    return db.session.scalar(select(FundPosting).where(FundPosting.project_id == project.id))


def test_initial_deposit_fills_balance_and_first_deposit_and_shows_what_is_unpaid(oc):
    c = oc.compound
    services.post_entry(c, unit="7-1-101", kind="initial", amount="8805.00")
    services.post_entry(c, unit=oc.units.b.id, kind="initial", amount="5000.00", memo="分两次交")
    a, b = row(c, "7-1-101"), row(c, "7-1-102")
    assert (a.balance_fen, a.initial_paid_fen, a.initial_due_fen, a.arrears_fen) == (
        880_500, 880_500, 880_500, 0)
    # 92.10 m² × ¥100.00 = ¥9,210.00 due; ¥5,000 paid → ¥4,210 unpaid is owed
    assert (b.initial_due_fen, b.arrears_fen, b.unpaid_initial_fen) == (921_000, 421_000, 421_000)
    fund = db.session.scalar(select(FundAccount))
    assert (fund.balance_fen, fund.initial_paid_fen) == (1_380_500, 1_380_500)


def test_expense_larger_than_balance_goes_to_zero_and_the_rest_is_arrears(oc):
    c = oc.compound
    services.post_entry(c, unit="7-1-102", kind="initial", amount="1000.00")
    project = projects.create_project(c, title="单元门禁", cost="3000.00",
                                      scope=projects.parse_scope_text("7-1-102"), emergency=True,
                                      emergency_kind="fire_safety", reason="防火门损坏")
    b = row(c, "7-1-102")
    assert (b.balance_fen, b.expense_arrears_fen) == (0, 200_000)
    share = projects.project_shares(project)[0]
    assert (share.amount_fen, share.debit_fen, share.arrears_fen) == (300_000, 100_000, 200_000)
    # a later top-up clears the arrears first, then fills the balance
    services.post_entry(c, unit="7-1-102", kind="top_up", amount="2500.00")
    b = row(c, "7-1-102")
    assert (b.balance_fen, b.expense_arrears_fen) == (50_000, 0)
    entries = db.session.scalars(select(FundEntry).where(FundEntry.unit_id == oc.units.b.id)
                                 .order_by(FundEntry.id)).all()
    assert [(e.kind, e.amount_fen, e.balance_after_fen, e.arrears_after_fen) for e in entries] == [
        ("initial", 100_000, 100_000, 0),
        ("expense_share", -300_000, 0, 200_000),
        ("top_up", 250_000, 50_000, 0),
    ]
    assert verify.verify().ok


def test_refund_may_not_exceed_the_balance(oc):
    c = oc.compound
    services.post_entry(c, unit="7-1-101", kind="initial", amount="100.00")
    with pytest.raises(DomainError) as err:
        services.post_entry(c, unit="7-1-101", kind="refund", amount="100.01")
    assert (err.value.code, err.value.status) == ("insufficient_balance", 409)
    db.session.rollback()
    services.post_entry(c, unit="7-1-101", kind="refund", amount="100.00", memo="房屋拆除退还")
    assert row(c, "7-1-101").balance_fen == 0


@pytest.mark.parametrize(("kwargs", "code", "field"), [
    ({"unit": "7-1-101", "kind": "bonus", "amount": "1.00"}, "validation_error", "kind"),
    ({"unit": "7-1-101", "kind": "expense_share", "amount": "1.00"}, "validation_error", "kind"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "0.00"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "-5.00"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "1.005"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": 1.5}, "validation_error", "amount"),
    ({"unit": "9-9-999", "kind": "initial", "amount": "1.00"}, "unknown_unit", "unit"),
    ({"unit": None, "kind": "top_up", "amount": "1.00"}, "validation_error", "unit"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "1.00", "memo": "x" * 501},
     "validation_error", "memo"),
])
def test_bad_entries_are_refused_with_the_field_named(oc, kwargs, code, field):
    with pytest.raises(DomainError) as err:
        services.post_entry(oc.compound, **kwargs)
    assert (err.value.code, err.value.field) == (code, field)
    assert db.session.scalar(select(func.count(FundEntry.id))) == 0


def test_a_unit_of_another_compound_is_unknown(oc):
    with pytest.raises(DomainError) as err:
        services.post_entry(oc.compound, unit=oc.elsewhere.id + 10_000, kind="initial",
                            amount="1.00")
    assert err.value.code == "unknown_unit"


def test_interest_spread_by_balance_adds_up_exactly(oc):
    c = oc.compound
    for label, amount in (("7-1-101", "3333.33"), ("7-1-102", "3333.33"), ("7-2-101", "3333.34")):
        services.post_entry(c, unit=label, kind="initial", amount=amount)
    posting = services.post_entry(c, kind="interest", amount="100.00")  # no unit: spread
    assert posting.basis == "balance" and posting.entry_count == 3
    credits = sorted(e.amount_fen for e, _ in accounts.posting_entries(posting))
    assert sum(credits) == 10_000 and credits == [3333, 3333, 3334]
    # units with no balance get nothing by balance
    assert row(c, "8-1-101").balance_fen == 0
    assert verify.verify().ok


def test_income_spread_by_area_reaches_every_unit_even_with_no_balance(oc):
    c = oc.compound
    posting = services.spread(c, kind="income", total="1000.01", basis="area", memo="广告位收益")
    shares = {label: e.amount_fen for e, label in accounts.posting_entries(posting)}
    assert sum(shares.values()) == 100_001 and len(shares) == 5
    # 100,001 fen over 424.58 m²: each within a fen of its exact part
    total = Decimal("424.58")
    areas = {"7-1-101": "88.05", "7-1-102": "92.10", "7-2-101": "66.66", "7-2-102": "100.00",
             "8-1-101": "77.77"}
    for label, a in areas.items():
        assert abs(shares[label] - Decimal(100_001) * Decimal(a) / total) < 1


def test_spread_by_balance_with_no_balances_is_refused_not_switched(oc):
    with pytest.raises(DomainError) as err:
        services.spread(oc.compound, kind="interest", total="10.00", basis="balance")
    assert (err.value.code, err.value.status) == ("nothing_to_spread", 409)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=st.integers(min_value=1, max_value=10**11), basis=st.sampled_from(["area", "balance"]))
def test_spreads_and_shares_add_up_for_any_amount(oc, cents, basis):
    c = oc.compound
    if not db.session.scalar(select(func.count(FundEntry.id))):
        services.post_entry(c, unit="7-1-101", kind="initial", amount="0.01")
        services.post_entry(c, unit="7-2-101", kind="initial", amount="9999.99")
    amount = f"{cents // 100}.{cents % 100:02d}"
    posting = services.spread(c, kind="interest", total=amount, basis=basis)
    assert sum(e.amount_fen for e, _ in accounts.posting_entries(posting, 100)) == cents
    plan = projects.plan_project(c, title="x", cost=amount, scope=[], emergency=True, reason="r")
    assert sum(s.amount_fen for s in plan.shares) == cents
    exact = {s.unit_id: Decimal(cents) * s.area / plan.area for s in plan.shares}
    assert all(abs(s.amount_fen - exact[s.unit_id]) < 1 for s in plan.shares)


def test_reversing_a_spent_deposit_turns_the_spending_into_arrears(oc):
    c = oc.compound
    deposit = services.post_entry(c, unit="7-1-101", kind="initial", amount="10000.00")
    projects.create_project(c, title="楼道灯", cost="2000.00",
                            scope=projects.parse_scope_text("7-1-101"), emergency=True,
                            reason="照明故障")
    assert row(c, "7-1-101").balance_fen == 800_000
    reversal = services.reverse(deposit, "记错房屋：应为7-1-102")
    a = row(c, "7-1-101")
    assert (a.balance_fen, a.expense_arrears_fen, a.initial_paid_fen) == (0, 200_000, 0)
    assert reversal.kind == "reversal" and reversal.reverses_posting_id == deposit.id
    assert reversal.total_fen == -1_000_000
    assert verify.verify().ok


def test_reversing_a_project_gives_every_share_back_and_marks_it(oc):
    c = oc.compound
    for label in ("7-1-101", "7-1-102"):
        services.post_entry(c, unit=label, kind="initial", amount="1000.00")
    before = {r.label: (r.balance_fen, r.expense_arrears_fen) for r in accounts.unit_rows(c)}
    project = projects.create_project(c, title="7号楼屋面", cost="5000.00",
                                      scope=projects.parse_scope_text("7"), emergency=True,
                                      emergency_kind="roof_leak", reason="顶层漏水")
    fund = db.session.scalar(select(FundAccount))
    assert fund.developer_due_fen > 0 and row(c, "7-2-101").expense_arrears_fen > 0
    services.reverse(posting_of(project), "费用录入错误")
    after = {r.label: (r.balance_fen, r.expense_arrears_fen) for r in accounts.unit_rows(c)}
    assert after == before
    db.session.refresh(project)
    db.session.refresh(fund)
    assert project.status == "reversed" and fund.developer_due_fen == 0
    assert verify.verify().ok


def test_a_posting_is_reversed_once_and_a_reversal_never(oc):
    c = oc.compound
    deposit = services.post_entry(c, unit="7-1-101", kind="initial", amount="10.00")
    reversal = services.reverse(deposit, "重复录入")
    with pytest.raises(DomainError) as err:
        services.reverse(deposit, "再来一次")
    assert (err.value.code, err.value.status) == ("already_reversed", 409)
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        services.reverse(reversal, "反冲正")
    assert err.value.code == "cannot_reverse_reversal"
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        services.reverse(deposit, "  ")
    assert err.value.field == "reason"


def test_a_reversed_project_stays_reversed(oc):
    """RepairProject.move_to is the one way its status changes: posted → reversed, once."""
    project = RepairProject(status=ProjectStatus.posted.value)
    project.move_to(ProjectStatus.reversed)
    for to in ProjectStatus:
        with pytest.raises(DomainError) as err:
            project.move_to(to)
        assert (err.value.code, err.value.status) == ("invalid_state", 409)
    assert project.status == "reversed"


def test_the_journal_cannot_be_edited_in_the_database(oc):
    services.post_entry(oc.compound, unit="7-1-101", kind="initial", amount="10.00")
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(FundEntry).values(amount_fen=1))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(FundPosting).values(memo="changed"))
        db.session.flush()
    db.session.rollback()


def test_every_posting_is_audited_with_a_digest_of_its_entries(oc):
    c = oc.compound
    for label in ("7-1-101", "7-1-102", "7-2-101"):
        services.post_entry(c, unit=label, kind="initial", amount="100.00")
    spread = services.spread(c, kind="interest", total="0.03", basis="balance")
    records = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "fund_posting").order_by(AuditEntry.seq)).all()
    assert [r.action for r in records] == ["fund.post"] * 3 + ["fund.spread"]
    assert {int(r.object_id) for r in records} == set(db.session.scalars(select(FundPosting.id)))
    data = audit.entry_data(records[-1])
    assert data["entries"] == spread.entry_count == 3 and data["total_fen"] == 3
    assert [x["amount_fen"] for x in data["lines"]] == [1, 1, 1]
    rows = [(e.id, e.unit_id, e.kind, e.amount_fen, e.balance_delta_fen, e.arrears_delta_fen,
             e.initial_delta_fen, e.balance_after_fen, e.arrears_after_fen, e.reverses_entry_id)
            for e, _ in accounts.posting_entries(spread)]
    assert data["entries_sha256"] == journal.entries_digest(rows)
    assert audit.verify().ok and verify.verify().ok


def _without_journal_trigger(statement):
    """Run `statement` with the journal's immutability trigger out of the way (a DBA
    editing the table directly), then put it back."""
    name = "fund_entry_immutable"
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"ALTER TABLE fund_entry DISABLE TRIGGER {name}"))
        db.session.execute(statement)
        db.session.execute(sa.text(f"ALTER TABLE fund_entry ENABLE TRIGGER {name}"))
    else:
        db.session.execute(sa.text(f"DROP TRIGGER {name}"))
        db.session.execute(statement)
        db.session.execute(sa.text(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON fund_entry BEGIN SELECT RAISE(ABORT, "
            "'the fund journal is immutable: post a reversal instead'); END;"))
    db.session.commit()


def test_verify_finds_an_entry_changed_behind_the_ledgers_back(oc):
    posting = services.post_entry(oc.compound, unit="7-1-101", kind="initial", amount="100.00")
    assert verify.verify().ok
    _without_journal_trigger(sa.update(FundEntry).values(amount_fen=99))
    report = verify.verify()
    assert f"posting {posting.id}: its entries do not match its audit entry" in " ".join(
        report.problems)


def test_verify_finds_a_tampered_sub_ledger_and_fund(oc, app):
    c = oc.compound
    services.post_entry(c, unit="7-1-101", kind="initial", amount="100.00")
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["fund", "verify"])
    assert ok.exit_code == 0 and "consistent" in ok.output, ok.output
    # someone edits a balance behind the ledger's back
    db.session.execute(sa.update(UnitFundAccount).values(balance_fen=99_999))
    db.session.commit()
    report = verify.verify()
    assert not report.ok
    assert any("unit" in p and "entries add up" in p for p in report.problems)
    assert any("sub-ledgers add up" in p for p in report.problems)
    bad = runner.invoke(args=["fund", "verify"])
    assert bad.exit_code == 1 and "NOT consistent" in bad.output


def test_verify_finds_an_unaudited_posting(oc):
    services.post_entry(oc.compound, unit="7-1-101", kind="initial", amount="100.00")
    # a posting slipped in without its audit entry (and the sub-ledger "fixed" to match)
    first = db.session.scalar(select(FundPosting))
    sneaky = db.session.execute(sa.insert(FundPosting).values(
        compound_id=oc.compound.id, kind="top_up", total_fen=5, balance_delta_fen=5,
        arrears_delta_fen=0, initial_delta_fen=0, developer_delta_fen=0, entry_count=1,
        memo="", created_by="x", created_at=first.created_at).returning(FundPosting.id)
    ).scalar_one()
    db.session.execute(sa.insert(FundEntry).values(
        compound_id=oc.compound.id, posting_id=sneaky, unit_id=oc.units.a.id, kind="top_up",
        amount_fen=5, balance_delta_fen=5, arrears_delta_fen=0, initial_delta_fen=0,
        balance_after_fen=10_005, arrears_after_fen=0, created_at=first.created_at))
    db.session.execute(sa.update(UnitFundAccount).values(balance_fen=10_005))
    db.session.execute(sa.update(FundAccount).values(balance_fen=10_005))
    db.session.commit()
    report = verify.verify()
    assert report.problems == [f"posting {sneaky} has no audit entry"]


@pytest.mark.parametrize(("paid", "balance", "low"), [
    (1_000_000, 300_000, False),  # exactly 30 %: not low
    (1_000_000, 299_999, True),
    (0, 0, False),  # nothing paid: no base for the 30 % rule (it shows as arrears)
])
def test_low_balance_is_below_thirty_percent_of_the_first_deposit(oc, paid, balance, low):
    c = oc.compound
    if paid:
        services.post_entry(c, unit="7-1-101", kind="initial", amount=f"{paid // 100}.00")
        spend = paid - balance
        projects.create_project(c, title="维修", cost=f"{spend // 100}.{spend % 100:02d}",
                                scope=projects.parse_scope_text("7-1-101"), emergency=True,
                                reason="急")
    r = row(c, "7-1-101")
    assert (r.balance_fen, r.low_balance) == (balance, low)
    total = accounts.summary(c)
    assert [x.label for x in total.low_balance] == (["7-1-101"] if low else [])


def test_the_fund_equals_the_sum_of_its_sub_ledgers_after_a_busy_year(oc):
    c = oc.compound
    for label, amount in (("7-1-101", "8805.00"), ("7-1-102", "4000.00"),
                          ("7-2-101", "6666.00"), ("7-2-102", "10000.00")):
        services.post_entry(c, unit=label, kind="initial", amount=amount)
    services.spread(c, kind="interest", total="123.45", basis="balance")
    services.spread(c, kind="income", total="77.77", basis="area")
    p = projects.create_project(c, title="外墙", cost="12345.67", scope=[], emergency=True,
                                emergency_kind="other", reason="外墙脱落")
    services.post_entry(c, unit="7-1-102", kind="top_up", amount="3000.00")
    services.reverse(posting_of(p), "金额有误")
    projects.create_project(c, title="外墙", cost="12000.00", scope=[], emergency=True,
                            emergency_kind="other", reason="外墙脱落")
    fund = db.session.scalar(select(FundAccount))
    rows = accounts.unit_rows(c)
    assert fund.balance_fen == sum(r.balance_fen for r in rows)
    assert fund.arrears_fen == sum(r.expense_arrears_fen for r in rows)
    assert fund.initial_paid_fen == sum(r.initial_paid_fen for r in rows)
    report = verify.verify()
    assert report.ok, report.problems
    assert report.entries == db.session.scalar(select(func.count(FundEntry.id)))
