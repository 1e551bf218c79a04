"""The owners' committee package: repair-fund pages, API and commands (the committee
elections will add their blueprints here)."""

from flask_babel import lazy_gettext as _l

BLUEPRINTS = ["owners_committee.fund_views:bp", "owners_committee.fund_api:bp",
              "owners_committee.election_views:bp"]
NAV = [(_l("Repair fund"), "fund.index", "fund.view")]


def register_cli(app):
    from owners_committee.cli import register

    register(app)
