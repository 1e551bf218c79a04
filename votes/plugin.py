"""The votes package's routes, menu entry and commands."""

from flask_babel import lazy_gettext as _l

from core.loader import Kind

BLUEPRINTS = ["votes.views:bp", "votes.api:bp"]
NAV = [(_l("Votes"), "votes.index", "vote.view")]

#: the kinds of object the votes' URLs name (see core.loader)
KINDS = [
    Kind("vote", "votes.models:Vote", fetch="votes.services:fetch_vote"),
    Kind("ballot", "votes.models:Ballot", "vote", "vote_id"),
    Kind("elevator_project", "votes.models:ElevatorProject"),
]


def register_cli(app):
    from votes.cli import register

    register(app)
