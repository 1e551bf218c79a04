"""What the committee elections give lower packages (core.hooks), declared in
`owners_committee/plugin.py`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from compounds.models import Compound
from core.hooks import Panel
from core.permissions import may
from owners_committee.election.ballots import election_of_vote
from owners_committee.election.services import elections_under_way


def ballot_page(vote, kind: str) -> tuple[str, dict] | None:
    """votes.own_ballot_page: an election's vote is cast on the election's own pages (a
    mark per candidate), the owner's ballot or, for `kind` "paper", the committee's entry
    of paper ballots. None for a vote that is no election's."""
    election = election_of_vote(vote.id)
    if election is None:
        return None
    return ("election.paper" if kind == "paper" else "election.ballot"), {"eid": election.id}


def overview_elections(compound: Compound) -> Panel | None:
    """org.overview_panels: the elections under way, on the compound's 1+3+X overview."""
    if not may("election.view", compound):
        return None
    return Panel(_l("Owners' committee elections"),
                 "owners_committee/election/_overview_panel.html",
                 {"compound": compound, "elections": elections_under_way(compound)}, order=40)


def election_ballot_cast():
    """SQL for votes.standing_ballot: the roll group at hand has cast its election ballot
    (an election's vote takes its ballots here, never as votes' own Ballot rows), so the
    door list, reminders, to-do lists and the close rule see who has voted."""
    from sqlalchemy import exists

    from owners_committee.election.models import ElectionBallot
    from votes.models import RollGroup

    return exists().where(ElectionBallot.group_id == RollGroup.id)
