"""The outbox: one row per message per channel, and the channels people have turned off.

A message's `key` is its idempotency key (the event, its object, the recipient, the
channel): writing the same event twice writes nothing the second time, and the consumer
claims a row by moving its status, so a retry never sends it twice.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db, one_of
from core.types import UTCDateTime, utcnow


class Channel(enum.StrEnum):
    in_app = "in_app"  # the inbox in Tongxin (always)
    email = "email"
    sms = "sms"


class MessageStatus(enum.StrEnum):
    """queued → sending → sent | failed (retried while attempts remain) | uncertain (the
    worker stopped after handing it to the provider: never re-sent by itself); skipped (with
    its reason) when it cannot or must not go out. In-app messages are sent when written."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    skipped = "skipped"
    uncertain = "uncertain"


class Message(db.Model):
    __tablename__ = "message"
    __table_args__ = (
        CheckConstraint(one_of("channel", [c.value for c in Channel]), name="channel_known"),
        CheckConstraint(one_of("status", [s.value for s in MessageStatus]), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_message_subject", "subject_type", "subject_id"),
        Index("ix_message_user_inbox", "user_id", "channel", "created_at"),
        Index("ix_message_status_due", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: idempotency key: "<event>:<subject type>:<subject id>:<recipient>:<channel>[:<round>]"
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: what happened ("vote.announced", "request.routed", …): the template's name
    event: Mapped[str] = mapped_column(String(48), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    #: the recipient: an account, and/or a person of the registry (owners without accounts
    #: are reached by SMS at the phone the registry holds)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    recipient_name: Mapped[str] = mapped_column(String(100), default="")
    #: e-mail address or mobile number ("" for in-app)
    address: Mapped[str] = mapped_column(String(200), default="")
    #: where it belongs (the outbox of a compound) and what it is about (a vote's reach)
    compound_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    subject_type: Mapped[str] = mapped_column(String(32), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: what the person reads (Chinese; SMS providers also get `data_json` for their template)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(12), default=MessageStatus.queued.value)
    #: why it was skipped or failed ("no_account", "opted_out", "invalid_phone", …)
    reason: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the provider's id of the sent message (SMS BizId, the SMTP Message-ID)
    provider_id: Mapped[str] = mapped_column(String(200), default="")
    #: not sent before this moment (SMS: no texts between 21:00 and 08:00, Beijing time)
    not_before: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: when a consumer claimed it (queued → sending): a row still `sending` long after this
    #: belongs to a worker that died (core.messaging.sending.LEASE)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: set and committed just before the provider is called: a dead worker's row with it is
    #: `uncertain` (perhaps delivered, never re-sent by itself); without it, it is retried
    handed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: in-app: when the recipient read it
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OptOut(db.Model):
    """A channel a person (or account) does not want messages on (in-app cannot be
    turned off: it is where the record of what was said lives)."""

    __tablename__ = "message_opt_out"
    __table_args__ = (
        UniqueConstraint("person_id", "channel"),
        UniqueConstraint("user_id", "channel"),
        CheckConstraint("channel IN ('email', 'sms')", name="external_only"),
        CheckConstraint("person_id IS NOT NULL OR user_id IS NOT NULL", name="someone"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=True)
    channel: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
