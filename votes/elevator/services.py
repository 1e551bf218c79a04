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
from core.attachments.services import files_of
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import acting_user
from core.inputs import date as clean_date
from core.inputs import text as clean_text
from core.permissions import authorize
from core.types import AmountError, fen_to_str, parse_money, utcnow
from reports.attachments import attached
from reports.elevator_plan import PlanData, PlanLine
from votes import notices, rules
from votes.elevator.rules import (
    ElevatorSplit,
    PlanProblem,
    plan_problems,
    share_elevator_cost,
    subsidy_of,
)
from votes.elevator.shares import plan_of, project_for_vote
from votes.elevator.texts import place_text, vote_texts
from votes.models import (
    ElevatorProject,
    ElevatorProjectVote,
    RollGroup,
    RollUnit,
    RuleVariant,
    Vote,
    VoteStatus,
)
from votes.services.lifecycle import close_due_vote, new_draft

__all__ = ["place_text", "project_for_vote"]  # re-exported: the pages and the documents ask

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
    _check_plan(project)


def _problem_message(p: PlanProblem):
    floors = "、".join(str(f) for f in p.floors)
    if p.code == "cost_zero":
        return _l("Must be more than 0")
    if p.code == "floor_below":
        return _l("Floor %(f)s does not exist: floors are counted from 1", f=floors)
    if p.code == "floor_beyond":
        return _l("Floor %(f)s is above the building's %(n)s floors", f=floors, n=p.top)
    if p.code == "floors_missing":
        return _l("Floor %(f)s has no coefficient: the building has %(n)s floors and each "
                  "needs one (0 for a floor that pays nothing)", f=floors, n=p.top)
    if p.code == "fund_too_large":
        return _l("The maintenance fund can pay at most %(left)s yuan: what is left of the "
                  "cost after the subsidy", left=fen_to_str(p.left_fen))
    return _l("No home of the project stands on a floor with a coefficient above 0: nobody "
              "would pay the owners' share")


def top_floor(project: ElevatorProject, units) -> int:
    """The building's highest floor for the coefficient table: Building.floors (always set:
    the registry asks for it, 6 when unknown), raised to the highest floor a registered
    unit of the project stands on, so that no home silently pays nothing."""
    return max([project.building.floors, *(u[2] for u in units)])


def _check_plan(project: ElevatorProject) -> None:
    """Refuse (422 on the field concerned, in words) a plan that does not fit the building
    or does not add up; a plan that passes splits to the fen (votes.elevator.rules)."""
    units = project_units(project)
    problems = plan_problems(plan_of(project), top_floor(project, units),
                             [u[2] for u in units])
    if problems:
        raise invalid(_problem_message(problems[0]), problems[0].field)


def _project_snapshot(p: ElevatorProject) -> dict:
    return {"title": p.title, "building": p.building.number,
            "entrance": p.entrance.number if p.entrance else None,
            "cost": fen_to_str(p.cost_fen), "lifts": p.lifts,
            "subsidy_rate_bp": p.subsidy_rate_bp, "subsidy_cap": fen_to_str(p.subsidy_cap_fen),
            "fund": fen_to_str(p.fund_fen), "coefficients": json.loads(p.coefficients_json),
            "uses_common_land": p.uses_common_land,
            "notice_from": p.notice_from.isoformat() if p.notice_from else None,
            "notice_days": p.notice_days}


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


def _place_taken(b: Building, e: Entrance | None,
                 exclude: int | None = None) -> ElevatorProject | None:
    """The active project that already covers this place, if any (see `create_project`)."""
    q = select(ElevatorProject).where(ElevatorProject.building_id == b.id,
                                      ElevatorProject.withdrawn_at.is_(None))
    if e is not None:
        q = q.where(or_(ElevatorProject.entrance_id.is_(None), ElevatorProject.entrance_id == e.id))
    if exclude is not None:
        q = q.where(ElevatorProject.id != exclude)
    return db.session.scalar(q.limit(1))


