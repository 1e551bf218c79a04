"""The 1+3+X's message events in words (hook "messages.event_labels")."""

from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "request.routed": _l("Request routed"),
    "request.replied": _l("Request answered"),
    "request.overdue": _l("Request overdue"),
    "action.assigned": _l("Action assigned"),
    "action.overdue": _l("Action overdue"),
}
