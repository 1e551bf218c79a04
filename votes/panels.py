"""What the votes show on lower packages' pages (core.hooks): the compound's announced and
open votes on the 1+3+X overview; an owner's votes waiting for them on their home page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hooks import Panel
from core.permissions import may
from votes.forms import STATUS_LABELS
from votes.models import VoteStatus
from votes.services import list_votes
from votes.services.mine import my_votes


def open_votes(compound) -> Panel | None:
    """"org.overview_panels": the votes announced or open in the compound (open first,
    newest first, at most 20 of each), for users who may see its votes; None otherwise."""
    if not may("vote.view", compound):
        return None
    votes = [v for status in (VoteStatus.open, VoteStatus.announced)
             for v in list_votes(compound.id, status=status.value, limit=20)]
    return Panel(title=_l("Votes announced or open"), template="votes/_overview_panel.html",
                 context={"votes": votes, "labels": STATUS_LABELS}, order=20)


def my_waiting_votes(user) -> Panel | None:
    """"home.panels": on an owner's home page, first the open votes still waiting for one of
    their ballots (closing soonest first, a big button each), then their other votes. None
    for a user who casts no ballots."""
    if getattr(user, "person_id", None) is None or not may("vote.cast"):
        return None
    rows = my_votes(user.person_id)
    if not rows:
        return None
    waiting = [r for r in rows if r.waiting]
    return Panel(title=_l("Waiting for your vote"), template="votes/_home_panel.html",
                 context={"waiting": waiting, "others": [r for r in rows if not r.waiting][:5],
                          "labels": STATUS_LABELS}, order=10)
