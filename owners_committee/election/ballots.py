"""The election's vote (DOMAIN §4, step 7): a vote of matter 3 in the votes module, whose
frozen roll the ballots are keyed by — one ballot per voter group, a choice for each final
candidate — counted once by `votes.rules.count_election` when the vote closes.

The vote itself (announcing, opening, the notice period, the roll) is the votes module's;
its ballots are cast here (the hook "votes.own_ballot_page" sends people to these pages).
"""

from __future__ import annotations

import json
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import acting_user, actor_name, text
from core.permissions import authorize, deny
from core.types import utcnow
from owners_committee.election.models import (
    ELECTION_REFUSALS,
    Election,
    ElectionBallot,
    ElectionStatus,
)
from owners_committee.election.services import final_candidates, record_step, sees_all
from votes import rules as vote_rules
from votes import services as vote_services
from votes.models import RollGroup, Vote

S = ElectionStatus


def vote_of(election: Election) -> Vote | None:
    """The election's vote of matter 3 in the votes module (None before it is created)."""
    if election.vote_id is None:
        return None
    return db.session.get(Vote, election.vote_id)


def election_of_vote(vote_id: int) -> Election | None:
    """The election whose vote this is (None for an ordinary vote). For the votes module:
    such a vote takes per-candidate ballots here, not single-choice ballots."""
    return db.session.scalar(select(Election).where(Election.vote_id == vote_id))


def accepting(vote: Vote) -> bool:
    """Whether the vote takes ballots now (open, and not past its closing time)."""
    return vote_services.accepting_ballots(vote)


def my_groups(vote: Vote) -> list[vote_services.OwnerGroup]:
    """The signed-in owner's voter groups in the vote's frozen roll (what they vote for)."""
    user = acting_user()
    return vote_services.owner_groups(vote, user.person_id if user else None)


def create_vote(election: Election, *, closes_at=None, issuer="") -> Vote:
    """Create the election's vote (matter 3, the whole compound) in the votes module; it is
    announced and opened there (the notice period and the frozen roll are the votes
    module's)."""
    authorize("election.manage", election)
    election.check_move_to(S.voting)
    names = "、".join(c.name for c in final_candidates(election))
    vote = vote_services.create_vote(
        election.compound, title=election.title, matter="committee",
        question=(f"选举{election.compound.name}业主委员会委员{election.seats}名。"
                  f"正式候选人：{names}。每位候选人可选同意、反对或弃权，"
                  f"同意人数不得超过{election.seats}名。"),
        closes_at=closes_at, issuer=issuer, audit_data={"election": election.id})
    election = db.session.get(Election, election.id)  # the votes module committed
    election.vote_id = vote.id
    election.move_to(S.voting)
    record_step(election, "election.vote", {"vote": vote.id})
    db.session.commit()
    return vote


def _group_for(vote: Vote, *, unit=None, serial=None) -> RollGroup:
    group = roll_unit = None
    if unit not in (None, ""):
        roll_unit = vote_services.find_roll_unit(vote, unit)
        if roll_unit is None:
            raise DomainError("unit_not_in_roll", _l("This unit is not in the vote's roll"),
                              field="unit")
        group = db.session.get(RollGroup, roll_unit.group_id)
    if serial not in (None, ""):
        by_serial = vote_services.group_by_serial(vote, str(serial))
        if by_serial is None:
            raise DomainError("unknown_serial", _l("No ballot of this vote has serial %(s)s",
                                                   s=serial), field="serial")
        if group is not None and by_serial.id != group.id:
            raise DomainError("serial_mismatch", _l("The serial belongs to another voter"),
                              field="serial")
        group = by_serial
    if group is None:
        raise invalid(_l("Name the unit (or the ballot's serial number)"), "unit")
    return group


def cast_ballot(election: Election, *, choices: dict, channel="online", unit=None,
                serial=None, proxy_name="", proxy_ref="") -> ElectionBallot:
    """One voter group's ballot: agree / oppose / abstain for each final candidate.

    Online, the owner (a title holder of the group in the frozen roll) may agree with at
    most as many candidates as there are seats. A paper ballot is entered as marked; one
    agreeing with too many is counted as taking part but void for the candidates. One
    ballot per voter group (409 otherwise)."""
    vote = vote_of(election)
    if vote is None or election.status != S.voting.value \
            or not vote_services.accepting_ballots(vote):
        raise conflict("vote_not_open", _l("The vote is not open for ballots"))
    if channel not in ("online", "paper", "proxy"):
        raise invalid(_l("Channel must be online, paper or proxy"), "channel")
    group = _group_for(vote, unit=unit, serial=serial)
    if channel == "online":
        authorize("vote.cast", election)
        if not any(g.group.id == group.id for g in my_groups(vote)):
            deny("vote.cast", election)
    else:
        authorize("vote.enter_paper", vote)
    proxy_name = text(proxy_name, "proxy_name", _l("Proxy's name"), 64,
                      required=channel == "proxy")
    proxy_ref = text(proxy_ref, "proxy_ref", _l("Authorisation reference"), 64,
                     required=channel == "proxy")
    finals = {c.id for c in final_candidates(election)}
    clean = {}
    for key, value in (choices or {}).items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            cid = -1
        if cid not in finals:
            raise invalid(_l("The ballot names someone who is not a candidate"), "choices")
        if value not in ("agree", "oppose", "abstain"):
            raise invalid(_l("Choice must be agree, oppose or abstain"), "choices")
        clean[cid] = value
    agreed = sum(1 for v in clean.values() if v == "agree")
    if channel == "online" and agreed > election.seats:
        raise invalid(_l("Agree with at most %(n)s candidates", n=election.seats), "choices")
    if vote_services.live_ballot(group.id) is not None or db.session.scalar(
            select(ElectionBallot.id).where(ElectionBallot.vote_id == vote.id,
                                            ElectionBallot.group_id == group.id)):
        raise conflict("duplicate_ballot", _l("This voter has already voted"))
    ballot = ElectionBallot(election_id=election.id, vote_id=vote.id, group_id=group.id,
                            channel=channel, choices_json=json.dumps(
                                {str(k): v for k, v in sorted(clean.items())}),
                            proxy_name=proxy_name, proxy_ref=proxy_ref, cast_by=actor_name(),
                            cast_at=utcnow())
    db.session.add(ballot)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise conflict("duplicate_ballot", _l("This voter has already voted")) from None
    record_step(election, "election.ballot", {"group": group.serial, "channel": channel,
                                              "agree": agreed,
                                              "void": agreed > election.seats})
    db.session.commit()
    return ballot


