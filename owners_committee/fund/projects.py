"""Repair projects (维修项目): what is repaired, for whom, at what cost, approved how — and
the posting that charges each unit's share of the cost to its sub-ledger.

A project names its scope (buildings, entrances, units; none = the whole compound) and
its approval: a passed owners' vote on using the fund (item 5) whose roll covers the scope,
or an emergency repair with its reason, which the owners are told of afterwards. The cost
is shared by area (rules.apportion_by_area); developer-held units' shares are charged to the
developer. `plan_project` is the preview, `create_project` posts the same computation,
guarded by the preview's digest.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from compounds import services as registry
from compounds.models import Building, Compound, Entrance, Unit
from core import audit
from core.auth import current_actor
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import text
from core.permissions import authorize
from core.types import utcnow
from owners_committee.fund import inputs, rules
from owners_committee.fund.accounts import year_bounds
from owners_committee.fund.journal import (
    BY_COMPOUND,
    Line,
    State,
    audit_posting,
    chunks,
    insert_rows,
    post,
)
from owners_committee.fund.models import (
    EmergencyKind,
    FundPosting,
    PostingKind,
    ProjectStatus,
    RepairProject,
    RepairProjectScope,
    RepairProjectShare,
    UnitFundAccount,
)
from owners_committee.fund.rules import EntryKind
from votes.approvals import approval_for, decided_votes


@dataclass(frozen=True)
class ScopeItem:
    """One item of a project's scope as given: a building, an entrance or a unit."""

    building: str | None = None
    entrance: str | None = None
    unit: str | None = None

    @property
    def text(self) -> str:
        if self.unit:
            return self.unit
        return self.building if not self.entrance else f"{self.building}-{self.entrance}"


_SPLIT = re.compile(r"[\s,，;；、]+")


def parse_scope_text(written: str) -> list[ScopeItem]:
    """The form's scope: items separated by lines, commas or spaces — "7" (a building),
    "7-2" (an entrance), "7-2-301" (a unit). Empty: the whole compound."""
    items = []
    for token in _SPLIT.split(written or ""):
        token = token.strip()
        if not token:
            continue
        parts = token.split("-")
        if len(parts) == 1:
            items.append(ScopeItem(building=parts[0]))
        elif len(parts) == 2:
            items.append(ScopeItem(building=parts[0], entrance=parts[1]))
        else:
            items.append(ScopeItem(unit=token))
    return items


