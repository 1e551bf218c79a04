"""Property companies and ratings: routes, menu entries and commands.

Importing the services registers the ``served_compounds`` permission resolver (the
property_manager's scope) when the app starts.
"""

from flask_babel import lazy_gettext as _l

from property import services as property_services  # noqa: F401  (registers the resolver)

BLUEPRINTS = ["property.views:bp", "property.api:bp"]
NAV = [
    (_l("Property companies"), "property.companies", "property.view"),
    (_l("Ratings"), "property.periods", "rating.evidence"),
    (_l("Rate your property service"), "property.survey_index", "rating.survey"),
]


def register_cli(app):
    from property.cli import register

    register(app)
