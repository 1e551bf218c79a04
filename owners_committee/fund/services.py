"""Repair-fund use-cases (住宅专项维修资金) that write the journal by hand: post entries,
spread interest and income, reverse mistakes, draw up top-up plans. Repair projects are in
`projects`, the opening-balance import in `opening_balances`, what the pages read in
`accounts`, the documents' data in `statements`, the invariants in `verify`.

Each use-case is one transaction: load, `authorize`, compute, write through
`journal.post`, audit (last), commit. Each also has a `post_*` twin that writes without
authorizing, auditing or committing, for callers that do those themselves (the demo loader,
which audits everything it loads in one entry).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from compounds.models import Compound, Unit
from core import audit
from core.auth import current_actor
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import text
from core.loader import load
from core.permissions import authorize
from core.types import fen_to_str
from owners_committee.fund import inputs, notices, projects, rules
from owners_committee.fund.accounts import unit_rows
from owners_committee.fund.journal import Line, Posted, State, audit_posting, post
from owners_committee.fund.models import (
    FundEntry,
    FundPosting,
    PostingKind,
    ProjectStatus,
    TopUpPlan,
    TopUpPlanLine,
)
from owners_committee.fund.rules import EntryKind, SpreadBasis
from votes.approvals import approval_for, decided_votes

#: what the API and the entry form accept; the rest are written by the system
MANUAL_KINDS = (EntryKind.INITIAL, EntryKind.TOP_UP, EntryKind.INTEREST, EntryKind.REFUND)
SPREAD_KINDS = (EntryKind.INTEREST, EntryKind.INCOME)


# -- loading with permission ----------------------------------------------------------------

def get_compound(compound_id: int, action: str = "fund.view") -> Compound:
    """The compound, if the user may do `action` on its fund (core.loader: 404 / 403)."""
    return load(Compound, compound_id, action)


def get_posting(posting_id: int, compound: Compound, action: str = "fund.manage") -> FundPosting:
    """A posting of this compound's journal (core.loader: 404 / 403)."""
    return load(FundPosting, posting_id, action, parent=compound)


# -- entries and spreads --------------------------------------------------------------------

def post_entry(compound: Compound, *, unit=None, kind, amount, memo="", basis=None,
               kinds: Sequence[EntryKind] = MANUAL_KINDS) -> FundPosting:
    """Post a deposit, top-up, interest or refund to one unit (API.md: fund/entries).

    Interest without a unit is spread over every unit of the compound (by balance unless
    `basis` says "area"). A top-up first clears the unit's arrears (rules.apply_top_up);
    a refund may not exceed the balance (409 insufficient_balance).
    """
    authorize("fund.manage", compound)
    kind = inputs.entry_kind(kind, kinds)
    fen = inputs.amount(amount)
    memo = inputs.memo(memo)
    if unit in (None, "") and kind in SPREAD_KINDS:
        return spread(compound, kind=kind, total=fen, basis=basis, memo=memo)
    target = inputs.unit_of(compound, unit)
    posted = post_to_unit(compound.id, target.id, kind, fen, memo)
    audit_posting(posted, "fund.post", {"unit": target.label}, compound_id=compound.id)
    db.session.commit()
    return posted.posting


def post_to_unit(compound_id: int, unit_id: int, kind: EntryKind, fen: int, memo: str, *,
                 at=None, actor=None) -> Posted:
    """Post one entry to one sub-ledger through the journal; no authorizing, audit or
    commit (the caller's). A refund larger than the balance is a 409."""
    def compute(states: dict[int, State]) -> list[Line]:
        st = states[unit_id]
        if kind is EntryKind.INITIAL:
            return [Line(unit_id, kind, fen, fen, 0, fen)]
        if kind is EntryKind.TOP_UP:
            r = rules.apply_top_up(st.balance, st.arrears, fen)
            return [Line(unit_id, kind, fen, r.new_balance_fen - st.balance, -r.cleared_fen)]
        if kind in SPREAD_KINDS:
            return [Line(unit_id, kind, fen, fen)]
        if kind is EntryKind.REFUND:
            if fen > st.balance:
                raise DomainError("insufficient_balance",
                                  _l("The refund is larger than the unit's balance (%(b)s)",
                                     b=fen_to_str(st.balance)), field="amount", status=409,
                                  details={"balance": fen_to_str(st.balance)})
            return [Line(unit_id, kind, -fen, -fen)]
        raise invalid(_l("This kind cannot be posted by hand"), "kind")

    return post(compound_id, PostingKind(kind.value), [unit_id], compute, memo=memo, at=at,
                actor=actor)


