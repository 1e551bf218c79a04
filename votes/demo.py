"""Demo step of the votes: an elevator retrofit under way and a published result.

In 槐荫新村 (the first demo compound, walk-ups without lifts):

- an elevator retrofit (加装电梯) for the entrance where the demo account ``owner`` lives:
  its cost plan, its entrance vote (item 7) open for three days with about half of the
  owners' ballots in — online, paper and proxy, one of them voided and re-entered — and
  ``owner`` not yet voted, so signing in as ``owner`` shows a ballot to cast; the lift
  stands on common land, so the compound-wide vote is announced and waits for its notice
  period;
- a compound-wide vote on keeping the property company (item 4), closed three weeks ago and
  published, so its result notice can be printed;
- the entrance vote's delivery register (送达): most homes signed for the notice and ballot
  in person, a few by registered mail, two not reached yet (the door-knocking list's 未送达).

Like the other demo steps it writes rows directly and in one transaction (the roll through
the same `freeze_roll` the service uses), and is audited by the one `demo.load` entry.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert, select

from compounds.demo import DemoStep
from compounds.models import Holding, Unit
from core.extensions import db
from core.types import utcnow
from votes import rules
from votes.elevator.services import default_coefficients, plan_texts
from votes.models import (
    Ballot,
    Delivery,
    ElevatorProject,
    ElevatorProjectVote,
    RollGroup,
    RollHolder,
    RollUnit,
    RuleVariant,
    Vote,
    VoteScope,
    VoteStatus,
)
from votes.services.common import RECEIPT_ALPHABET
from votes.services.roll import freeze_roll
from votes.services.tally import compute_tally, snapshot

S = VoteStatus


def _receipt(rng) -> str:
    return "".join(rng.choice(RECEIPT_ALPHABET) for _ in range(16))


#: where the demo compound's residents' committee collects paper ballots
COLLECTION = "槐荫新村居委会办公室（3号楼底层），工作日 9:00–17:00"


def _vote(compound, *, title, question, matter, status, announced, may_open, opened=None,
          closes=None, closed=None, published=None, rule=RuleVariant.standard.value,
          scope=None, creator=None) -> Vote:
    vote = Vote(compound_id=compound.id, title=title, question=question, matter=matter,
                rule_variant=rule, status=status, announced_at=announced,
                may_open_at=may_open, opened_at=opened, closes_at=closes, closed_at=closed,
                published_at=published, created_by_id=creator, created_at=announced,
                paper_collection=COLLECTION, public_key=Vote.new_public_key())
    vote.compound = compound
    db.session.add(vote)
    db.session.flush()
    for b, e in scope or ():
        vote.scopes.append(VoteScope(building_id=b, entrance_id=e))
    db.session.flush()
    return vote


def _open(vote: Vote) -> None:
    units, area, heads = freeze_roll(vote)
    vote.roll_units, vote.roll_area, vote.roll_heads = units, area, heads


def _ballots(ctx, vote: Vote, *, share_pct: int, agree_pct: int, oppose_pct: int, since,
             until, skip_person: int | None = None) -> int:
    """Cast ballots for about `share_pct` % of the roll's voters, between `since` and `until`.

    Proportions are whole percentages drawn with randrange, so none of it is a float.
    """
    rng = ctx.rng
    rc = ctx.users.get("rc")
    groups = db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vote.id)
                                .order_by(RollGroup.serial)).all()
    skipped = set()
    if skip_person is not None:
        skipped = set(db.session.scalars(select(RollHolder.group_id).where(
            RollHolder.vote_id == vote.id, RollHolder.person_id == skip_person)))
    first_units = dict(db.session.execute(
        select(RollGroup.id, RollUnit.unit_id).join(
            RollUnit, RollUnit.group_id == RollGroup.id)
        .where(RollGroup.vote_id == vote.id).order_by(RollUnit.sort_key.desc())).all())
    rows = []
    span = int((until - since).total_seconds())
    for g in groups:
        if g.id in skipped or rng.randrange(100) >= share_pct:
            continue
        r = rng.randrange(100)
        choice = ("agree" if r < agree_pct else "oppose" if r < agree_pct + oppose_pct
                  else "abstain")
        c = rng.randrange(100)
        channel = "online" if c < 45 and not g.developer else "paper" if c < 92 else "proxy"
        at = since + dt.timedelta(seconds=rng.randrange(max(span, 1)))
        row = {"vote_id": vote.id, "group_id": g.id, "unit_id": first_units[g.id],
               "choice": choice, "channel": channel, "receipt": _receipt(rng),
               "serial": "" if channel == "online" else g.serial,
               "proxy_name": "", "proxy_ref": "", "cast_by_id": None, "cast_by": "",
               "cast_at": at, "voided_at": None, "voided_by": "", "void_reason": ""}
        if channel == "proxy":
            row["proxy_name"] = rng.choice(["王建国", "李秀英"])
            row["proxy_ref"] = f"委托书{vote.id:02d}-{len(rows) + 1:03d}"
        if channel != "online" and rc is not None:
            row["cast_by_id"], row["cast_by"] = rc.id, rc.username
        rows.append(row)
    # one paper ballot typed with the wrong choice, voided, then entered again
    paper = next((r for r in rows if r["channel"] == "paper"), None)
    if paper is not None:
        wrong = dict(paper, choice="oppose" if paper["choice"] != "oppose" else "agree",
                     receipt=_receipt(rng), voided_at=paper["cast_at"] + dt.timedelta(minutes=3),
                     voided_by=paper["cast_by"], void_reason="录入时选项有误，已按原票重新录入",
                     cast_at=paper["cast_at"] - dt.timedelta(minutes=1))
        rows.append(wrong)
    if rows:
        db.session.execute(insert(Ballot), rows)
    return sum(1 for r in rows if r["voided_at"] is None)


def _deliveries(ctx, vote: Vote, at: dt.datetime) -> int:
    """The notice and ballot taken to each home of the roll the day after the
    announcement: signed for in person (by an owner, or a family member for them), a few by
    registered mail, two homes not reached yet."""
    rng = ctx.rng
    volunteer = ctx.users.get("volunteer") or ctx.users.get("rc")
    units = db.session.execute(
        select(RollUnit.unit_id, RollUnit.label, RollGroup.names)
        .join(RollGroup, RollGroup.id == RollUnit.group_id)
        .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
    rows = []
    for n, (unit_id, label, names) in enumerate(units):
        if n in (3, len(units) - 2):
            continue  # nobody home yet: on the door-knocking list
        when = at + dt.timedelta(minutes=17 * n)
        row = {"vote_id": vote.id, "unit_id": unit_id, "label": label, "delivered_at": when,
               "method": "in_person", "signed_by": "", "ref": "",
               "recorded_by_id": volunteer.id if volunteer is not None else None,
               "recorded_by": volunteer.username if volunteer is not None else "",
               "created_at": when}
        if rng.randrange(100) < 12 or not names:
            row.update(method="mail", ref=f"XA{rng.randrange(10**8):08d}CN")
        else:
            first = names.split("、")[0]
            row["signed_by"] = first if rng.randrange(100) < 80 else f"{first}（家属代收）"
        rows.append(row)
    if rows:
        db.session.execute(insert(Delivery), rows)
    return len(rows)


def votes_step(ctx) -> None:
    """An elevator retrofit with its open entrance vote; a published compound-wide result."""
    compound = ctx.compounds[0]
    now = utcnow()
    rc = ctx.users.get("rc")
    creator = rc.id if rc is not None else None
    owner = ctx.users.get("owner")
    person_id = owner.person_id if owner is not None else None

    # the entrance where the demo owner holds a unit (else the compound's first entrance)
    home = None
    if person_id is not None:
        home = db.session.scalar(
            select(Unit).join(Holding, Holding.unit_id == Unit.id)
            .where(Holding.person_id == person_id, Unit.compound_id == compound.id)
            .order_by(Unit.id))
    if home is None:
        home = db.session.scalar(select(Unit).where(Unit.compound_id == compound.id)
                                 .order_by(Unit.id))
    building, entrance = home.building, home.entrance
    place = f"{building.number}号楼{entrance.number}单元"

    # the elevator retrofit and its votes
    project = ElevatorProject(
        compound_id=compound.id, building_id=building.id, entrance_id=entrance.id,
        title=f"{place}加装电梯", cost_fen=72_000_000, lifts=1, subsidy_rate_bp=4000,
        subsidy_cap_fen=28_000_000, fund_fen=2_000_000,
        coefficients_json=json.dumps({str(k): str(v) for k, v in
                                      default_coefficients(building.floors).items()}),
        uses_common_land=True, notice_from=(now - dt.timedelta(days=25)).date(),
        notice_days=7, created_at=now - dt.timedelta(days=30))
    db.session.add(project)
    project.compound, project.building, project.entrance = compound, building, entrance
    db.session.flush()
    announced = now - dt.timedelta(days=18)
    title, question = plan_texts(project, "building")
    vote = _vote(compound, title=title, matter=rules.Matter.rebuild.value, question=question,
                 status=S.open.value, announced=announced,
                 may_open=announced + dt.timedelta(days=15),
                 opened=now - dt.timedelta(days=3), closes=now + dt.timedelta(days=10),
                 scope=[(building.id, entrance.id)], creator=creator)
    _open(vote)
    cast = _ballots(ctx, vote, share_pct=55, agree_pct=85, oppose_pct=10,
                    since=now - dt.timedelta(days=3), until=now - dt.timedelta(hours=1),
                    skip_person=person_id)
    delivered = _deliveries(ctx, vote, announced + dt.timedelta(days=1, hours=1))
    title, question = plan_texts(project, "land")
    land = _vote(compound, title=title,
                 matter=rules.Matter.common_use.value, rule=RuleVariant.elevator_land.value,
                 question=question,
                 status=S.announced.value, announced=now - dt.timedelta(days=10),
                 may_open=now + dt.timedelta(days=5), closes=now + dt.timedelta(days=25),
                 creator=creator)
    project.building_vote_id, project.land_vote_id = vote.id, land.id
    db.session.add_all([ElevatorProjectVote(project_id=project.id, vote_id=v.id, role=role,
                                            created_at=v.created_at)
                        for role, v in (("building", vote), ("land", land))])

    # a decided vote: keeping the property company, closed three weeks ago, published
    announced = now - dt.timedelta(days=60)
    past = _vote(compound, title="续聘物业服务企业", matter=rules.Matter.manager.value,
                 question="现物业服务合同将于年底到期。业主委员会提议续聘现物业服务企业，"
                          "服务内容与收费标准不变，合同期三年。",
                 status=S.open.value, announced=announced,
                 may_open=announced + dt.timedelta(days=15),
                 opened=now - dt.timedelta(days=44), closes=now - dt.timedelta(days=21),
                 creator=creator)
    _open(past)
    past_cast = _ballots(ctx, past, share_pct=78, agree_pct=72, oppose_pct=18,
                         since=now - dt.timedelta(days=44), until=now - dt.timedelta(days=22))
    db.session.flush()
    result = compute_tally(past)
    past.status, past.closed_at = S.published.value, now - dt.timedelta(days=21)
    past.published_at = now - dt.timedelta(days=19)
    past.result_json = json.dumps(snapshot(past, result), ensure_ascii=False)
    db.session.flush()

    ctx.summary["votes"] = {
        "elevator_project": project.title, "entrance_vote": vote.id,
        "entrance_roll": {"units": vote.roll_units, "heads": vote.roll_heads,
                          "area": vote.roll_area},
        "entrance_ballots": cast, "entrance_deliveries": delivered, "land_vote": land.id,
        "published_vote": past.id,
        "published_ballots": past_cast, "published_passed": result.passed}


#: declared in plugin.py as the hook demo.steps
DEMO_STEP = DemoStep(30, votes_step)
