"""The owners' committee package: the repair fund (`fund/`) and the committee elections
(`election/`) — their pages, API, commands, the kinds of object their URLs name, and what
they show on the pages of lower packages (core.hooks)."""

from flask_babel import lazy_gettext as _l

from core.attachments.kinds import AttachmentKind
from core.loader import Kind

BLUEPRINTS = ["owners_committee.fund.views:bp", "owners_committee.fund.api:bp",
              "owners_committee.fund.api_projects:bp",
              "owners_committee.election.views:bp", "owners_committee.election.api:bp"]
NAV = [(_l("Repair fund"), "fund.index", "fund.view")]

#: the kinds of object the fund's and the elections' URLs name (see core.loader)
KINDS = [
    Kind("fund_project", "owners_committee.fund.models:RepairProject", "compound",
         "compound_id"),
    Kind("posting", "owners_committee.fund.models:FundPosting", "compound", "compound_id"),
    Kind("plan", "owners_committee.fund.models:TopUpPlan", "compound", "compound_id"),
    Kind("election", "owners_committee.election.models:Election",
         fetch="owners_committee.election.services:fetch_election"),
    Kind("candidate", "owners_committee.election.models:Candidate",
         fetch="owners_committee.election.services:fetch_candidate"),
    Kind("group_member", "owners_committee.election.models:GroupMember", "election",
         "election_id"),
    Kind("election_objection", "owners_committee.election.models:Objection"),
]

#: what this package shows and answers on lower packages' pages (see core.hooks)
HOOKS = {
    "messages.event_labels": ["owners_committee.message_events:EVENT_LABELS"],
    "audit.action_labels": ["owners_committee.audit_labels:AUDIT_LABELS"],
    "home.todo": ["owners_committee.election.todo:todo", "owners_committee.fund.todo:todo"],
    "org.overview_panels": ["owners_committee.fund.hooks:overview_balance",
                            "owners_committee.election.hooks:overview_elections"],
    "compound.page_panels": ["owners_committee.fund.hooks:compound_summary"],
    "votes.own_ballot_page": ["owners_committee.election.hooks:ballot_page"],
    "votes.standing_ballots": ["owners_committee.election.hooks:election_ballot_cast"],
    "demo.steps": ["owners_committee.demo:DEMO_STEP"],
    "attachments.kinds": ["owners_committee.plugin:ATTACHMENT_KINDS"],
    "registry.unit_records": ["owners_committee.fund.unit_records:UNIT_RECORDS"],
}

#: records that take files (core.attachments): a repair project's contract, invoice and
#: acceptance report (验收); a candidate's signed pledge
ATTACHMENT_KINDS = [
    AttachmentKind("fund-projects", "fund_project", "fund.view", ("fund.manage",),
                   _l("Repair project")),
    AttachmentKind("candidates", "candidate", "election.view",
                   ("election.manage", "candidate.review"), _l("Candidate")),
]


def register_cli(app):
    """`flask fund …`, and `flask messages overdue` (owners_committee.overdue: it calls
    every package's daily check, so it lives at the top of the house)."""
    # plugin.py is read before the app exists; the commands pull in whole packages
    from owners_committee import overdue
    from owners_committee.fund.cli import register

    register(app)
    overdue.register(app)