def parse_scope_json(value) -> list[ScopeItem]:
    """The API's scope: omitted = whole compound; else a list of {"building"},
    {"building", "entrance"} or {"unit"} (a label or id); strings like "7-2" also do."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(_l("Scope must be a list"), "scope")
    items = []
    for n, raw in enumerate(value):
        if isinstance(raw, str):
            items += parse_scope_text(raw)
            continue
        if not isinstance(raw, dict):
            raise invalid(_l("Scope item %(n)s is not an object", n=n), "scope")
        unit, building, entrance = raw.get("unit"), raw.get("building"), raw.get("entrance")
        if unit is not None and not isinstance(unit, bool) and isinstance(unit, int | str):
            items.append(ScopeItem(unit=str(unit)))
        elif isinstance(building, str | int) and not isinstance(building, bool):
            if entrance is not None and not (isinstance(entrance, str | int)
                                             and not isinstance(entrance, bool)):
                raise invalid(_l("Scope item %(n)s is not an object", n=n), "scope")
            items.append(ScopeItem(building=str(building),
                                   entrance=None if entrance is None else str(entrance)))
        else:
            raise invalid(_l("Scope item %(n)s names no building or unit", n=n), "scope")
    return items


class ScopeUnit(NamedTuple):
    unit_id: int
    label: str
    area: Decimal
    developer_held: bool


@dataclass(frozen=True)
class ResolvedScope:
    units: tuple[ScopeUnit, ...]
    #: (building_id, entrance_id, unit_id, label) rows to store
    rows: tuple[tuple[int | None, int | None, int | None, str], ...]
    text: str
    whole_compound: bool


def resolve_scope(compound: Compound, items: list[ScopeItem]) -> ResolvedScope:
    """The units of the scope, in registry order; every unknown item reported at once."""
    buildings = {b.number: b for b in db.session.scalars(
        select(Building).where(Building.compound_id == compound.id)
        .options(selectinload(Building.entrances)))}
    b_ids: set[int] = set()
    e_ids: set[int] = set()
    u_ids: set[int] = set()
    rows, texts, bad = [], [], []
    for item in items:
        if item.unit:
            unit = registry.find_unit(compound, item.unit)
            if unit is None:
                bad.append(item.text)
                continue
            if unit.id not in u_ids:
                u_ids.add(unit.id)
                rows.append((unit.building_id, unit.entrance_id, unit.id, unit.label))
                texts.append(unit.label)
            continue
        building = buildings.get(item.building or "")
        if building is None:
            bad.append(item.text)
            continue
        if item.entrance is None:
            if building.id not in b_ids:
                b_ids.add(building.id)
                rows.append((building.id, None, None, building.number))
                texts.append(f"{building.number}号楼")
            continue
        entrance = next((e for e in building.entrances if e.number == item.entrance), None)
        if entrance is None:
            bad.append(item.text)
            continue
        if entrance.id not in e_ids:
            e_ids.add(entrance.id)
            rows.append((building.id, entrance.id, None, f"{building.number}-{entrance.number}"))
            texts.append(f"{building.number}号楼{entrance.number}单元")
    if bad:
        raise DomainError("invalid_scope",
                          _l("Not in this compound: %(items)s", items=", ".join(bad[:20])),
                          field="scope", details={"unknown": bad})
    whole = not items
    q = (select(Unit.id, Unit.label, Unit.area, Unit.developer_held)
         .join(Building, Building.id == Unit.building_id)
         .join(Entrance, Entrance.id == Unit.entrance_id)
         .where(Unit.compound_id == compound.id)
         .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key, Unit.id))
    if not whole:
        conds = []
        if b_ids:
            conds.append(Unit.building_id.in_(b_ids))
        if e_ids:
            conds.append(Unit.entrance_id.in_(e_ids))
        for chunk in chunks(sorted(u_ids)):
            conds.append(Unit.id.in_(chunk))
        q = q.where(or_(*conds))
    units = tuple(ScopeUnit(*r) for r in db.session.execute(q))
    if not units:
        raise DomainError("empty_scope", _l("The scope holds no units"), field="scope")
    return ResolvedScope(units, tuple(rows), "；".join(texts) if texts else "全体业主（整个小区）",
                         whole)


@dataclass(frozen=True)
class Approval:
    """Who allowed the spending: a vote (with its summary) or an emergency (with reason)."""

    vote_id: int | None
    vote: dict
    emergency_kind: str | None
    reason: str

    @property
    def by_vote(self) -> bool:
        return self.vote_id is not None


class ShareLine(NamedTuple):
    unit_id: int
    label: str
    area: Decimal
    developer_held: bool
    amount_fen: int
    #: from the sub-ledger and as arrears, with the balances as they are now
    debit_fen: int
    arrears_fen: int
    balance_fen: int


@dataclass(frozen=True)
class ProjectPlan:
    """A project as it would be posted (shown before posting)."""

    title: str
    description: str
    contractor: str
    cost_fen: int
    scope: ResolvedScope
    approval: Approval
    shares: tuple[ShareLine, ...]
    digest: str

    @property
    def area(self) -> Decimal:
        return sum((s.area for s in self.shares), Decimal("0.00"))

    @property
    def developer_fen(self) -> int:
        return sum(s.amount_fen for s in self.shares if s.developer_held)

    @property
    def owners_fen(self) -> int:
        return self.cost_fen - self.developer_fen

    @property
    def arrears_fen(self) -> int:
        return sum(s.arrears_fen for s in self.shares)

    @property
    def debit_fen(self) -> int:
        return sum(s.debit_fen for s in self.shares)


def _lifts_in(compound: Compound, unit_ids: list[int]) -> bool:
    """Whether a unit of the scope is in a building with a lift. The registry's building
    flag (`has_elevator`) is the one source: a lift added by a retrofit counts once the
    building's record says so."""
    with_lift = set(db.session.scalars(
        select(Unit.id).join(Building, Building.id == Unit.building_id)
        .where(Unit.compound_id == compound.id, Building.has_elevator.is_(True))))
    return not with_lift.isdisjoint(unit_ids)