def spread(compound: Compound, *, kind, total, basis=None, memo="") -> FundPosting:
    """Spread interest or common-part income over all the compound's units, to the fen.

    By balance (how bank interest accrues) or by area (how common-part income is owned);
    the credits add up to the total exactly (largest remainder, rules.spread).
    """
    authorize("fund.manage", compound)
    kind = inputs.entry_kind(kind, SPREAD_KINDS)
    fen = total if isinstance(total, int) and not isinstance(total, bool) \
        else inputs.amount(total)
    if fen <= 0:
        raise invalid(_l("The amount must be greater than 0"), "amount")
    posted = post_spread(compound.id, kind, fen, inputs.basis(basis), inputs.memo(memo))
    audit_posting(posted, "fund.spread", {}, compound_id=compound.id)
    db.session.commit()
    return posted.posting


def post_spread(compound_id: int, kind: EntryKind, fen: int, basis: SpreadBasis, memo: str, *,
                at=None, actor=None) -> Posted:
    """Spread `fen` over every unit of the compound through the journal; no authorizing,
    audit or commit (the caller's)."""
    areas = dict(db.session.execute(
        select(Unit.id, Unit.area).where(Unit.compound_id == compound_id)).all())
    if not areas:
        raise conflict("empty_compound", _l("The compound has no units yet"))

    def compute(states: dict[int, State]) -> list[Line]:
        try:
            credits = rules.spread(fen, [(u, areas[u], states[u].balance)
                                         for u in sorted(states) if u in areas], basis)
        except ValueError:
            raise conflict("nothing_to_spread",
                           _l("No unit has a balance to spread by; spread by area instead"),
                           "basis") from None
        return [Line(u, kind, c, c) for u, c in credits.items() if c > 0]

    return post(compound_id, PostingKind(kind.value), None, compute, memo=memo,
                basis=basis.value, at=at, actor=actor)


# -- reversals ------------------------------------------------------------------------------

def reverse(posting: FundPosting, reason: str) -> FundPosting:
    """Reverse a whole posting (冲正) — the only way to correct the journal.

    Every entry gets a reversal entry that undoes its effect on the owner's net position
    exactly (rules.reverse_entry); a repair project's reversal also takes back the
    developer's part and marks the project reversed. A posting is reversed at most once and a
    reversal is never itself reversed (post the right entry instead).
    """
    authorize("fund.manage", posting)
    reason = inputs.memo(reason, "reason")
    if not reason:
        raise invalid(_l("Give the reason for the reversal"), "reason")
    posted = post_reversal(posting, reason)
    audit_posting(posted, "fund.reverse", {"reverses": posting.id, "reason": reason},
                  compound_id=posting.compound_id)
    db.session.commit()
    return posted.posting


