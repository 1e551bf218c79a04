"""What the votes' and the elevator projects' templates read: the labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from votes.forms import CHANNEL_LABELS, CHOICE_LABELS, MATTER_LABELS, STATUS_LABELS
from votes.rules.outcome import Outcome, outcome_of_result
from votes.services import format_receipt, rule_of
from votes.services.documents import ballot_places

#: what happened to a counted vote, in its own words (a failed turnout is not "under half")
OUTCOME_LABELS = {
    Outcome.passed: _l("Passed"),
    Outcome.turnout: _l("Turnout not reached (under two thirds)"),
    Outcome.consent_three_quarters: _l("Consent under three quarters"),
    Outcome.consent_half: _l("Consent not over half"),
}


def outcome_label(result: dict):
    """The words of a stored result's outcome (the body of GET /votes/{vid}/result)."""
    return OUTCOME_LABELS[outcome_of_result(result)]


def template_labels() -> dict:
    """The context processor of the votes' blueprints."""
    return {"MATTER_LABELS": MATTER_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "CHOICE_LABELS": CHOICE_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "format_receipt": format_receipt, "rule_of": rule_of,
            "outcome_label": outcome_label, "ballot_places": ballot_places}
