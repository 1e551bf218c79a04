"""Counting over the frozen roll: one SQL aggregate, and `votes.rules.tally`, which holds
the law. Used when a vote closes (the stored result) and for the live progress."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from core.extensions import db
from votes import rules
from votes.models import Ballot, RollGroup, Vote
from votes.services.common import rule_of


def compute_tally(vote: Vote) -> rules.TallyResult:
    """The count over the frozen roll, in one SQL aggregate: each live ballot brings its
    group's area and head, summed by choice. Voided ballots are left out."""
    rows = db.session.execute(
        select(Ballot.choice, func.sum(RollGroup.area), func.sum(RollGroup.heads))
        .join(RollGroup, RollGroup.id == Ballot.group_id)
        .where(Ballot.vote_id == vote.id, Ballot.voided_at.is_(None))
        .group_by(Ballot.choice)).all()
    ballots = [(rules.area_to_centi(area or Decimal(0)), int(heads or 0), choice)
               for choice, area, heads in rows]
    roll_area_c = rules.area_to_centi(vote.roll_area or Decimal(0))
    return rules.tally(rule_of(vote), roll_area_c, vote.roll_heads or 0, ballots)


def voided_count(vote: Vote) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.vote_id == vote.id, Ballot.voided_at.is_not(None))) or 0


def fractions(result: rules.TallyResult) -> dict[str, str]:
    """The four ratios exactly, as reduced fractions ("50049/74962"; "0" over nothing)."""
    return {"turnout_area": str(result.turnout_area), "turnout_heads": str(result.turnout_heads),
            "consent_area": str(result.consent_area), "consent_heads": str(result.consent_heads)}


def snapshot(vote: Vote, result: rules.TallyResult) -> dict:
    """The result as stored when the vote closes (and as the API answers it)."""
    body = result.as_api()
    body["fractions"] = fractions(result)
    body["roll"]["units"] = vote.roll_units
    body["voided_ballots"] = voided_count(vote)
    body["rule_text"] = {"zh": result.rule.description_zh, "en": result.rule.description_en}
    return body
