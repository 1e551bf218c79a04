"""What the outbox calls each event: "表决公告" rather than ``vote.announced``.

Each domain package contributes its events' names through the hook
``messages.event_labels`` (a dict in its ``message_events.py``, declared in its plugin.py), so
core names no domain event. tests/core/test_message_events.py reads every event the code
passes to `notify` and fails on one without a name.
"""

from __future__ import annotations

from core import hooks


def all_labels() -> dict:
    return hooks.merged("messages.event_labels")


def event_label(event: str) -> str:
    """The event in words; one nobody named shows as it is (never hidden)."""
    label = all_labels().get(event)
    return str(label) if label is not None else event
