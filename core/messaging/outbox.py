"""`notify`: write the messages of one event into the outbox, in the caller's transaction.

In-app messages are the rows themselves (sent when written, read in the inbox). E-mail and
SMS rows wait, queued, for the consumer (core.messaging.queue), which is woken once the
transaction commits — never before, so a rolled-back event tells nobody anything. Writing
is one bulk INSERT whatever the number of recipients (an announcement reaches every owner
of a 20,000-unit compound), and an event written twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from core.extensions import db
from core.inputs import SHANGHAI, mobile_or_none
from core.messaging.models import Channel, Message, MessageStatus, OptOut
from core.types import utcnow

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: no SMS between 21:00 and 08:00 Beijing time: they wait until the morning
QUIET_FROM, QUIET_UNTIL = dt.time(21, 0), dt.time(8, 0)


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: an account, a person of the registry, or both, with what the
    registry or the account knows of how to reach them."""

    user_id: int | None = None
    person_id: int | None = None
    name: str = ""
    phone: str = ""
    email: str = ""

    @property
    def who(self) -> str:
        return f"p{self.person_id}" if self.person_id is not None else f"u{self.user_id}"


def morning_after_quiet(now: dt.datetime) -> dt.datetime | None:
    """When an SMS written at `now` may go: None now, or 08:00 Beijing time if `now` falls
    in the quiet hours."""
    local = now.astimezone(SHANGHAI)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, QUIET_UNTIL, tzinfo=SHANGHAI).astimezone(dt.UTC)


def _address(channel: Channel, r: Recipient) -> tuple[str, str]:
    """(address, reason it cannot be used or "")."""
    if channel is Channel.sms:
        if not r.phone:
            return "", "no_phone"
        phone = mobile_or_none(r.phone)
        return (phone, "") if phone else (r.phone[:200], "invalid_phone")
    if channel is Channel.email:
        if not r.email:
            return "", "no_email"
        return (r.email[:200], "") if EMAIL.fullmatch(r.email) else (r.email[:200],
                                                                      "invalid_email")
    return "", "" if r.user_id is not None else "no_account"


def _opted_out(channels: Iterable[Channel]) -> set[tuple[str, str]]:
    """{(recipient's who, channel)} of everybody who turned a channel off (a short table)."""
    rows = db.session.execute(select(OptOut.person_id, OptOut.user_id, OptOut.channel).where(
        OptOut.channel.in_([c.value for c in channels if c is not Channel.in_app]))).all()
    out = set()
    for person_id, user_id, channel in rows:
        if person_id is not None:
            out.add((f"p{person_id}", channel))
        if user_id is not None:
            out.add((f"u{user_id}", channel))
    return out


def notify(event_name: str, recipients: Sequence[Recipient], *, title: str, body: str = "",
           link: str = "", subject: tuple[str, int] | None = None,
           compound_id: int | None = None,
           channels: Iterable[Channel | str] = (Channel.in_app,), data: dict | None = None,
           round_: str = "", now: dt.datetime | None = None) -> int:
    """Write one message per recipient and channel (in-app always) for `event_name`; no
    commit — the caller's transaction carries it. `round_` tells repeated events apart (a
    reminder's date); `now` is the moment of writing, which decides whether an SMS waits out
    the quiet hours. Returns how many rows were written (0 when the event was already)."""
    wanted = [Channel.in_app, *[Channel(c) for c in channels if Channel(c) is not Channel.in_app]]
    subject_type, subject_id = subject or ("", None)
    now = now or utcnow()
    prefix = f"{event_name}:{subject_type}:{subject_id}:"
    suffix = f":{round_}" if round_ else ""
    existing = set(db.session.scalars(select(Message.key).where(
        Message.event == event_name, Message.subject_type == subject_type,
        Message.subject_id == subject_id)))
    off = _opted_out(wanted)
    later = morning_after_quiet(now)
    payload = json.dumps(data or {}, ensure_ascii=False, sort_keys=True)
    rows, seen = [], set()
    for r in recipients:
        for channel in wanted:
            key = f"{prefix}{r.who}:{channel.value}{suffix}"
            if key in existing or key in seen:
                continue
            seen.add(key)
            address, reason = _address(channel, r)
            if not reason and (r.who, channel.value) in off:
                reason = "opted_out"
            status = (MessageStatus.skipped if reason else MessageStatus.sent
                      if channel is Channel.in_app else MessageStatus.queued)
            rows.append({
                "key": key, "event": event_name, "channel": channel.value,
                "user_id": r.user_id, "person_id": r.person_id, "recipient_name": r.name[:100],
                "address": address, "compound_id": compound_id, "subject_type": subject_type,
                "subject_id": subject_id, "title": title[:200], "body": body,
                "link": link[:500], "data_json": payload, "status": status.value,
                "reason": reason, "attempts": 0, "provider_id": "",
                "not_before": later if channel is Channel.sms and status is
                MessageStatus.queued else None,
                "created_at": now,
                "sent_at": now if status is MessageStatus.sent else None, "read_at": None})
    if rows:
        db.session.execute(insert(Message), rows)
        if any(row["status"] == MessageStatus.queued.value for row in rows):
            db.session.info["outbox_queued"] = True
    return len(rows)


# -- waking the consumer once the event is committed -----------------------------------------

#: called (with no arguments) after a commit that queued external messages
_wakers: list[Callable[[], None]] = []


def on_queued(waker: Callable[[], None]) -> None:
    """Register what wakes the consumer (the queue module does, at start-up)."""
    if waker not in _wakers:
        _wakers.append(waker)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("outbox_queued", False):
        for wake in _wakers:
            wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("outbox_queued", None)


# -- what an event reached -----------------------------------------------------------------

@dataclass(frozen=True)
class Reach:
    """How many people an event (or all events about one object) was written for, and by
    channel how many messages are in each state: {"sms": {"sent": 312, "skipped": 4}}."""

    people: int
    by_channel: dict[str, dict[str, int]]

    def count(self, channel: str, status: str) -> int:
        return self.by_channel.get(channel, {}).get(status, 0)


def reach(subject_type: str, subject_id: int, event_name: str | None = None) -> Reach:
    """One grouped query over the outbox for the messages about one object."""
    q = select(Message.channel, Message.status, func.count()).where(
        Message.subject_type == subject_type, Message.subject_id == subject_id)
    people = select(func.count(func.distinct(func.coalesce(
        Message.person_id, -Message.user_id)))).where(
        Message.subject_type == subject_type, Message.subject_id == subject_id)
    if event_name is not None:
        q = q.where(Message.event == event_name)
        people = people.where(Message.event == event_name)
    by: dict[str, dict[str, int]] = {}
    for channel, status, n in db.session.execute(q.group_by(Message.channel, Message.status)):
        by.setdefault(channel, {})[status] = n
    return Reach(db.session.scalar(people) or 0, by)
