"""The votes' records of a unit, for the hook "registry.unit_records": a unit on a vote's
frozen roll (or with a delivery or a ballot) is part of that vote's count."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from compounds.registry.unit_records import present
from votes.models import Ballot, BallotAttempt, Delivery, RollUnit


def records(unit_id: int) -> list[str]:
    return present(unit_id, [
        (RollUnit, RollUnit.unit_id, _l("the roll of a vote")),
        (Delivery, Delivery.unit_id, _l("deliveries of a vote's notice")),
        (Ballot, Ballot.unit_id, _l("ballots")),
        (BallotAttempt, BallotAttempt.unit_id, _l("ballot attempts")),
    ])