def create_project(compound, *, building, entrance=None, title, cost, lifts=1,
                   subsidy_rate="40", subsidy_cap="280000.00", fund="0", coefficients=None,
                   uses_common_land=False, notice_from=None, notice_days=7) -> ElevatorProject:
    """An elevator retrofit project with its cost plan, and the draft votes it needs: the
    building's (or entrance's) item-7 vote and, on common land, a compound-wide vote. 422
    naming the field when the plan is wrong or does not add up; nothing written then.

    One active project a place: a project is *active* from its creation until it is
    withdrawn by hand (`withdraw_project`) — whatever its votes did. A failed vote does not
    end it (it may call a new vote), nor does approval (the lift is then being built). So a
    second project for the same building, for an entrance of a building that has a
    whole-building project, or for a whole building one of whose entrances has one, is
    refused (409 project_exists) while the other is active."""
    authorize("vote.create", compound)
    b, e = _project_place(compound, building, entrance)
    # the building's row is locked (PostgreSQL) so that two requests cannot both find it free
    db.session.scalar(select(Building.id).where(Building.id == b.id).with_for_update())
    if (other := _place_taken(b, e)) is not None:
        raise conflict("project_exists", _l(
            "%(place)s already has an elevator project under way (“%(t)s”): continue it, or "
            "withdraw it first", place=place_text(other), t=other.title), "building")
    project = ElevatorProject(compound_id=compound.id, building_id=b.id,
                              entrance_id=e.id if e else None)
    project.compound, project.building, project.entrance = compound, b, e
    if coefficients in (None, "", {}):
        coefficients = {k: str(v) for k, v in default_coefficients(
            top_floor(project, project_units(project))).items()}
    _project_fields(project, title=title, cost=cost, lifts=lifts, subsidy_rate=subsidy_rate,
                    subsidy_cap=subsidy_cap, fund=fund, coefficients=coefficients,
                    uses_common_land=uses_common_land, notice_from=notice_from,
                    notice_days=notice_days)
    db.session.add(project)
    db.session.flush()
    _ensure_project_votes(project)
    audit.record("elevator.create", "elevator_project", project.id, _project_snapshot(project),
                 compound_id=compound.id)
    notices.elevator_plan_posted(project)  # the building's owners, once per notice date
    db.session.commit()
    return project


def _check_active(project: ElevatorProject) -> None:
    if project.withdrawn:
        raise conflict("withdrawn", _l("This project was withdrawn"))


def _current_votes(project: ElevatorProject) -> list[tuple[str, Vote]]:
    """(role, vote) of the current votes, due ones closed first."""
    out = []
    for role, vote in (("building", project.building_vote), ("land", project.land_vote)):
        if vote is not None:
            close_due_vote(vote)
            out.append((role, vote))
    return out


def plan_fixed_by(project: ElevatorProject) -> Vote | None:
    """The vote that fixes the plan (announced, open, or passed), if any: the plan is what
    the owners vote on, so it is not edited under them (the page offers no edit then)."""
    for _role, vote in _current_votes(project):
        if vote.status in (VoteStatus.announced.value, VoteStatus.open.value) or (
                vote.decided and vote.result and vote.result["passed"]):
            return vote
    return None


def plan_fixed(vote: Vote) -> DomainError:
    return conflict("plan_fixed", _l(
        "The plan is fixed: a vote on it is under way or has passed (“%(t)s”)", t=vote.title))


def update_project(project: ElevatorProject, **fields) -> ElevatorProject:
    """Edit the plan (cost, subsidy, fund, coefficients, common land, notice dates). The
    plan is what the owners vote on: it is fixed (409 plan_fixed) once a vote of the project
    is announced, open or passed; while the votes are drafts their text follows the plan,
    and after a vote failed (or was cancelled or revoked) the plan may be changed before a
    new vote is called."""
    authorize("vote.create", project)
    _check_active(project)
    fixing = plan_fixed_by(project)
    if fixing is not None:
        raise plan_fixed(fixing)
    before = _project_snapshot(project)
    _project_fields(project, **fields)
    land = project.land_vote
    if not project.uses_common_land and land is not None \
            and land.status == VoteStatus.draft.value:
        _cancel_draft(project, land, "方案改为不占用小区共有场地")
        project.land_vote_id, project.land_vote = None, None
    _ensure_project_votes(project)
    _refresh_drafts(project)
    audit.record("elevator.update", "elevator_project", project.id,
                 {"before": before, "after": _project_snapshot(project)},
                 compound_id=project.compound_id)
    notices.elevator_plan_posted(project)
    db.session.commit()
    return project


def _cancel_draft(project: ElevatorProject, vote: Vote, reason: str) -> None:
    vote.move_to(VoteStatus.cancelled)
    vote.cancelled_at, vote.cancel_reason = utcnow(), reason
    audit.record("vote.cancel", "vote", vote.id, {"reason": reason,
                                                  "elevator_project": project.id},
                 compound_id=project.compound_id)


