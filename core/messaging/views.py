"""The inbox and the channel switches, as pages and as JSON.

    /messages                      the signed-in user's in-app messages, newest first
    /messages/<id>                 open one: marked read, then on to what it is about
    /account/notifications         SMS and e-mail on or off; the e-mail address
    GET  /api/v1/me/messages       the same list (?page=&per_page=, ?unread=true)
    POST /api/v1/me/messages/<id>/read, POST /api/v1/me/messages/read (all)
    GET/PUT /api/v1/me/notifications   the channel switches
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from core.api import api_blueprint, operation, paginate
from core.loader import load
from core.messaging import inbox
from core.messaging.models import Message
from core.permissions import signed_in
from core.schemas import Body, Moment, Out, Query, text
from core.web import attempt

messages = Blueprint("messages", __name__, template_folder="templates")
messages_api = api_blueprint("messages_api", __name__)


@messages.app_template_global()
def unread_messages() -> int:
    """The header's badge (base.html): one count per page."""
    return inbox.unread_count()


def _safe_link(link: str) -> str:
    """Only a path of this site: a message never sends the reader elsewhere."""
    return link if link.startswith("/") and not link.startswith("//") else ""


@messages.get("/messages")
@signed_in
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    total = inbox.count()
    pages = max(1, -(-total // inbox.INBOX_PAGE))
    return render_template("messaging/inbox.html", rows=inbox.messages(min(page, pages)),
                           page=min(page, pages), pages=pages, total=total,
                           unread=inbox.count(unread_only=True))


@messages.get("/messages/<message:mid>")
@signed_in
def open_message(mid: int):
    m = load(Message, mid, "message.read")
    inbox.mark_read(m)
    return redirect(_safe_link(m.link) or url_for("messages.index"))


@messages.post("/messages/read")
@signed_in
def read_all():
    inbox.mark_all_read()
    return redirect(url_for("messages.index"))


class ChannelsForm(FlaskForm):
    sms = BooleanField(_l("SMS to my phone"))
    email_on = BooleanField(_l("E-mail"))
    email = StringField(_l("E-mail address"), validators=[Length(max=200)])


@messages.route("/account/notifications", methods=["GET", "POST"])
@signed_in
def notifications():
    now = inbox.channels(current_user)
    form = ChannelsForm(data={"sms": now.sms, "email_on": now.email_on, "email": now.email})
    if form.validate_on_submit():
        done = attempt(form, lambda: inbox.set_channels(
            current_user, sms=form.sms.data, email=form.email_on.data,
            address=form.email.data or "") or True)
        if done:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("messages.notifications"))
    return render_template("messaging/notifications.html", form=form, now=now)


class MessageOut(Out):
    """One in-app message of the signed-in user."""

    id: int
    title: str
    body: str
    link: str
    created_at: Moment
    read: bool


class MessagesQuery(Query):
    unread: bool = False


class ReadAllOut(Out):
    marked: int


class ChannelsOut(Out):
    """Which external channels the user wants, and the account's addresses."""

    sms: bool
    email_on: bool
    email: str
    phone: str


class ChannelsIn(Body):
    """SMS and e-mail on or off; `email` sets the account's address ("" removes it, left
    out keeps it)."""

    sms: bool
    email_on: bool
    email: text(200) | None = None


def _message_json(m: Message) -> MessageOut:
    return MessageOut(id=m.id, title=m.title, body=m.body or "", link=m.link or "",
                      created_at=m.created_at, read=m.read_at is not None)


def _channels_json(user) -> ChannelsOut:
    now = inbox.channels(user)
    return ChannelsOut(sms=now.sms, email_on=now.email_on, email=now.email or "",
                       phone=now.phone or "")


@messages_api.get("/me/messages")
@signed_in
@operation("The signed-in user's in-app messages, newest first (unread=true: only those "
           "not read)", tag="messages", query=MessagesQuery, response=MessageOut,
           paginated=True)
def api_messages(query: MessagesQuery):
    q = inbox.inbox_query()
    if query.unread:
        q = q.where(Message.read_at.is_(None))
    return paginate(q, shape=_message_json)


@messages_api.post("/me/messages/<message:mid>/read")
@signed_in
@operation("Mark one of one's messages read", tag="messages", response=MessageOut)
def api_read(mid: int):
    m = load(Message, mid, "message.read")
    inbox.mark_read(m)
    return _message_json(m)


@messages_api.post("/me/messages/read")
@signed_in
@operation("Mark all of one's messages read", tag="messages", response=ReadAllOut)
def api_read_all():
    return {"marked": inbox.mark_all_read()}


@messages_api.get("/me/notifications")
@signed_in
@operation("Which channels (SMS, e-mail) the signed-in user wants", tag="messages",
           response=ChannelsOut)
def api_channels():
    return _channels_json(current_user)


@messages_api.put("/me/notifications")
@signed_in
@operation("Turn SMS and e-mail on or off; set the account's e-mail address (audited)",
           tag="messages", body=ChannelsIn, response=ChannelsOut)
def api_set_channels(body: ChannelsIn):
    inbox.set_channels(current_user, sms=body.sms, email=body.email_on, address=body.email)
    return _channels_json(current_user)
