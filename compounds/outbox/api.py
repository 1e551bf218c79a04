"""The compound's outbox in the JSON API: every message written in the compound, newest
first, filtered by event, channel and status, each with its reason in words; an uncertain
or failed e-mail or SMS sent once more (audited) — what the outbox page does."""

from __future__ import annotations

from typing import Literal

from compounds.models import Compound
from compounds.outbox.views import reason_text
from core.api import api_blueprint, operation, paginate
from core.loader import load
from core.messaging import inbox
from core.messaging.event_labels import event_label
from core.messaging.models import Channel, Message, MessageStatus
from core.permissions import requires
from core.schemas import Moment, Out, Query, text

bp = api_blueprint("outbox_api", __name__)
TAG = "outbox"

ChannelName = Literal[tuple(c.value for c in Channel)]
StatusName = Literal[tuple(s.value for s in MessageStatus)]


class OutboxQuery(Query):
    event: text(48) = ""
    channel: ChannelName | None = None
    status: StatusName | None = None


class OutboxMessageOut(Out):
    """One message of the compound: to whom, by which channel, and how it went."""

    id: int
    event: str
    event_label: str
    channel: ChannelName
    status: StatusName
    reason: str
    reason_text: str
    recipient_name: str
    address: str
    title: str
    attempts: int
    created_at: Moment
    sent_at: Moment | None
    not_before: Moment | None
    resendable: bool


def outbox_json(m: Message) -> OutboxMessageOut:
    return OutboxMessageOut(
        id=m.id, event=m.event, event_label=event_label(m.event), channel=m.channel,
        status=m.status, reason=m.reason or "", reason_text=reason_text(m.reason or ""),
        recipient_name=m.recipient_name or "", address=m.address or "", title=m.title,
        attempts=m.attempts or 0, created_at=m.created_at, sent_at=m.sent_at,
        not_before=m.not_before,
        resendable=m.channel in inbox.EXTERNAL and m.status in inbox.RESENDABLE)


@bp.get("/compounds/<compound:cid>/outbox")
@requires("outbox.view")
@operation("The compound's messages (in-app, e-mail, SMS), newest first, filtered by event, "
           "channel and status", tag=TAG, query=OutboxQuery, response=OutboxMessageOut,
           paginated=True)
def outbox(cid: int, query: OutboxQuery):
    compound = load(Compound, cid, "outbox.view")
    return paginate(inbox.outbox_query(compound.id, event=query.event,
                                       channel=query.channel or "",
                                       status=query.status or ""), shape=outbox_json)


@bp.post("/compounds/<compound:cid>/outbox/<message:mid>/resend")
@requires("outbox.resend")
@operation("Send an uncertain or failed e-mail or SMS once more: a new message, queued now "
           "(audited); the old one stays as it was", tag=TAG, response=OutboxMessageOut,
           status=201,
           errors={422: "validation_error: not an uncertain or failed e-mail/SMS, or still "
                        "being retried"})
def resend(cid: int, mid: int):
    compound = load(Compound, cid, "outbox.resend")
    message = load(Message, mid, "outbox.resend", parent=compound)
    return outbox_json(inbox.resend(message))