def withdraw_project(project: ElevatorProject, reason) -> ElevatorProject:
    """Withdraw a project by hand (撤回), with its reason: it is closed for good and its
    place is free for a new project. Its draft votes are cancelled with it; refused (409)
    while one of its votes is announced or open — that vote is cancelled first, by its own
    page, so that the owners are told."""
    authorize("vote.create", project)
    reason = clean_text(reason, "reason", _l("Reason"), 500)
    if project.withdrawn:
        raise conflict("withdrawn", _l("This project was withdrawn"))
    current = _current_votes(project)
    for _role, vote in current:
        if vote.status in (VoteStatus.announced.value, VoteStatus.open.value):
            raise conflict("vote_under_way", _l(
                "A vote of this project is under way (“%(t)s”): cancel it first",
                t=vote.title))
    for _role, vote in current:
        if vote.status == VoteStatus.draft.value:
            _cancel_draft(project, vote, f"加装电梯项目撤回：{reason}")
    user = acting_user()
    project.withdrawn_at, project.withdraw_reason = utcnow(), reason
    project.withdrawn_by = user.username if user is not None else ""
    audit.record("elevator.withdraw", "elevator_project", project.id, {"reason": reason},
                 compound_id=project.compound_id)
    db.session.commit()
    return project


def _ended(vote: Vote | None) -> bool:
    """May be replaced by a new vote: failed (its result stands and did not pass), cancelled
    or revoked — or there is none."""
    if vote is None:
        return True
    if vote.status in (VoteStatus.cancelled.value, VoteStatus.revoked.value):
        return True
    return vote.decided and vote.result is not None and not vote.result["passed"]


def required_roles(project: ElevatorProject) -> list[str]:
    return ["building", "land"] if project.uses_common_land else ["building"]


def call_new_votes(project: ElevatorProject, role: str | None = None) -> list[Vote]:
    """重新发起表决: a new draft vote for `role` (or for every required role whose current
    vote failed, was cancelled or revoked), written from the plan as it is now. The old
    vote stays in the project's history. 409 vote_not_ended while the current vote of that
    role is a draft, announced or open, or has passed; 409 withdrawn for a closed project."""
    authorize("vote.create", project)
    _check_active(project)
    roles = required_roles(project)
    if role not in (None, ""):
        if role not in roles:
            raise invalid(_l("This project has no vote of that kind"), "role")
        roles = [role]
    current = dict(_current_votes(project))
    renew = [r for r in roles if _ended(current.get(r))]
    if not renew:
        raise conflict("vote_not_ended", _l(
            "A new vote is called only after the current one failed, was cancelled or was "
            "revoked; it is still under way or has passed"), "role")
    for r in renew:
        if r == "building":
            project.building_vote_id, project.building_vote = None, None
        else:
            project.land_vote_id, project.land_vote = None, None
    created = _ensure_project_votes(project)
    audit.record("elevator.new_votes", "elevator_project", project.id,
                 {"votes": [v.id for v in created],
                  "replaced": {r: current[r].id for r in renew if r in current}},
                 compound_id=project.compound_id)
    db.session.commit()
    return created


def _owners_split(project: ElevatorProject) -> ElevatorSplit:
    """The figures the vote text states (subsidy, fund, owners' total); no unit needed."""
    subsidy = subsidy_of(project.cost_fen, Fraction(project.subsidy_rate_bp, 10000),
                         project.subsidy_cap_fen, project.lifts)
    return ElevatorSplit(project.cost_fen, subsidy, project.fund_fen,
                         project.cost_fen - subsidy - project.fund_fen, ())


def _ensure_project_votes(project: ElevatorProject) -> list[Vote]:
    """Create (as drafts, no commit) the votes the project still lacks, written from the
    plan, each entered in the project's history."""
    split = _owners_split(project)
    created = []
    for role in required_roles(project):
        if (project.building_vote_id if role == "building" else project.land_vote_id):
            continue
        title, question = vote_texts(project, role, split)
        if role == "building":
            v = new_draft(project.compound_id, [(project.building_id, project.entrance_id)],
                          title=title, question=question, matter=rules.Matter.rebuild.value,
                          rule_variant=RuleVariant.standard.value)
            project.building_vote_id, project.building_vote = v.id, v
        else:
            v = new_draft(project.compound_id, [], title=title, question=question,
                          matter=rules.Matter.common_use.value,
                          rule_variant=RuleVariant.elevator_land.value)
            project.land_vote_id, project.land_vote = v.id, v
        db.session.add(ElevatorProjectVote(project_id=project.id, vote_id=v.id, role=role))
        db.session.flush()
        audit.record("vote.create", "vote", v.id,
                     {"title": v.title, "matter": v.matter, "rule": v.rule_variant,
                      "elevator_project": project.id}, compound_id=project.compound_id)
        created.append(v)
    return created


