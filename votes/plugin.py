"""The votes package's routes, menu entry, hooks and commands."""

from flask_babel import lazy_gettext as _l

from core.attachments.kinds import AttachmentKind
from core.loader import Kind
from votes.cli import register

BLUEPRINTS = ["votes.views:bp", "votes.api_more:bp", "votes.api:bp", "votes.elevator.views:bp",
              "votes.elevator.api:bp", "votes.notice_views:bp", "votes.notice_api:bp"]
NAV = [(_l("Votes"), "votes.index", "vote.view")]

#: the kinds of object the votes' URLs name (see core.loader)
KINDS = [
    Kind("vote", "votes.models:Vote", fetch="votes.services.access:fetch_vote"),
    Kind("ballot", "votes.models:Ballot", "vote", "vote_id"),
    Kind("elevator_project", "votes.models:ElevatorProject"),
]

#: what the votes show on lower packages' pages (core.hooks)
HOOKS = {
    "messages.event_labels": ["votes.message_events:EVENT_LABELS"],
    "audit.action_labels": ["votes.audit_labels:AUDIT_LABELS"],
    "home.todo": ["votes.todo:todo"],
    "org.overview_panels": ["votes.panels:open_votes"],
    "home.panels": ["votes.panels:my_waiting_votes"],
    "demo.steps": ["votes.demo:DEMO_STEP"],
    "attachments.kinds": ["votes.plugin:ATTACHMENT_KINDS"],
    "registry.unit_records": ["votes.unit_records:UNIT_RECORDS"],
}

#: records that take files (core.attachments): a vote's scanned paper ballots and its posted
#: notice photographed (the secretary, the volunteers who deliver); an elevator project's
#: drawings
ATTACHMENT_KINDS = [
    AttachmentKind("votes", "vote", "vote.view", ("vote.manage", "vote.deliver"), _l("Vote")),
    AttachmentKind("elevator-projects", "elevator_project", "vote.view", ("vote.create",),
                   _l("Elevator project")),
]

#: a matter-3 vote may be an owners'-committee election, whose ballots are cast on the
#: election's pages: without the package that says which, the app does not start (a
#: single-choice ballot must never be counted for an election)
REQUIRED_HOOKS = ["votes.own_ballot_page"]


def register_cli(app):
    register(app)
