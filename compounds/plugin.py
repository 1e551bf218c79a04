"""The registry's routes, menu entries and commands."""

from flask_babel import lazy_gettext as _l

from core.loader import Kind

BLUEPRINTS = ["compounds.views:bp", "compounds.api:bp", "compounds.org_views:bp",
              "compounds.org_api:bp"]
NAV = [(_l("Compounds"), "compounds.index", "compound.list")]

#: what the registry answers for lower layers (core.hooks)
HOOKS = {
    "permission.owned_units": "compounds.services:owned_units",
    "accounts.scope_exists": ["compounds.services:scope_exists"],
    "audit.compounds_in_districts": "compounds.services:compounds_in_districts",
    "audit.compound_names": "compounds.services:compound_names",
}

#: the kinds of object the registry's and 1+3+X's URLs name (see core.loader)
KINDS = [
    Kind("compound", "compounds.models:Compound"),
    Kind("building", "compounds.models:Building", "compound", "compound_id"),
    Kind("unit", "compounds.models:Unit", "compound", "compound_id"),
    Kind("person", "compounds.models:Person"),
    Kind("resident", "compounds.models:Resident", "unit", "unit_id"),
    Kind("org", "compounds.org_models:Organisation"),
    Kind("member", "compounds.org_models:OrgMember"),
    Kind("meeting", "compounds.org_models:Meeting"),
    Kind("agenda_item", "compounds.org_models:AgendaItem", "meeting", "meeting_id"),
    Kind("decision", "compounds.org_models:Decision", "meeting", "meeting_id"),
    Kind("action", "compounds.org_models:Action"),
    Kind("request", "compounds.org_models:ResidentRequest",
         fetch="compounds.org_services:fetch_request"),
    Kind("violation", "compounds.org_models:StructureViolation"),
]


def register_cli(app):
    from compounds.cli import register

    register(app)
