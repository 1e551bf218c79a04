"""The owners' committee package: repair-fund pages, API and commands (the committee
elections will add their blueprints here)."""

from flask_babel import lazy_gettext as _l

from core.loader import Kind

BLUEPRINTS = ["owners_committee.fund_views:bp", "owners_committee.fund_api:bp",
              "owners_committee.election_views:bp"]
NAV = [(_l("Repair fund"), "fund.index", "fund.view")]

#: the kinds of object the fund's and the elections' URLs name (see core.loader)
KINDS = [
    Kind("fund_project", "owners_committee.fund_models:RepairProject", "compound",
         "compound_id"),
    Kind("posting", "owners_committee.fund_models:FundPosting", "compound", "compound_id"),
    Kind("plan", "owners_committee.fund_models:TopUpPlan", "compound", "compound_id"),
    Kind("election", "owners_committee.election_models:Election",
         fetch="owners_committee.election_services:fetch_election"),
    Kind("candidate", "owners_committee.election_models:Candidate",
         fetch="owners_committee.election_services:fetch_candidate"),
    Kind("group_member", "owners_committee.election_models:GroupMember", "election",
         "election_id"),
    Kind("election_objection", "owners_committee.election_models:Objection"),
]


def register_cli(app):
    from owners_committee.cli import register

    register(app)
