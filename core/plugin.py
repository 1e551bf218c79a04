"""Core's routes, menu entries and commands."""

from flask_babel import lazy_gettext as _l

from core.loader import Kind

BLUEPRINTS = [
    "core.home:home",
    "core.auth:auth",
    "core.auth:auth_api",
    "core.own_account:own_account",
    "core.own_account:own_account_api",
    "core.api:meta_api",
    "core.accounts:accounts",
    "core.accounts:audit_views",
    "core.accounts_api:accounts_api",
    "core.attachments.views:bp",
    "core.attachments.api:bp",
    "core.messaging.views:messages",
    "core.messaging.views:messages_api",
]

#: (label, endpoint, action) — shown when the user may do the action; the order is the menu's
NAV_LATE = [
    (_l("Users"), "accounts.index", "users.manage"),
    (_l("Audit log"), "audit_views.log", "audit.view"),
]
NAV: list = []

#: the kinds of object core's URLs name (see core.loader)
KINDS = [
    Kind("user", "core.models:User", fetch="core.accounts:fetch_user"),
    Kind("grant", "core.models:RoleGrant", "user", "user_id", fetch="core.accounts:fetch_grant"),
    Kind("attachment", "core.attachments.models:Attachment",
         fetch="core.attachments.services:fetch_attachment"),
    # an in-app message is its recipient's only ("message.read"); the outbox's actions ask
    # the compound it was written in
    Kind("message", "core.messaging.models:Message", "compound", "compound_id",
         fetch="core.messaging.inbox:fetch_message"),
]


def register_cli(app):
    from core.api_catalogue import register as register_catalogue
    from core.attachments.cli import register as register_attachments
    from core.cli import register

    register(app)
    register_attachments(app)
    register_catalogue(app)
