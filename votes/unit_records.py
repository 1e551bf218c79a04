"""The votes' records of a unit (hook "registry.unit_records"): a unit on a vote's frozen
roll (or with a delivery or a ballot) is part of that vote's count."""

from flask_babel import lazy_gettext as _l

from votes.models import Ballot, BallotAttempt, Delivery, RollUnit

UNIT_RECORDS = [
    (RollUnit.unit_id, _l("the roll of a vote")),
    (Delivery.unit_id, _l("deliveries of a vote's notice")),
    (Ballot.unit_id, _l("ballots")),
    (BallotAttempt.unit_id, _l("ballot attempts")),
]
