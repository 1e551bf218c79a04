"""What the votes' and the elevator projects' routes share: the PDF answer and the labels
their templates read."""

from __future__ import annotations

import io

from flask import send_file

from votes.forms import CHANNEL_LABELS, CHOICE_LABELS, MATTER_LABELS, STATUS_LABELS
from votes.services import format_receipt, rule_of


def pdf_response(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name)


def template_labels() -> dict:
    """The context processor of the votes' blueprints."""
    return {"MATTER_LABELS": MATTER_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "CHOICE_LABELS": CHOICE_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "format_receipt": format_receipt, "rule_of": rule_of}
