"""The votes package's routes, menu entry and commands."""

from flask_babel import lazy_gettext as _l

BLUEPRINTS = ["votes.views:bp", "votes.api:bp"]
NAV = [(_l("Votes"), "votes.index", "vote.view")]


def register_cli(app):
    from votes.cli import register

    register(app)