def post_reversal(posting: FundPosting, reason: str, *, at=None, actor=None) -> Posted:
    """Reverse `posting` through the journal (and mark its project reversed); no
    authorizing, audit or commit (the caller's)."""
    if posting.kind == PostingKind.reversal.value:
        raise conflict("cannot_reverse_reversal",
                       _l("A reversal cannot be reversed; post the correct entry instead"))
    originals = db.session.execute(
        select(FundEntry.id, FundEntry.unit_id, FundEntry.kind, FundEntry.amount_fen,
               FundEntry.balance_delta_fen, FundEntry.arrears_delta_fen,
               FundEntry.initial_delta_fen)
        .where(FundEntry.posting_id == posting.id).order_by(FundEntry.id)).all()

    def check() -> None:  # inside the lock: two simultaneous reversals, one wins
        if db.session.scalar(select(FundPosting.id)
                             .where(FundPosting.reverses_posting_id == posting.id)):
            raise conflict("already_reversed", _l("This posting has already been reversed"))

    def compute(states: dict[int, State]) -> list[Line]:
        # one entry per unit in every posting, so each reversal reads its unit's state as is
        lines = []
        for e in originals:
            st = states[e.unit_id]
            r = rules.reverse_entry(st.balance, st.arrears, e.balance_delta_fen,
                                    e.arrears_delta_fen)
            db_, da_ = r.deltas(st.balance, st.arrears)
            lines.append(Line(e.unit_id, EntryKind.REVERSAL, -e.amount_fen, db_, da_,
                              -e.initial_delta_fen, reverses_entry_id=e.id))
        return lines

    posted = post(posting.compound_id, PostingKind.reversal,
                  sorted({e.unit_id for e in originals}), compute, memo=reason,
                  reverses_posting_id=posting.id,
                  developer_delta=-posting.developer_delta_fen, at=at, actor=actor,
                  before=check)
    if posting.project is not None:
        posting.project.move_to(ProjectStatus.reversed)
    return posted


# -- top-up plans ---------------------------------------------------------------------------

def raise_fund_votes(compound: Compound):
    """Passed item-6 votes (raising the fund) of the compound, for the plan form's list."""
    return decided_votes(compound.id, "raise_fund")


#: why a vote is not the basis of a top-up plan (votes.approvals' reasons)
_NOT_A_BASIS = {
    "vote_not_found": _l("There is no such vote in this compound"),
    "wrong_matter": _l("The vote was not about raising the maintenance fund"),
    "vote_not_closed": _l("The vote has not been closed yet"),
    "vote_cancelled": _l("The vote was cancelled"),
    "vote_revoked": _l("The vote's decision was revoked by the street office or district"),
    "vote_failed": _l("The vote did not pass"),
    "scope_not_covered": _l("Some units of the plan's scope were not in the vote's roll"),
}


def _plan_scope(compound: Compound, scope) -> projects.ResolvedScope:
    """The plan's scope: buildings and entrances (written "5", "5-2", or as the API's
    objects); none = the whole compound. Something that is not in the compound is refused,
    as a vote's scope is, and so is a single unit: a top-up is the decision of the owners
    of a building or an entrance, not of one flat."""
    items = projects.parse_scope_text(scope) if isinstance(scope, str) \
        else projects.parse_scope_json(scope)
    units = [i.text for i in items if i.unit]
    if units:
        raise DomainError("invalid_scope",
                          _l("A top-up plan's scope is buildings and entrances, not single "
                             "units: %(items)s", items=", ".join(units[:20])),
                          field="scope", details={"units": units})
    return projects.resolve_scope(compound, items)


def _basis(compound: Compound, unit_ids: list[int], vote_id, local_rule) -> tuple:
    """(vote id, vote title, local rule): a passed item-6 vote covering the scope, or —
    where the compound has no owners' assembly to vote — the local rule the plan rests on,
    cited in full. Neither: 409 ``basis_required``."""
    rule = text(local_rule, "local_rule", _l("Local rule"), 2000, required=False)
    if vote_id not in (None, ""):
        if isinstance(vote_id, str) and vote_id.isdigit():
            vote_id = int(vote_id)
        if isinstance(vote_id, bool) or not isinstance(vote_id, int):
            raise invalid(_l("vote_id must be a number"), "vote_id")
        ok, reason, vote = approval_for(vote_id, compound.id, unit_ids, matter="raise_fund")
        if not ok:
            raise DomainError("approval_required",
                              _NOT_A_BASIS.get(reason, _NOT_A_BASIS["vote_not_found"]),
                              field="vote_id", status=409, details={"reason": reason})
        return vote_id, vote.title, ""
    if rule:
        return None, "", rule
    raise DomainError("basis_required",
                      _l("A top-up needs its basis: the owners' passed vote on raising the "
                         "fund that covers the scope, or, where no owners' assembly exists, "
                         "the local rule it rests on"), field="vote_id", status=409)


