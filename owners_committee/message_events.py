"""The owners' committee's message events in words (hook "messages.event_labels")."""

from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "fund.top_up": _l("Repair-fund top-up due"),
    "election.list_published": _l("Candidate list published"),
    "election.list_final": _l("Final candidate list"),
}
