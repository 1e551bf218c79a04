"""A real SMTP server for the tests (aiosmtpd, in a thread): it receives what the e-mail
channel sends, and can be told to answer 451 (try later) or 550 (refused)."""

from __future__ import annotations

import email
import email.policy
import socket
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []
        #: the answers to give before accepting ("451 …", "550 …"), one per DATA
        self.refusals: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            return self.refusals.pop(0)
        mail = email.message_from_bytes(envelope.original_content or envelope.content,
                                        policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), mail))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server():
    """(inbox, port) of an SMTP server listening on 127.0.0.1 while the block runs."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