def create_top_up_plan(compound: Compound, *, title, target_pct=100, due_on=None,
                       vote_id=None, local_rule="", scope=None,
                       instructions="") -> TopUpPlan:
    """A top-up plan (续筹) for the units of its scope (buildings, entrances; none = the
    whole compound): each unit's balance back to `target_pct`% of the first-deposit
    standard (rate × area), plus the arrears a payment clears first. It rests on a passed
    item-6 vote covering the scope or, where there is no owners' assembly, on the local rule
    it cites; the basis is printed on every notice. Frozen when created."""
    authorize("fund.manage", compound)
    title = text(title, "title", _l("Title"), 200)
    instructions = text(instructions, "instructions", _l("How to pay"), 2000, required=False)
    if isinstance(target_pct, bool) or not isinstance(target_pct, int) \
            or not 1 <= target_pct <= 300:
        raise invalid(_l("The target must be between 1 and 300 percent"), "target_pct")
    if compound.fund_rate_fen is None:
        raise conflict("no_fund_rate",
                       _l("Set the compound's first-deposit rate (yuan per m²) first"))
    resolved = _plan_scope(compound, scope)
    in_scope = [u.unit_id for u in resolved.units]
    vote_id, vote_title, rule = _basis(compound, in_scope, vote_id, local_rule)
    rows = unit_rows(compound, None if resolved.whole_compound else in_scope)
    due_lines = rules.top_up_plan([(r.unit_id, r.area, r.balance_fen) for r in rows],
                                  compound.fund_rate_fen, Fraction(target_pct, 100))
    actor_id, actor_name = current_actor()
    plan = TopUpPlan(compound_id=compound.id, title=title, target_pct=target_pct,
                     rate_fen=compound.fund_rate_fen, due_on=due_on,
                     scope_text=resolved.text, whole_compound=resolved.whole_compound,
                     vote_id=vote_id, vote_title=vote_title, local_rule=rule,
                     instructions=instructions, created_by_id=actor_id,
                     created_by=actor_name)
    db.session.add(plan)
    db.session.flush()
    lines = []
    for n, (r, line) in enumerate(zip(rows, due_lines, strict=True)):
        due = line.due_fen + r.expense_arrears_fen
        if due <= 0:
            continue
        lines.append({"plan_id": plan.id, "unit_id": r.unit_id, "label": r.label,
                      "area": r.area, "developer_held": r.developer_held,
                      "balance_fen": r.balance_fen, "target_fen": line.target_fen,
                      "top_up_fen": line.due_fen, "arrears_fen": r.expense_arrears_fen,
                      "due_fen": due, "sort_key": f"{n:06d}"})
    if lines:
        db.session.execute(insert(TopUpPlanLine), lines)
    plan.units = len(lines)
    plan.total_due_fen = sum(x["due_fen"] for x in lines)
    audit.record("fund.top_up_plan", "top_up_plan", plan.id,
                 {"title": title, "target_pct": target_pct, "rate_fen": plan.rate_fen,
                  "units": plan.units, "total_due_fen": plan.total_due_fen,
                  "scope": plan.scope_text, "vote": plan.vote_id, "local_rule": rule,
                  "due_on": due_on}, compound_id=compound.id)
    notices.top_up_plan_issued(plan, compound)  # the units' owners, with the plan
    db.session.commit()
    return plan


def plan_lines(plan: TopUpPlan) -> list[TopUpPlanLine]:
    """The plan's lines (one per unit that owes), in registry order."""
    return list(db.session.scalars(select(TopUpPlanLine).where(TopUpPlanLine.plan_id == plan.id)
                                   .order_by(TopUpPlanLine.id)))


def list_plans(compound: Compound) -> list[TopUpPlan]:
    """The compound's top-up plans, newest first."""
    return list(db.session.scalars(select(TopUpPlan).where(TopUpPlan.compound_id == compound.id)
                                   .order_by(TopUpPlan.id.desc())))
