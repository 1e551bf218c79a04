"""The ways a message leaves Tongxin: e-mail over SMTP, SMS through a provider.

A channel's `send(message)` hands one outbox row to the outside world and returns the
provider's id for it, or raises `Failed` — `permanent` when trying again cannot help (no
template for the event, a number the provider refuses), otherwise the queue retries with
back-off. In-app messages are never sent: the row is the message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol


class Failed(Exception):
    """The provider did not take the message; `reason` is what the outbox page shows."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason[:200]
        self.permanent = permanent


class Sender(Protocol):
    def send(self, message) -> str: ...


def safe_key(key: str) -> str:
    """An outbox key as letters, digits, dots and dashes (a Message-ID's left part, an
    SMS OutId): the same row always gives the same text, so a resend is recognisable."""
    return re.sub(r"[^A-Za-z0-9\-]+", ".", key).strip(".")


def sender_for(channel: str, config: Mapping) -> Sender:
    """The sender of a channel, as the configuration sets it up."""
    if channel == "email":
        from core.messaging.channels.smtp import SmtpSender

        return SmtpSender(config)
    if channel == "sms":
        from core.messaging.channels import sms

        return sms.provider(config)
    raise ValueError(f"nothing sends the channel {channel!r}")
