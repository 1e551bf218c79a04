"""The compounds package: the registry's and the 1+3+X's routes, menu entry, hooks,
kinds of object and commands."""

from flask_babel import lazy_gettext as _l

from compounds.cli import register as register_cli
from core.attachments.kinds import AttachmentKind
from core.loader import Kind

BLUEPRINTS = ["compounds.registry.views:bp", "compounds.registry.api:bp",
              "compounds.org.views:bp", "compounds.org.api:bp", "compounds.org.api_cases:bp",
              "compounds.accounts.views:bp", "compounds.accounts.api:bp",
              "compounds.outbox.views:bp", "compounds.outbox.api:bp"]
NAV = [(_l("Compounds"), "compounds.index", "compound.list")]

#: what the registry answers for lower layers (core.hooks)
HOOKS = {
    "messages.event_labels": ["compounds.message_events:EVENT_LABELS"],
    "audit.action_labels": ["compounds.audit_labels:AUDIT_LABELS"],
    "home.todo": ["compounds.org.todo:todo"],
    "permission.owned_units": "compounds.registry.services:owned_units",
    "permission.compound_target": "compounds.registry.services:compound_target",
    "accounts.unit_labels": "compounds.accounts.services:unit_labels",
    "accounts.scope_exists": ["compounds.registry.services:scope_exists"],
    "accounts.scope_name": ["compounds.registry.services:scope_name"],
    "audit.compounds_in_districts": "compounds.registry.services:compounds_in_districts",
    "audit.compound_names": "compounds.registry.services:compound_names",
    "attachments.kinds": ["compounds.plugin:ATTACHMENT_KINDS"],
    "registry.unit_records": ["compounds.org.unit_records:UNIT_RECORDS"],
}

#: records that take files (core.attachments): a request's photos — added by whoever sees the
#: request (the owner who filed it, the staff, the company it was routed to); a meeting's
#: signed sign-in sheet and minutes; an action's before/after photos
ATTACHMENT_KINDS = [
    AttachmentKind("requests", "request", "request.view", ("request.view",),
                   _l("Resident request")),
    AttachmentKind("meetings", "meeting", "org.view", ("meeting.manage",), _l("Joint meeting")),
    AttachmentKind("actions", "action", "org.view", ("action.respond", "meeting.manage"),
                   _l("Follow-up action")),
]

#: the kinds of object the registry's and 1+3+X's URLs name (see core.loader)
KINDS = [
    Kind("compound", "compounds.models:Compound"),
    Kind("building", "compounds.models:Building", "compound", "compound_id"),
    Kind("unit", "compounds.models:Unit", "compound", "compound_id"),
    Kind("person", "compounds.models:Person"),
    Kind("resident", "compounds.models:Resident", "unit", "unit_id"),
    Kind("org", "compounds.org.models:Organisation"),
    Kind("member", "compounds.org.models:OrgMember"),
    Kind("meeting", "compounds.org.models:Meeting"),
    Kind("agenda_item", "compounds.org.models:AgendaItem", "meeting", "meeting_id"),
    Kind("decision", "compounds.org.models:Decision", "meeting", "meeting_id"),
    Kind("action", "compounds.org.models:Action"),
    Kind("request", "compounds.org.models:ResidentRequest",
         fetch="compounds.org.resident_requests:fetch_request"),
    Kind("violation", "compounds.org.models:StructureViolation"),
]

__all__ = ["ATTACHMENT_KINDS", "BLUEPRINTS", "HOOKS", "KINDS", "NAV", "register_cli"]