def _approval(compound: Compound, unit_ids: list[int], vote_id, emergency, emergency_kind,
              reason) -> Approval:
    """A passed item-5 vote covering the scope, or an emergency with a reason; else 409."""
    reason = text(reason, "reason", _l("Reason"), 2000, required=False)
    vote_reason = None
    if vote_id not in (None, ""):
        if isinstance(vote_id, str) and vote_id.isdigit():
            vote_id = int(vote_id)
        if isinstance(vote_id, bool) or not isinstance(vote_id, int):
            raise invalid(_l("vote_id must be a number"), "vote_id")
        ok, vote_reason, summary = approval_for(vote_id, compound.id, unit_ids)
        if ok and db.session.scalar(select(RepairProject.id).where(
                RepairProject.vote_id == vote_id,
                RepairProject.status == ProjectStatus.posted.value)):
            ok, vote_reason = False, "vote_already_used"
        if ok:
            return Approval(vote_id, summary.as_dict(), None, "")
    if emergency:
        kind = emergency_kind or EmergencyKind.other.value
        if kind not in {k.value for k in EmergencyKind}:
            raise invalid(_l("Unknown kind of emergency"), "emergency_kind")
        if kind == EmergencyKind.elevator.value and not _lifts_in(compound, unit_ids):
            raise invalid(_l("No building of the project's scope has a lift: choose another "
                             "kind of emergency"), "emergency_kind")
        if reason:
            return Approval(None, {}, kind, reason)
        vote_reason = vote_reason or "emergency_reason_missing"
    messages = {
        None: _l("Using the fund needs a passed owners' vote on using the fund that covers "
                 "the scope, or an emergency repair with its reason"),
        "vote_not_found": _l("There is no such vote in this compound"),
        "wrong_matter": _l("The vote was not about using the maintenance fund"),
        "vote_not_closed": _l("The vote has not been closed yet"),
        "vote_cancelled": _l("The vote was cancelled"),
        "vote_revoked": _l("The vote's decision was revoked by the street office or district"),
        "vote_failed": _l("The vote did not pass"),
        "scope_not_covered": _l("Some units of the project were not in the vote's roll"),
        "vote_already_used": _l("The vote already approved another project"),
        "emergency_reason_missing": _l("An emergency repair needs its reason"),
    }
    raise DomainError("approval_required", messages.get(vote_reason, messages[None]),
                      field="reason" if vote_reason == "emergency_reason_missing" else "vote_id",
                      status=409, details={"reason": vote_reason or "no_approval"})


def _digest(cost: int, approval: Approval, shares: Iterable[tuple[int, int]]) -> str:
    """What the preview showed: cost, approval and every unit's share."""
    head = f"{cost}|{approval.vote_id}|{approval.emergency_kind}|"
    body = ";".join(f"{u}:{a}" for u, a in shares)
    return hashlib.sha256((head + body).encode()).hexdigest()[:32]