def cast_group_ids(election: Election) -> list[int]:
    """Roll groups that have an election ballot."""
    if election.vote_id is None:
        return []
    return list(db.session.scalars(select(ElectionBallot.group_id).where(
        ElectionBallot.vote_id == election.vote_id)))


def ballots_cast(election: Election) -> int:
    """How many voter groups have cast an election ballot."""
    if election.vote_id is None:
        return 0
    return len(db.session.scalars(select(ElectionBallot.id).where(
        ElectionBallot.vote_id == election.vote_id)).all())


def compute_count(election: Election):
    """`votes.rules.count_election` over this election's ballots and the frozen roll."""
    vote = vote_of(election)
    rows = db.session.execute(
        select(ElectionBallot.choices_json, RollGroup.area, RollGroup.heads)
        .join(RollGroup, RollGroup.id == ElectionBallot.group_id)
        .where(ElectionBallot.vote_id == vote.id)).all()
    ballots = [(vote_rules.area_to_centi(area), int(heads),
                {int(k): v for k, v in json.loads(choices).items()})
               for choices, area, heads in rows]
    return vote_rules.count_election(
        election.seats, vote_rules.area_to_centi(vote.roll_area or Decimal("0")),
        vote.roll_heads or 0, ballots, candidates=[c.id for c in final_candidates(election)])


def close_and_count(election: Election) -> dict:
    """Close the vote (votes module) and count the election once; the count is stored."""
    authorize("election.manage", election)
    election.check_move_to(S.counted)
    vote = vote_of(election)
    if vote is None:
        raise conflict("invalid_state", ELECTION_REFUSALS[S.counted])
    vote_services.close_vote(vote)
    election = db.session.get(Election, election.id)  # the votes module committed
    result = compute_count(election)
    names = {c.id: c.name for c in election.candidates}
    body = {
        "seats": result.seats,
        "roll": {"area_c": result.roll_area_c, "heads": result.roll_heads},
        "participated": {"area_c": result.participated_area_c,
                         "heads": result.participated_heads},
        "void": {"area_c": result.void_area_c, "heads": result.void_heads},
        "turnout": {"area": result.turnout_area_pct, "heads": result.turnout_heads_pct},
        "quorum_met": result.quorum_met,
        "rule": result.rule.description_zh,
        "candidates": [{
            "id": t.candidate_id, "name": names.get(t.candidate_id, str(t.candidate_id)),
            "agree": {"area_c": t.agree_area_c, "heads": t.agree_heads},
            "oppose": {"area_c": t.oppose_area_c, "heads": t.oppose_heads},
            "abstain": {"area_c": t.abstain_area_c, "heads": t.abstain_heads},
            "consent": {"area": t.consent_area_pct, "heads": t.consent_heads_pct},
            "approved": t.approved, "rank": t.rank, "elected": t.elected, "tied": t.tied,
        } for t in result.candidates],
        "elected": list(result.elected), "tie": result.tie, "tied": list(result.tied),
        "open_seats": result.open_seats,
        "reasons": [{"code": r.code, "zh": r.zh, "en": r.en} for r in result.reasons],
    }
    election.result_json = json.dumps(body, ensure_ascii=False)
    election.move_to(S.counted)
    election.counted_at = utcnow()
    record_step(election, "election.count", {
        "quorum_met": result.quorum_met, "elected": [names[i] for i in result.elected],
        "tied": [names[i] for i in result.tied], "open_seats": result.open_seats})
    db.session.commit()
    return body


def may_see_result(election: Election) -> bool:
    """Whether the user may read the count: staff once counted, owners once the vote's
    result is published."""
    if election.status != S.counted.value:
        return False
    if sees_all(election):
        return True
    vote = vote_of(election)
    return vote is not None and vote.status == "published"
