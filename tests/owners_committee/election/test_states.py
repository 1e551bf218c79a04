"""The elections' state machines: every move the models allow is made by `move_to`, every
other is refused with a 409 and changes nothing — whichever service asks."""

from __future__ import annotations

import itertools

import pytest

from compounds.models import Person
from core.errors import DomainError
from owners_committee.election.models import (
    CANDIDATE_MOVES,
    ELECTION_MOVES,
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
)


@pytest.fixture
def in_request(app):
    """The refusals speak the request's language."""
    with app.test_request_context("/"):
        yield


ELECTION_PAIRS = list(itertools.product(ElectionStatus, ElectionStatus))
CANDIDATE_PAIRS = list(itertools.product(CandidateStatus, CandidateStatus))


@pytest.mark.parametrize("now, to", ELECTION_PAIRS, ids=[f"{a}-{b}" for a, b in ELECTION_PAIRS])
def test_an_election_moves_only_as_its_machine_says(in_request, now, to):
    election = Election(status=now.value)
    if to in ELECTION_MOVES[now]:
        election.move_to(to)
        assert election.status == to.value
    else:
        with pytest.raises(DomainError) as err:
            election.move_to(to)
        assert (err.value.code, err.value.status) == ("invalid_state", 409)
        assert election.status == now.value


@pytest.mark.parametrize("now, to", CANDIDATE_PAIRS,
                         ids=[f"{a}-{b}" for a, b in CANDIDATE_PAIRS])
def test_a_candidate_moves_only_as_the_reviews_allow(in_request, now, to):
    candidate = Candidate(status=now.value, person=Person(name="王芳"))
    if to in CANDIDATE_MOVES[now]:
        candidate.move_to(to)
        assert candidate.status == to.value
    else:
        with pytest.raises(DomainError) as err:
            candidate.move_to(to)
        assert err.value.status == 409
        assert candidate.status == now.value
