"""What a signed-in person reads and chooses: their in-app messages (the inbox), the unread
count in the header, and which external channels they want (SMS, e-mail); and what the
compound's staff do with the outbox: look at it, and re-send a message that went wrong.

A message belongs to whoever it was written for: `fetch_message` (core.loader's fetch for
the kind "message") answers 404 for anybody else's — there is nothing to learn from a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from core import audit
from core.errors import invalid
from core.extensions import db
from core.messaging.models import Channel, Message, MessageStatus, OptOut
from core.messaging.outbox import EMAIL
from core.permissions import Target, authorize
from core.types import utcnow

INBOX_PAGE = 50
OUTBOX_PAGE = 50
EXTERNAL = (Channel.sms.value, Channel.email.value)


def _mine():
    return (Message.user_id == current_user.id, Message.channel == Channel.in_app.value,
            Message.status == MessageStatus.sent.value)


def fetch_message(message_id: int, action: str) -> Message:
    """core.loader's fetch: "message.read" — the signed-in user's own in-app message, else
    404; the outbox's actions — a message of a compound the user may do that action in."""
    m = db.session.get(Message, message_id)
    if m is None:
        abort(404)
    if action == "message.read":
        if m.user_id != current_user.id or m.channel != Channel.in_app.value:
            abort(404)
        return m
    if m.compound_id is None:
        abort(404)
    authorize(action, compound_target(m.compound_id))
    return m


def compound_target(compound_id: int) -> Target:
    """Where a compound sits (district, street), from the registry (hook
    `permission.compound_target`); only the compound itself when no package answers."""
    from core import hooks

    try:
        return hooks.one("permission.compound_target")(compound_id)
    except hooks.HookMissing:
        return Target(compound_id=compound_id)


# -- the inbox ------------------------------------------------------------------------------

def inbox_query():
    """The signed-in user's in-app messages, newest first, as a select (the API pages it)."""
    return select(Message).where(*_mine()).order_by(Message.created_at.desc(),
                                                     Message.id.desc())


def messages(page: int = 1) -> list[Message]:
    """The signed-in user's in-app messages, newest first, a page of INBOX_PAGE."""
    page = max(page, 1)
    return list(db.session.scalars(
        inbox_query().limit(INBOX_PAGE).offset((page - 1) * INBOX_PAGE)))


def count(unread_only: bool = False) -> int:
    q = select(func.count()).select_from(Message).where(*_mine())
    if unread_only:
        q = q.where(Message.read_at.is_(None))
    return db.session.scalar(q) or 0


def unread_count() -> int:
    """The header's badge: one indexed count (ix_message_user_inbox)."""
    if not current_user.is_authenticated:
        return 0
    return count(unread_only=True)


def mark_read(m: Message) -> None:
    if m.read_at is None:
        m.read_at = utcnow()
        db.session.commit()


