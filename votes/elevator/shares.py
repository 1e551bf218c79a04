"""What an elevator project's vote shows each voter: the plan's figures and the voter's own
share, on the online ballot page and on the paper ballot. Kept apart from the services so
that the votes' documents can ask it without importing the elevator use-cases (which import
the votes' lifecycle)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from core.extensions import db
from reports.vote_ballots import BallotsData, ElevatorFigures, ShareLine
from votes.elevator.rules import ElevatorPlan, ElevatorSplit, share_elevator_cost
from votes.elevator.texts import SHARING_RULE
from votes.models import ElevatorProject, ElevatorProjectVote, RollGroup, RollUnit, Vote


def project_for_vote(vote: Vote) -> ElevatorProject | None:
    """The elevator project a vote belongs to, if any — its current vote or an earlier one."""
    return projects_for_votes([vote.id]).get(vote.id)


def projects_for_votes(vote_ids) -> dict[int, ElevatorProject]:
    """`project_for_vote` for many votes in one query: vote id → its project (votes that
    belong to none are absent)."""
    if not vote_ids:
        return {}
    return {vid: project for project, vid in db.session.execute(
        select(ElevatorProject, ElevatorProjectVote.vote_id).join(
            ElevatorProjectVote, ElevatorProjectVote.project_id == ElevatorProject.id)
        .where(ElevatorProjectVote.vote_id.in_(list(vote_ids))))}


def plan_of(project: ElevatorProject) -> ElevatorPlan:
    return ElevatorPlan(
        cost_fen=project.cost_fen, lifts=project.lifts,
        coefficients=project.coefficients, fund_fen=project.fund_fen,
        subsidy_rate=Fraction(project.subsidy_rate_bp, 10000),
        subsidy_cap_fen=project.subsidy_cap_fen)


def figures(project: ElevatorProject, split: ElevatorSplit) -> ElevatorFigures:
    return ElevatorFigures(
        title=project.title, cost_fen=split.cost_fen, lifts=project.lifts,
        subsidy_rate=Fraction(project.subsidy_rate_bp, 10000),
        subsidy_cap_fen=project.subsidy_cap_fen, subsidy_fen=split.subsidy_fen,
        fund_fen=split.fund_fen, owners_fen=split.owners_fen, rule=SHARING_RULE)


def ballot_shares(vote: Vote, projects: dict[int, ElevatorProject] | None = None,
                  ) -> tuple[ElevatorFigures, dict[str, tuple[ShareLine, ...]]] | None:
    """For the current building vote of an elevator project, once its roll is frozen: the
    plan's figures and, by roll group, each unit's floor, coefficient and share — the
    project's plan split over the vote's own roll, exactly as the project page shows it.
    None for any other vote (an earlier vote's plan may since have been edited). Keyed by
    the group's serial, which both the ballot page and the paper ballot carry. `projects`
    may bring the votes' projects, read once for many (`projects_for_votes`)."""
    project = project_for_vote(vote) if projects is None else projects.get(vote.id)
    if project is None or project.building_vote_id != vote.id or vote.roll_units is None:
        return None
    rows = db.session.execute(
        select(RollGroup.serial, RollUnit.unit_id, RollUnit.label, RollUnit.floor)
        .join(RollGroup, RollGroup.id == RollUnit.group_id)
        .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
    try:
        split = share_elevator_cost(plan_of(project), [(r.unit_id, r.floor) for r in rows])
    except ValueError:  # a plan saved before the service checked plans: shown on its page
        return None
    coefficients = project.coefficients
    by_unit = split.by_unit()
    lines: dict[str, list[ShareLine]] = defaultdict(list)
    for r in rows:
        lines[r.serial].append(ShareLine(r.label, r.floor,
                                         coefficients.get(r.floor, Decimal(0)),
                                         by_unit[r.unit_id]))
    return figures(project, split), {g: tuple(x) for g, x in lines.items()}


def with_elevator_shares(vote: Vote, data: BallotsData) -> BallotsData:
    """The paper ballots of an elevator project's building vote, each with the plan's
    figures and the voter's own shares; any other vote's ballots as they are."""
    found = ballot_shares(vote)
    if found is None:
        return data
    plan, by_serial = found
    return replace(data, elevator=plan, sheets=tuple(
        replace(s, shares=by_serial.get(s.serial, ())) for s in data.sheets))
