"""The registry's routes, menu entries and commands."""

from flask_babel import lazy_gettext as _l

BLUEPRINTS = ["compounds.views:bp", "compounds.api:bp", "compounds.org_views:bp",
              "compounds.org_api:bp"]
NAV = [(_l("Compounds"), "compounds.index", "compound.list")]


def register_cli(app):
    from compounds.cli import register

    register(app)
