"""The compound's outbox for its staff and oversight: every message written in the compound
(in-app, e-mail, SMS), newest first, filtered by event, channel and status, each with its
reason; an uncertain or failed e-mail or SMS can be sent once more (audited)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from compounds.models import Compound
from core.errors import DomainError
from core.loader import load
from core.messaging import inbox
from core.messaging.event_labels import event_label
from core.messaging.models import Channel, Message, MessageStatus
from core.permissions import may, requires
from core.web import flash_error

bp = Blueprint("outbox", __name__, template_folder="templates")

CHANNEL_LABELS = {Channel.in_app.value: _l("In-app"), Channel.email.value: _l("E-mail"),
                  Channel.sms.value: _l("SMS")}
STATUS_LABELS = {
    MessageStatus.queued.value: _l("Queued"), MessageStatus.sending.value: _l("Sending"),
    MessageStatus.sent.value: _l("Sent"), MessageStatus.failed.value: _l("Send failed"),
    MessageStatus.skipped.value: _l("Skipped"),
    MessageStatus.uncertain.value: _l("Uncertain"),
}
#: the skip reasons notify() writes, in words
REASON_LABELS = {
    "no_account": _l("no account in Tongxin"), "no_phone": _l("no phone on record"),
    "invalid_phone": _l("not a mobile number"), "no_email": _l("no e-mail on record"),
    "invalid_email": _l("not an e-mail address"),
    "opted_out": _l("turned this channel off"),
}


#: the consumer's own reasons (core.messaging.sending) start so; the provider's detail follows
REASON_PREFIXES = (
    ("the worker stopped after handing it", _l("the sender stopped after handing it to the "
                                                "provider: perhaps delivered; send again if "
                                                "it did not arrive")),
    ("gave up", _l("gave up after repeated failures")),
)


def reason_text(reason: str) -> str:
    if reason in REASON_LABELS:
        return str(REASON_LABELS[reason])
    for prefix, label in REASON_PREFIXES:
        if reason.startswith(prefix):
            detail = reason.partition(": ")[2] if prefix == "gave up" else ""
            return f"{label}{'：' + detail if detail else ''}"
    return reason


@bp.get("/compounds/<compound:cid>/outbox")
@requires("outbox.view")
def index(cid: int):
    compound = load(Compound, cid, "outbox.view")
    event = request.args.get("event", "")
    channel = request.args.get("channel", "")
    status = request.args.get("status", "")
    channel = channel if channel in CHANNEL_LABELS else ""
    status = status if status in STATUS_LABELS else ""
    view = inbox.outbox(compound.id, event=event[:48], channel=channel, status=status,
                        page=request.args.get("page", 1, type=int))
    return render_template("compounds/outbox/index.html", compound=compound, view=view,
                           event=event, channel=channel, status=status,
                           channels=CHANNEL_LABELS, statuses=STATUS_LABELS,
                           reason_text=reason_text, event_label=event_label,
                           resendable=inbox.RESENDABLE,
                           may_resend=may("outbox.resend", compound))


@bp.post("/compounds/<compound:cid>/outbox/<message:mid>/resend")
@requires("outbox.resend")
def resend(cid: int, mid: int):
    compound = load(Compound, cid, "outbox.resend")
    message = load(Message, mid, "outbox.resend", parent=compound)
    try:
        copy = inbox.resend(message)
    except DomainError as err:
        flash_error(err)
    else:
        flash(_("Queued to be sent again (message %(id)s).", id=copy.id), "success")
    return redirect(url_for("outbox.index", cid=compound.id, **{
        k: v for k, v in request.args.items() if k in ("event", "channel", "status")}))