def plan_project(compound: Compound, *, title, description="", contractor="", cost,
                 scope: list[ScopeItem], vote_id=None, emergency=False, emergency_kind=None,
                 reason="", _with_balances: bool = True) -> ProjectPlan:
    """Check a project and share its cost by area over the scope (nothing is written).

    The preview a committee member confirms, and the same computation `create_project`
    posts: developer-held units' shares are charged to the developer; each owner's share is
    taken from the sub-ledger as far as the balance goes, the rest becomes arrears.
    """
    authorize("fund.manage", compound)
    title = text(title, "title", _l("Title"), 200)
    description = text(description, "description", _l("Why"), 4000, required=False)
    contractor = text(contractor, "contractor", _l("Contractor"), 200, required=False)
    cost_fen = inputs.amount(cost, "cost")
    resolved = resolve_scope(compound, scope)
    unit_ids = [u.unit_id for u in resolved.units]
    approval = _approval(compound, unit_ids, vote_id, emergency, emergency_kind, reason)
    split = rules.apportion_by_area(
        cost_fen, [(u.unit_id, u.area, u.developer_held) for u in resolved.units])
    # the preview shows what each balance covers; posting recomputes that under the lock
    balances = _balances(compound.id, unit_ids) if _with_balances else {}
    shares = []
    for u, s in zip(resolved.units, split.shares, strict=True):
        bal, _arr = balances.get(u.unit_id, (0, 0))
        if u.developer_held or not _with_balances:
            shares.append(ShareLine(u.unit_id, u.label, u.area, u.developer_held, s.amount_fen,
                                    0, 0, bal))
        else:
            r = rules.apply_expense(bal, s.amount_fen)
            shares.append(ShareLine(u.unit_id, u.label, u.area, False, s.amount_fen,
                                    r.debit_fen, r.arrears_added_fen, bal))
    digest = _digest(cost_fen, approval, ((s.unit_id, s.amount_fen) for s in shares))
    return ProjectPlan(title, description, contractor, cost_fen, resolved, approval,
                       tuple(shares), digest)


def _balances(compound_id: int, unit_ids: list[int]) -> dict[int, tuple[int, int]]:
    out = {}
    if len(unit_ids) > BY_COMPOUND:  # one query for the compound beats 20 IN lists
        wanted = set(unit_ids)
        for u, bal, arr in db.session.execute(
                select(UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
                       UnitFundAccount.arrears_fen)
                .where(UnitFundAccount.compound_id == compound_id)):
            if u in wanted:
                out[u] = (bal, arr)
        return out
    for chunk in chunks(sorted(unit_ids)):
        for u, bal, arr in db.session.execute(
                select(UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
                       UnitFundAccount.arrears_fen).where(UnitFundAccount.unit_id.in_(chunk))):
            out[u] = (bal, arr)
    return out


def create_project(compound: Compound, *, expect_digest: str | None = None, **fields
                   ) -> RepairProject:
    """Record a repair project and post its shares in one transaction.

    `expect_digest` (from the preview) refuses the posting if the shares would differ from
    what was shown (409 preview_changed: e.g. the registry changed meanwhile).
    """
    plan = plan_project(compound, **fields, _with_balances=False)
    if expect_digest is not None and expect_digest != plan.digest:
        raise conflict("preview_changed",
                       _l("The shares changed since the preview; check them again"))
    project = post_project(compound, plan)
    db.session.commit()
    return project