def mark_all_read() -> int:
    from sqlalchemy import update

    n = db.session.execute(update(Message).where(*_mine(), Message.read_at.is_(None))
                           .values(read_at=utcnow())
                           .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return n


# -- the channels a person wants ------------------------------------------------------------

@dataclass(frozen=True)
class Channels:
    phone: str
    email: str
    sms: bool
    email_on: bool


def _opt_outs(user) -> set[str]:
    who = [OptOut.user_id == user.id]
    if user.person_id is not None:
        who.append(OptOut.person_id == user.person_id)
    return set(db.session.scalars(select(OptOut.channel).where(or_(*who))))


def channels(user) -> Channels:
    off = _opt_outs(user)
    return Channels(user.phone, user.email, "sms" not in off, "email" not in off)


def set_channels(user, *, sms: bool, email: bool, address: str | None = None) -> None:
    """Turn SMS and e-mail on or off for the account (and the registry's person behind it:
    the SMS to owners are written for the person), and set the account's e-mail address.
    One transaction, audited."""
    if address is not None:
        address = address.strip()
        if address and (len(address) > 200 or not EMAIL.fullmatch(address)):
            raise invalid(_l("Enter an e-mail address such as name@example.com"), "email")
        user.email = address
    before = channels(user)
    wanted = {"sms": sms, "email": email}
    for channel, on in wanted.items():
        rows = db.session.scalars(select(OptOut).where(OptOut.channel == channel, or_(
            OptOut.user_id == user.id, *([OptOut.person_id == user.person_id]
                                         if user.person_id is not None else [])))).all()
        if on:
            for row in rows:
                db.session.delete(row)
        elif not rows:
            db.session.add(OptOut(user_id=user.id, person_id=user.person_id, channel=channel))
    audit.record("messages.channels_set", "user", user.id, {
        "sms": sms, "email": email, "was": {"sms": before.sms, "email": before.email},
        "email_address_set": bool(user.email)})
    db.session.commit()


# -- the compound's outbox ------------------------------------------------------------------

@dataclass(frozen=True)
class OutboxPage:
    rows: list[Message]
    total: int
    page: int
    pages: int
    events: list[str]


def _outbox_where(compound_id: int, event: str, channel: str, status: str) -> list:
    where = [Message.compound_id == compound_id]
    if event:
        where.append(Message.event == event)
    if channel:
        where.append(Message.channel == channel)
    if status:
        where.append(Message.status == status)
    return where


def outbox_query(compound_id: int, *, event: str = "", channel: str = "", status: str = ""):
    """The compound's messages newest first, filtered, as a select (the API pages it)."""
    return select(Message).where(*_outbox_where(compound_id, event, channel, status)).order_by(
        Message.created_at.desc(), Message.id.desc())


def outbox(compound_id: int, *, event: str = "", channel: str = "", status: str = "",
           page: int = 1) -> OutboxPage:
    """The compound's messages newest first, filtered by event, channel and status."""
    where = _outbox_where(compound_id, event, channel, status)
    total = db.session.scalar(select(func.count()).select_from(Message).where(*where)) or 0
    pages = max(1, -(-total // OUTBOX_PAGE))
    page = min(max(page, 1), pages)
    rows = list(db.session.scalars(
        select(Message).where(*where).order_by(Message.created_at.desc(), Message.id.desc())
        .limit(OUTBOX_PAGE).offset((page - 1) * OUTBOX_PAGE)))
    events = list(db.session.scalars(select(Message.event).where(
        Message.compound_id == compound_id).distinct().order_by(Message.event)))
    return OutboxPage(rows, total, page, pages, events)


RESENDABLE = (MessageStatus.uncertain.value, MessageStatus.failed.value)


def resend(m: Message) -> Message:
    """Send an uncertain or failed e-mail/SMS once more: a new row with a new key round (so
    the provider sees a new message), queued now; the old row stays as it was. Audited."""
    if m.channel not in EXTERNAL or m.status not in RESENDABLE:
        raise invalid(_l("Only an uncertain or failed e-mail or SMS can be sent again"))
    if m.status == MessageStatus.failed.value and m.not_before is not None:
        raise invalid(_l("This message is still being retried"))
    n = db.session.scalar(select(func.count()).select_from(Message).where(
        Message.key.like(m.key.split(":resend")[0] + ":resend%"))) or 0
    base = m.key.split(":resend")[0]
    copy = Message(
        key=f"{base}:resend{n + 1}", event=m.event, channel=m.channel, user_id=m.user_id,
        person_id=m.person_id, recipient_name=m.recipient_name, address=m.address,
        compound_id=m.compound_id, subject_type=m.subject_type, subject_id=m.subject_id,
        title=m.title, body=m.body, link=m.link, data_json=m.data_json,
        status=MessageStatus.queued.value, reason="", attempts=0, provider_id="",
        created_at=utcnow())
    db.session.add(copy)
    db.session.flush()
    audit.record("message.resent", "message", m.id, {
        "new_id": copy.id, "channel": m.channel, "was": m.status, "reason": m.reason,
        "event": m.event}, compound_id=m.compound_id)
    db.session.info["outbox_queued"] = True  # wake the consumer after the commit
    db.session.commit()
    return copy
