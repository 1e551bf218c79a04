"""Elevator retrofit projects (加装电梯): the plan (cost, subsidy, fund, floor coefficients,
public notice), the draft votes it needs — the building's (or entrance's) item-7 vote and,
when the lift stands on common land, a compound-wide vote by the Shanghai rule — and
approval only once every one of them has passed. One transaction per write, audited."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from compounds import services as registry
from compounds.models import Building, Entrance
from core import audit
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import date as clean_date
from core.inputs import text as clean_text
from core.permissions import authorize
from core.types import AmountError, fen_to_str, parse_money, utcnow
from reports.elevator_plan import PlanData, PlanLine
from votes import rules
from votes.elevator.rules import ElevatorPlan, ElevatorSplit, share_elevator_cost
from votes.models import ElevatorProject, RollGroup, RollUnit, RuleVariant, Vote
from votes.services.lifecycle import close_due_vote, new_draft

DEFAULT_COEFFICIENTS = {1: "0", 2: "0.6", 3: "1.0", 4: "1.2", 5: "1.4", 6: "1.6", 7: "1.8"}


def default_coefficients(floors: int) -> dict[int, Decimal]:
    """A common starting table (ground floor pays nothing, rising by floor); the owners
    agree their own, so this is only a suggestion to edit."""
    table = {}
    for f in range(1, max(1, floors) + 1):
        table[f] = Decimal(DEFAULT_COEFFICIENTS.get(f, str(Decimal("1.8") + Decimal("0.2")
                                                          * (f - 7))))
    return table


def _bad_table() -> DomainError:
    return invalid(_l("Write one floor per line as floor: coefficient"), "coefficients")


def parse_coefficients(value) -> dict[int, Decimal]:
    """{floor: coefficient} from a dict or from text lines "3: 1.2"; exact decimals ≥ 0."""
    items: list[tuple[object, object]]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, str):
        items = []
        for line in value.replace("，", ",").replace("：", ":").replace(",", "\n").splitlines():
            if line.strip():
                if ":" not in line:
                    raise _bad_table()
                k, v = line.split(":", 1)
                items.append((k.strip(), v.strip()))
    else:
        raise _bad_table()
    table: dict[int, Decimal] = {}
    for k, v in items:
        try:
            floor = int(str(k))
            coeff = Decimal(str(v))
        except (ValueError, ArithmeticError):
            raise _bad_table() from None
        if isinstance(v, float) or not coeff.is_finite() or coeff < 0 or coeff > 1000 \
                or coeff != coeff.quantize(Decimal("0.0001")):
            raise invalid(_l("A coefficient is a number from 0 with at most four decimals"),
                          "coefficients")
        if floor in table:
            raise invalid(_l("Floor %(f)s is listed twice", f=floor), "coefficients")
        table[floor] = coeff
    if not any(table.values()):
        raise invalid(_l("At least one floor needs a coefficient above 0"), "coefficients")
    return dict(sorted(table.items()))


def rate_text(bp: int) -> str:
    """A subsidy rate in basis points as the percentage people type: 4000 → "40.00"."""
    return f"{bp // 100}.{bp % 100:02d}"


def _money(value, field_name: str, *, allow_zero: bool = True) -> int:
    try:
        fen = parse_money(value)
    except AmountError as err:
        raise invalid(err.args[0], field_name) from None
    if fen == 0 and not allow_zero:
        raise invalid(_l("Must be more than 0"), field_name)
    return fen


def _rate_bp(value) -> int:
    """Subsidy rate in percent ("40" or "40.00") → basis points."""
    refused = invalid(_l("Subsidy rate is a percentage from 0 to 100"), "subsidy_rate")
    try:
        pct = Decimal(str(value).strip().rstrip("%"))
    except ArithmeticError:
        raise refused from None
    if isinstance(value, float) or not pct.is_finite() or not 0 <= pct <= 100 \
            or pct != pct.quantize(Decimal("0.01")):
        raise refused
    return int(pct * 100)


def _whole(value, field_name: str, low: int, high: int, message) -> int:
    """A whole number from `low` to `high`, given as an int or digits."""
    if isinstance(value, bool) or not isinstance(value, int | str) \
            or not str(value).strip().isdigit() or not low <= int(str(value)) <= high:
        raise invalid(message, field_name)
    return int(str(value))


def _project_fields(project: ElevatorProject, *, title, cost, lifts, subsidy_rate, subsidy_cap,
                    fund, coefficients, uses_common_land, notice_from, notice_days) -> None:
    project.title = clean_text(title, "title", _l("Title"), 200)
    project.cost_fen = _money(cost, "cost", allow_zero=False)
    project.lifts = _whole(lifts, "lifts", 1, 20, _l("Lifts: a whole number from 1 to 20"))
    project.subsidy_rate_bp = _rate_bp(subsidy_rate)
    project.subsidy_cap_fen = _money(subsidy_cap, "subsidy_cap")
    project.fund_fen = _money(fund, "fund")
    project.coefficients_json = json.dumps(
        {str(k): str(v) for k, v in parse_coefficients(coefficients).items()})
    project.uses_common_land = bool(uses_common_land)
    project.notice_from = clean_date(notice_from, "notice_from", _l("Public notice from (date)"),
                                     required=False)
    project.notice_days = _whole(notice_days, "notice_days", 7, 90,
                                 _l("The public notice stands at least 7 days"))
    paying = next(f for f, c in project.coefficients.items() if c > 0)
    try:  # the money adds up (the fund does not pay more than is left after the subsidy)
        _split(project, [(0, "", paying)])
    except ValueError as err:
        raise invalid(_l("The plan does not add up: %(e)s", e=str(err)), "fund") from None


def _project_snapshot(p: ElevatorProject) -> dict:
    return {"title": p.title, "building": p.building.number,
            "entrance": p.entrance.number if p.entrance else None,
            "cost": fen_to_str(p.cost_fen), "lifts": p.lifts,
            "subsidy_rate_bp": p.subsidy_rate_bp, "subsidy_cap": fen_to_str(p.subsidy_cap_fen),
            "fund": fen_to_str(p.fund_fen), "coefficients": json.loads(p.coefficients_json),
            "uses_common_land": p.uses_common_land,
            "notice_from": p.notice_from.isoformat() if p.notice_from else None,
            "notice_days": p.notice_days}


def project_for_vote(vote: Vote) -> ElevatorProject | None:
    """The elevator project a vote belongs to, if any."""
    return db.session.scalar(select(ElevatorProject).where(
        or_(ElevatorProject.building_vote_id == vote.id,
            ElevatorProject.land_vote_id == vote.id)))


def list_projects(compound) -> list[ElevatorProject]:
    authorize("vote.view", compound)
    return list(db.session.scalars(select(ElevatorProject).where(
        ElevatorProject.compound_id == compound.id).order_by(ElevatorProject.id.desc())))


def _project_place(compound, building, entrance):
    b = db.session.scalar(select(Building).where(
        Building.compound_id == compound.id, Building.number == str(building or "").strip()))
    if b is None:
        raise invalid(_l("No building %(n)s in this compound", n=building), "building")
    e = None
    if entrance not in (None, ""):
        e = db.session.scalar(select(Entrance).where(
            Entrance.building_id == b.id, Entrance.number == str(entrance).strip()))
        if e is None:
            raise invalid(_l("No entrance %(e)s in building %(b)s", e=entrance, b=building),
                          "entrance")
    return b, e


def create_project(compound, *, building, entrance=None, title, cost, lifts=1,
                   subsidy_rate="40", subsidy_cap="280000.00", fund="0", coefficients=None,
                   uses_common_land=False, notice_from=None, notice_days=7) -> ElevatorProject:
    """An elevator retrofit project with its cost plan, and the draft votes it needs: the
    building's (or entrance's) item-7 vote and, on common land, a compound-wide vote. 422
    naming the field when the plan is wrong or does not add up; nothing written then."""
    authorize("vote.create", compound)
    b, e = _project_place(compound, building, entrance)
    project = ElevatorProject(compound_id=compound.id, building_id=b.id,
                              entrance_id=e.id if e else None)
    project.compound, project.building, project.entrance = compound, b, e
    _project_fields(project, title=title, cost=cost, lifts=lifts, subsidy_rate=subsidy_rate,
                    subsidy_cap=subsidy_cap, fund=fund,
                    coefficients=coefficients if coefficients not in (None, "", {})
                    else {k: str(v) for k, v in default_coefficients(b.floors).items()},
                    uses_common_land=uses_common_land, notice_from=notice_from,
                    notice_days=notice_days)
    db.session.add(project)
    db.session.flush()
    _ensure_project_votes(project)
    audit.record("elevator.create", "elevator_project", project.id, _project_snapshot(project),
                 compound_id=compound.id)
    db.session.commit()
    return project


def update_project(project: ElevatorProject, **fields) -> ElevatorProject:
    """Edit the plan (cost, subsidy, fund, coefficients, common land, notice dates)."""
    authorize("vote.create", project)
    before = _project_snapshot(project)
    _project_fields(project, **fields)
    _ensure_project_votes(project)
    audit.record("elevator.update", "elevator_project", project.id,
                 {"before": before, "after": _project_snapshot(project)},
                 compound_id=project.compound_id)
    db.session.commit()
    return project


def place_text(project: ElevatorProject) -> str:
    return f"{project.building.number}号楼" + (f"{project.entrance.number}单元"
                                              if project.entrance else "")


def _ensure_project_votes(project: ElevatorProject) -> None:
    """Create (as drafts, no commit) the votes the project still lacks."""
    place = place_text(project)
    if project.building_vote_id is None:
        v = new_draft(project.compound_id, [(project.building_id, project.entrance_id)],
                      title=f"{place}加装电梯",
                      question=f"{project.title}：{place}业主对加装电梯（改建）事项进行表决。",
                      matter=rules.Matter.rebuild.value, rule_variant=RuleVariant.standard.value)
        project.building_vote_id = v.id
        db.session.flush()
        audit.record("vote.create", "vote", v.id,
                     {"title": v.title, "matter": v.matter, "elevator_project": project.id},
                     compound_id=project.compound_id)
    if project.uses_common_land and project.land_vote_id is None:
        v = new_draft(project.compound_id, [], title=f"{place}加装电梯占用小区共有场地",
                      question=f"{project.title}：电梯拟占用小区共有场地，全体业主进行表决。",
                      matter=rules.Matter.common_use.value,
                      rule_variant=RuleVariant.elevator_land.value)
        project.land_vote_id = v.id
        audit.record("vote.create", "vote", v.id,
                     {"title": v.title, "matter": v.matter, "rule": v.rule_variant,
                      "elevator_project": project.id}, compound_id=project.compound_id)


def project_units(project: ElevatorProject) -> list[tuple[int, str, int, Decimal, str]]:
    """(unit id, label, floor, area, owners) sharing the cost: the building vote's frozen
    roll once it has opened, else the registry's units of the building or entrance."""
    vote = project.building_vote
    if vote is not None and vote.roll_units is not None:
        rows = db.session.execute(
            select(RollUnit.unit_id, RollUnit.label, RollUnit.floor, RollUnit.area,
                   RollGroup.names, RollGroup.developer)
            .join(RollGroup, RollGroup.id == RollUnit.group_id)
            .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
        return [(r.unit_id, r.label, r.floor, r.area, r.names or ("开发商" if r.developer
                                                                   else "")) for r in rows]
    units = [u for u in registry.all_units(project.compound)
             if u.building_id == project.building_id
             and (project.entrance_id is None or u.entrance_id == project.entrance_id)]
    return [(u.id, u.label, u.floor, u.area,
             "、".join(h.person.name for h in u.holdings) or ("开发商" if u.developer_held
                                                              else "")) for u in units]


def _plan(project: ElevatorProject) -> ElevatorPlan:
    return ElevatorPlan(
        cost_fen=project.cost_fen, lifts=project.lifts,
        coefficients=project.coefficients, fund_fen=project.fund_fen,
        subsidy_rate=Fraction(project.subsidy_rate_bp, 10000),
        subsidy_cap_fen=project.subsidy_cap_fen)


def _split(project: ElevatorProject, units) -> ElevatorSplit:
    return share_elevator_cost(_plan(project), [(u[0], u[2]) for u in units])


@dataclass(frozen=True)
class VoteState:
    role: str  # "building" | "land"
    vote: Vote | None
    state: str  # "missing" | status | "passed" | "failed"


@dataclass(frozen=True)
class ProjectPlan:
    project: ElevatorProject
    split: ElevatorSplit
    #: one line a unit, as the plan's public notice prints them
    lines: list[PlanLine] = field(default_factory=list)
    votes: list[VoteState] = field(default_factory=list)
    approved: bool = False
    error: str | None = None


def _vote_state(role: str, vote: Vote | None) -> VoteState:
    if vote is None:
        return VoteState(role, None, "missing")
    if vote.decided and vote.result_json:
        return VoteState(role, vote, "passed" if vote.result["passed"] else "failed")
    return VoteState(role, vote, vote.status)


def project_plan(project: ElevatorProject) -> ProjectPlan:
    """The cost split to the fen and the approval state: approved only when every required
    vote (the building's, and the compound's when common land is used) has passed."""
    for v in (project.building_vote, project.land_vote):
        if v is not None:
            close_due_vote(v)
    units = project_units(project)
    states = [_vote_state("building", project.building_vote)]
    if project.uses_common_land:
        states.append(_vote_state("land", project.land_vote))
    approved = all(s.state == "passed" for s in states)
    try:
        split = _split(project, units)
    except ValueError as err:
        empty = ElevatorSplit(project.cost_fen, 0, 0, 0, ())
        return ProjectPlan(project, empty, [], states, False, str(err))
    by_unit = split.by_unit()
    coeffs = project.coefficients
    lines = [PlanLine(label, floor, area, owners, coeffs.get(floor, Decimal(0)), by_unit[uid])
             for uid, label, floor, area, owners in units]
    return ProjectPlan(project, split, lines, states, approved)


def plan_document(project: ElevatorProject) -> PlanData:
    """The cost-sharing plan for its public notice (公示); 409 plan_invalid when the plan
    does not add up over the units it covers."""
    plan = project_plan(project)
    if plan.error:
        raise conflict("plan_invalid", plan.error)
    p = project
    notice_to = p.notice_from + dt.timedelta(days=p.notice_days - 1) if p.notice_from else None
    return PlanData(
        compound=p.compound.name, issuer=f"{p.compound.name}居民委员会", title=p.title,
        place=place_text(p), cost_fen=p.cost_fen, lifts=p.lifts,
        subsidy_rate=Fraction(p.subsidy_rate_bp, 10000), subsidy_cap_fen=p.subsidy_cap_fen,
        subsidy_fen=plan.split.subsidy_fen, fund_fen=plan.split.fund_fen,
        owners_fen=plan.split.owners_fen, coefficients=tuple(sorted(p.coefficients.items())),
        lines=tuple(plan.lines),
        uses_common_land=p.uses_common_land, notice_from=p.notice_from, notice_to=notice_to,
        notice_days=p.notice_days,
        votes=tuple((s.role, s.vote.title if s.vote else "", s.state) for s in plan.votes),
        approved=plan.approved, generated_at=utcnow())
