"""Property companies and ratings: routes, menu entries and commands.

The ``served_compounds`` permission hook (the property_manager's scope) is declared in HOOKS.
"""

from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter

from core.loader import Kind

BLUEPRINTS = ["property.views:bp", "property.api:bp"]
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
    "permission.served_compounds": "property.services:served_compounds",
    "accounts.scope_exists": ["property.services:scope_exists"],
}

#: the kinds of object the property package's URLs name (see core.loader)
KINDS = [
    Kind("company", "property.models:Company", fetch="property.services:fetch_company"),
    Kind("staff", "property.models:StaffMember"),
    Kind("contract", "property.models:ServiceContract"),
    Kind("credit_record", "property.models:CreditRecord"),
    Kind("credit_objection", "property.models:CreditObjection"),
    Kind("rectification", "property.models:Rectification"),
]


def register_cli(app):
    from property.cli import register

    register(app)
