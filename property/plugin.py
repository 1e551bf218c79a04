"""Property companies and ratings: routes, menu entries, hooks, URL kinds and commands.

What the package answers for lower layers is declared in HOOKS (core.hooks): the
property_manager's scope (``served_compounds``), whether a company exists before a role is
granted on it, the company serving a compound (compounds asks it instead of importing
property), and the rating box of the 1+3+X overview.
"""

from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter

from core.attachments.kinds import AttachmentKind
from core.hooks import import_spec
from core.loader import Kind

BLUEPRINTS = ["property.views:bp", "property.api:bp", "property.ratings.api:bp",
              "property.ratings.api_credit:bp", "property.ratings.api_district:bp",
              "property.fees.views:bp", "property.fees.views:api_bp"]
NAV = [
    (_l("Property companies"), "property.companies", "property.view"),
    (_l("Ratings"), "property.periods", "rating.evidence"),
    (_l("Rate your property service"), "property.survey_index", "rating.survey"),
]


class PeriodConverter(BaseConverter):
    """A rating period in a URL, "2026Q3"; anything else is a 404 before the view runs."""

    regex = r"\d{4}[Qq][1-4]"


CONVERTERS = {"period": PeriodConverter}

#: what the property package answers for lower layers (core.hooks)
HOOKS = {
    "messages.event_labels": ["property.message_events:EVENT_LABELS"],
    "audit.action_labels": ["property.audit_labels:AUDIT_LABELS"],
    "home.todo": ["property.ratings.todo:todo"],
    "permission.served_compounds": "property.companies.services:served_compounds",
    "accounts.scope_exists": ["property.companies.services:scope_exists"],
    "accounts.scope_name": ["property.companies.services:scope_name"],
    "compounds.serving_company": "property.companies.services:serving_company",
    "org.overview_panels": ["property.ratings.panels:overview_rating"],
    "demo.steps": ["property.demo:DEMO_STEP"],
    "demo.logins": ["property.demo:DEMO_LOGINS"],
    "attachments.kinds": ["property.plugin:ATTACHMENT_KINDS"],
    "registry.unit_records": ["property.unit_records:UNIT_RECORDS"],
}

#: records that take files (core.attachments): the district's evidence for a credit record,
#: the company's documents for its objection and its rectification (and the district's
#: answer to them); seen by the district and the company concerned
ATTACHMENT_KINDS = [
    AttachmentKind("credit-records", "credit_record", "property.view", ("rating.evidence",),
                   _l("Credit record")),
    AttachmentKind("objections", "credit_objection", "property.view",
                   ("rating.respond", "rating.publish"), _l("Objection")),
    AttachmentKind("rectifications", "rectification", "property.view",
                   ("rating.respond", "rating.publish"), _l("Rectification")),
]

#: the kinds of object the property package's URLs name (see core.loader)
KINDS = [
    Kind("company", "property.companies.models:Company",
         fetch="property.companies.services:fetch_company"),
    Kind("staff", "property.companies.models:StaffMember"),
    Kind("contract", "property.companies.models:ServiceContract"),
    Kind("credit_record", "property.ratings.models:CreditRecord"),
    Kind("credit_objection", "property.ratings.models:CreditObjection"),
    Kind("rectification", "property.ratings.models:Rectification"),
]


def register_cli(app):
    # a plugin declares by import spec: the commands' module loads when app.py wires them
    import_spec("property.cli:register")(app)