def post_project(compound: Compound, plan: ProjectPlan, *, at=None, actor=None,
                 record: bool = True) -> RepairProject:
    """Write the project, its scope and shares, and post the shares. `record=False` only
    for the demo loader, which audits everything it loads in one entry."""
    actor_id, actor_name = actor or current_actor()
    a = plan.approval
    project = RepairProject(
        compound_id=compound.id, title=plan.title, description=plan.description,
        contractor=plan.contractor, cost_fen=plan.cost_fen, scope_text=plan.scope.text,
        whole_compound=plan.scope.whole_compound, vote_id=a.vote_id,
        vote_summary_json=json.dumps(a.vote, ensure_ascii=False),
        emergency_kind=a.emergency_kind, emergency_reason=a.reason,
        notice_due=a.emergency_kind is not None, status=ProjectStatus.posted.value,
        units=len(plan.shares), area=plan.area, owners_fen=plan.owners_fen,
        developer_fen=plan.developer_fen, created_by_id=actor_id, created_by=actor_name,
        created_at=at or utcnow())
    db.session.add(project)
    db.session.flush()
    for b, e, u, label in plan.scope.rows:
        db.session.add(RepairProjectScope(project_id=project.id, building_id=b,
                                          entrance_id=e, unit_id=u, label=label))
    amounts = {s.unit_id: s.amount_fen for s in plan.shares if not s.developer_held}

    def compute(states: dict[int, State]) -> list[Line]:
        lines = []
        for unit_id, amount in amounts.items():
            if amount == 0:
                continue
            st = states[unit_id]
            r = rules.apply_expense(st.balance, amount)
            lines.append(Line(unit_id, EntryKind.EXPENSE_SHARE, -amount, -r.debit_fen,
                              r.arrears_added_fen))
        return lines

    posted = post(compound.id, PostingKind.expense_share, sorted(amounts), compute,
                  memo=plan.title, project_id=project.id, developer_delta=plan.developer_fen,
                  at=at, actor=actor)
    split = {line.unit_id: (-line.balance_delta, line.arrears_delta)
             for _, line, _, _ in posted.entries}
    insert_rows(RepairProjectShare.__table__, [
        {"project_id": project.id, "unit_id": s.unit_id, "label": s.label, "area": s.area,
         "developer_held": s.developer_held, "amount_fen": s.amount_fen,
         "debit_fen": split.get(s.unit_id, (0, 0))[0],
         "arrears_fen": split.get(s.unit_id, (0, 0))[1],
         "sort_key": f"{n:06d}"} for n, s in enumerate(plan.shares)])
    project.debited_fen = sum(d for d, _ in split.values())
    project.arrears_fen = sum(x for _, x in split.values())
    if not record:
        return project
    audit_posting(posted, "fund.project",
                  {"project_title": plan.title, "cost_fen": plan.cost_fen,
                   "scope": plan.scope.text, "vote": a.vote_id, "emergency": a.emergency_kind,
                   "reason": a.reason, "developer_fen": plan.developer_fen,
                   "arrears_fen": project.arrears_fen},
                  compound_id=compound.id, actor=actor)
    return project


def mark_notice_published(project: RepairProject) -> RepairProject:
    """Record that the after-the-fact notice of an emergency repair was published."""
    authorize("fund.manage", project)
    if not project.notice_due:
        raise conflict("no_notice_due", _l("This project needs no after-the-fact notice"))
    if project.notice_published_at is not None:
        raise conflict("notice_already_published", _l("The notice was already published"))
    project.notice_published_at = utcnow()
    audit.record("fund.project_notice", "repair_project", project.id,
                 {"published_at": project.notice_published_at}, compound_id=project.compound_id)
    db.session.commit()
    return project


def project_shares(project: RepairProject) -> list[RepairProjectShare]:
    """The project's shares (分摊明细) as frozen when it was posted, in registry order."""
    return list(db.session.scalars(select(RepairProjectShare)
                                   .where(RepairProjectShare.project_id == project.id)
                                   .order_by(RepairProjectShare.id)))


def project_posting(project: RepairProject) -> FundPosting | None:
    """The posting that charged the project's shares."""
    return db.session.scalar(select(FundPosting).where(
        FundPosting.project_id == project.id,
        FundPosting.kind == PostingKind.expense_share.value))


def list_projects(compound: Compound, *, year: int | None = None) -> list[RepairProject]:
    """The compound's repair projects, newest first (of `year` in Beijing time, if given)."""
    q = select(RepairProject).where(RepairProject.compound_id == compound.id)
    if year is not None:
        start, end = year_bounds(year)
        q = q.where(RepairProject.created_at >= start, RepairProject.created_at < end)
    return list(db.session.scalars(q.order_by(RepairProject.created_at.desc(),
                                              RepairProject.id.desc())))


def use_fund_votes(compound: Compound):
    """Passed item-5 votes of the compound, for the project form's choice list."""
    return decided_votes(compound.id, "use_fund")
