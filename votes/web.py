"""What the votes' and the elevator projects' templates read: the labels."""

from __future__ import annotations

from votes.forms import CHANNEL_LABELS, CHOICE_LABELS, MATTER_LABELS, STATUS_LABELS
from votes.services import format_receipt, rule_of


def template_labels() -> dict:
    """The context processor of the votes' blueprints."""
    return {"MATTER_LABELS": MATTER_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "CHOICE_LABELS": CHOICE_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "format_receipt": format_receipt, "rule_of": rule_of}
