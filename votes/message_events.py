"""The votes' message events in words (hook "messages.event_labels")."""

from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "vote.announced": _l("Vote announced"),
    "vote.opened": _l("Vote opened"),
    "vote.extended": _l("Vote extended"),
    "vote.reminder": _l("Reminder to vote"),
    "vote.result": _l("Vote result published"),
    "elevator.plan_posted": _l("Elevator cost plan posted"),
}