def plan_texts(project: ElevatorProject, role: str) -> tuple[str, str]:
    """(title, full text) of the project's vote of `role`, written from its plan."""
    return vote_texts(project, role, _owners_split(project))


def _refresh_drafts(project: ElevatorProject) -> None:
    """A draft's text follows the plan; an announced vote's text never changes."""
    split = _owners_split(project)
    for role, vote in (("building", project.building_vote), ("land", project.land_vote)):
        if vote is not None and vote.status == VoteStatus.draft.value:
            vote.title, vote.question = vote_texts(project, role, split)


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


def _split(project: ElevatorProject, units) -> ElevatorSplit:
    return share_elevator_cost(plan_of(project), [(u[0], u[2]) for u in units])


@dataclass(frozen=True)
class VoteState:
    role: str  # "building" | "land"
    vote: Vote | None
    #: "missing" | "passed" | "failed" | the vote's status (draft … cancelled, revoked)
    state: str


#: a project's state, computed from its votes (see `project_state`)
PROJECT_STATES = ("draft", "announced", "voting", "approved", "failed", "withdrawn")


@dataclass(frozen=True)
class ProjectPlan:
    project: ElevatorProject
    split: ElevatorSplit
    #: one line a unit, as the plan's public notice prints them
    lines: list[PlanLine] = field(default_factory=list)
    #: the current vote of each required role
    votes: list[VoteState] = field(default_factory=list)
    approved: bool = False
    error: str | None = None
    state: str = "draft"
    #: every vote the project called, oldest first (the current ones included)
    history: list[VoteState] = field(default_factory=list)
    #: roles whose current vote ended without passing: a new vote may be called
    renewable: list[str] = field(default_factory=list)


def _vote_state(role: str, vote: Vote | None) -> VoteState:
    if vote is None:
        return VoteState(role, None, "missing")
    if vote.decided and vote.result_json:
        return VoteState(role, vote, "passed" if vote.result["passed"] else "failed")
    return VoteState(role, vote, vote.status)


def project_state(withdrawn: bool, states: list[str]) -> str:
    """The project's state from its current votes' states: withdrawn by hand; approved when
    every required vote passed; failed (未通过) when one failed, was cancelled or revoked —
    the project then may call a new vote; voting while one is open (or closed awaiting its
    count); announced while one is in its notice period; else draft."""
    if withdrawn:
        return "withdrawn"
    if states and all(s == "passed" for s in states):
        return "approved"
    if any(s in ("failed", "cancelled", "revoked") for s in states):
        return "failed"
    if any(s in ("open", "closed", "published") for s in states):
        return "voting"
    if "announced" in states:
        return "announced"
    return "draft"


def project_plan(project: ElevatorProject) -> ProjectPlan:
    """The cost split to the fen, the votes and the project's state: approved only when
    every required vote (the building's, and the compound's when common land is used) has
    passed."""
    current = dict(_current_votes(project))
    units = project_units(project)
    states = [_vote_state(r, current.get(r)) for r in required_roles(project)]
    state = project_state(project.withdrawn, [s.state for s in states])
    history = [_vote_state(h.role, h.vote) for h in project.vote_history]
    renewable = [] if project.withdrawn else [r for r in required_roles(project)
                                              if _ended(current.get(r))]
    try:
        split = _split(project, units)
    except ValueError as err:
        empty = ElevatorSplit(project.cost_fen, 0, 0, 0, ())
        return ProjectPlan(project, empty, [], states, False, str(err), state, history,
                           renewable)
    by_unit = split.by_unit()
    coeffs = project.coefficients
    lines = [PlanLine(label, floor, area, owners, coeffs.get(floor, Decimal(0)), by_unit[uid])
             for uid, label, floor, area, owners in units]
    return ProjectPlan(project, split, lines, states, state == "approved", None, state,
                       history, renewable)


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
        approved=plan.approved, generated_at=utcnow(),
        files=attached(files_of("elevator-projects", p.id)))
