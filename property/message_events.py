"""The ratings' message events in words (hook "messages.event_labels")."""

from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "rating.published": _l("Rating published"),
    "rating.objection_filed": _l("Objection filed"),
    "rating.objection_answered": _l("Objection answered"),
    "rating.rectification_submitted": _l("Rectification reply submitted"),
    "rating.rectification_returned": _l("Rectification reply returned"),
    "rating.rectification_overdue": _l("Rectification reply overdue"),
}
