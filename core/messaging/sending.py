"""Sending one outbox row, never twice: what the queue's consumer does.

    queued ──claim──▶ sending ──handed to the provider──▶ sent
       ▲                 │ the provider refused: failed, retried after 1, 5, 30 minutes
       └── retry due ────┘ (then given up: failed with the reason, no `not_before`)

- A consumer *claims* a row with one conditional UPDATE (queued → sending, attempts + 1),
  committed before anything else: two consumers racing for the same row, one wins.
- Just before the provider is called, `handed_at` is set and committed. A row found still
  `sending` after the lease (its worker died) is therefore told apart: never handed over →
  queued again; handed over → `uncertain`, perhaps delivered, and never sent again by itself
  (a person may re-send it from the compound's outbox page, audited).
- At send time the rules are asked again: an owner who turned the channel off since the
  event is skipped; an SMS due in the quiet hours (21:00–08:00) waits for 08:00.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update

from core.extensions import db
from core.messaging.channels import Failed, Sender, sender_for
from core.messaging.models import Channel, Message, MessageStatus, OptOut
from core.messaging.outbox import morning_after_quiet
from core.types import utcnow

#: the waits before the 2nd, 3rd and 4th attempt; after the 4th failure it is given up
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30))
MAX_ATTEMPTS = len(BACKOFF) + 1
#: a row `sending` for longer than this belongs to a worker that died
LEASE = dt.timedelta(minutes=5)
EXTERNAL = (Channel.email.value, Channel.sms.value)
S = MessageStatus


@dataclass(frozen=True)
class Outcome:
    """What became of one row: its status now, and when to try again (if it will be)."""

    status: str
    retry_at: dt.datetime | None = None


def _crash_point(name: str) -> None:
    """Test-only: the no-double-send test makes a consumer die here (TONGXIN_TEST_CRASH_AT),
    the way a killed worker would, with nothing cleaned up."""
    if os.environ.get("TONGXIN_TEST_CRASH_AT") == name:
        os._exit(1)


def _due(now: dt.datetime):
    """Rows a consumer may take now: queued, or failed with a retry that has come due."""
    return and_(Message.channel.in_(EXTERNAL),
                or_(Message.status == S.queued.value,
                    and_(Message.status == S.failed.value, Message.not_before.is_not(None))),
                or_(Message.not_before.is_(None), Message.not_before <= now))


def claim(message_id: int, now: dt.datetime) -> bool:
    """queued → sending, attempts + 1, committed; False if someone else has it (or it is
    not due)."""
    result = db.session.execute(
        update(Message).where(Message.id == message_id, _due(now))
        .values(status=S.sending.value, attempts=Message.attempts + 1, claimed_at=now,
                handed_at=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _opted_out(m: Message) -> bool:
    who = []
    if m.person_id is not None:
        who.append(OptOut.person_id == m.person_id)
    if m.user_id is not None:
        who.append(OptOut.user_id == m.user_id)
    return bool(who) and db.session.scalar(
        select(OptOut.id).where(OptOut.channel == m.channel, or_(*who)).limit(1)) is not None


def send_one(message_id: int, config: Mapping, *, now: dt.datetime | None = None,
             sender: Sender | None = None) -> Outcome | None:
    """Claim the row and send it through its channel; None if it was not ours to send."""
    now = now or utcnow()
    if not claim(message_id, now):
        return None
    m = db.session.get(Message, message_id, populate_existing=True)
    if _opted_out(m):
        m.status, m.reason, m.not_before = S.skipped.value, "opted_out", None
        db.session.commit()
        return Outcome(m.status)
    if m.channel == Channel.sms.value and (morning := morning_after_quiet(now)) is not None:
        # not an attempt: it waits for the morning
        m.status, m.not_before, m.attempts = S.queued.value, morning, m.attempts - 1
        db.session.commit()
        return Outcome(m.status, morning)
    _crash_point("before_handover")
    m.handed_at = utcnow()
    db.session.commit()
    try:
        provider_id = (sender or sender_for(m.channel, config)).send(m)
    except Failed as failure:
        return _failed(m, failure, now)
    _crash_point("after_send")
    m.status, m.provider_id, m.sent_at = S.sent.value, provider_id[:200], utcnow()
    m.reason, m.not_before = "", None
    db.session.commit()
    return Outcome(m.status)


def _failed(m: Message, failure: Failed, now: dt.datetime) -> Outcome:
    _set_failed(m, failure, now)
    db.session.commit()
    return Outcome(m.status, m.not_before)


def _set_failed(m: Message, failure: Failed, now: dt.datetime) -> None:
    m.status = S.failed.value
    if failure.permanent or m.attempts >= MAX_ATTEMPTS:
        m.not_before = None
        m.reason = (failure.reason if failure.permanent else
                    f"gave up after {m.attempts} attempts: {failure.reason}")[:200]
    else:
        m.not_before = now + BACKOFF[m.attempts - 1]
        m.reason = failure.reason


def recover(now: dt.datetime | None = None, lease: dt.timedelta = LEASE) -> dict[str, int]:
    """Rows left `sending` by a worker that died: queued again if they never reached the
    provider (failed if that was their last attempt), `uncertain` if they did."""
    now = now or utcnow()
    stale = and_(Message.status == S.sending.value, Message.claimed_at <= now - lease)
    uncertain = db.session.execute(
        update(Message).where(stale, Message.handed_at.is_not(None))
        .values(status=S.uncertain.value,
                reason="the worker stopped after handing it to the provider: perhaps "
                       "delivered; re-send it by hand if it was not")
        .execution_options(synchronize_session=False)).rowcount
    gave_up = db.session.execute(
        update(Message).where(stale, Message.attempts >= MAX_ATTEMPTS)
        .values(status=S.failed.value, not_before=None,
                reason="gave up: the worker stopped before sending it, attempts exhausted")
        .execution_options(synchronize_session=False)).rowcount
    retried = db.session.execute(
        update(Message).where(stale).values(status=S.queued.value, claimed_at=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return {"uncertain": uncertain, "failed": gave_up, "queued": retried}


def due_ids(now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
    return list(db.session.scalars(select(Message.id).where(_due(now or utcnow()))
                                   .order_by(Message.id).limit(limit)))


def _opted_out_of(rows: list[Message], session) -> set[int]:
    """Ids of the rows whose person or account turned their channel off (one query)."""
    people = {m.person_id for m in rows if m.person_id is not None}
    users = {m.user_id for m in rows if m.user_id is not None}
    if not people and not users:
        return set()
    off = set()
    for person_id, user_id, channel in session.execute(
            select(OptOut.person_id, OptOut.user_id, OptOut.channel).where(or_(
                OptOut.person_id.in_(people), OptOut.user_id.in_(users)))):
        off.add(("p", person_id, channel))
        off.add(("u", user_id, channel))
    return {m.id for m in rows if ("p", m.person_id, m.channel) in off
            or ("u", m.user_id, m.channel) in off}


def send_batch(ids: list[int], config: Mapping, *, now: dt.datetime | None = None,
               senders: dict[str, Sender] | None = None,
               schedule_retry: Callable[[int, dt.datetime], None] | None = None) -> int:
    """`send_one` for many rows at once, the same guarantees with fewer round trips: one
    UPDATE claims the batch, and each message still has its own committed `handed_at` before
    the provider is called (that commit also carries the previous message's "sent"). A
    worker dying mid-batch leaves sent rows with `handed_at` (uncertain) and the rest
    without (retried). Returns how many were sent."""
    from sqlalchemy.orm import Session

    now = now or utcnow()
    senders = {} if senders is None else senders
    sent = 0
    with Session(db.engine, expire_on_commit=False) as session:
        claimed = list(session.scalars(
            update(Message).where(Message.id.in_(ids), _due(now))
            .values(status=S.sending.value, attempts=Message.attempts + 1, claimed_at=now,
                    handed_at=None).returning(Message.id)))
        session.commit()
        rows = list(session.scalars(select(Message).where(Message.id.in_(claimed))
                                    .order_by(Message.id)))
        off = _opted_out_of(rows, session)
        morning = morning_after_quiet(now)
        for m in rows:
            if m.id in off:
                m.status, m.reason, m.not_before = S.skipped.value, "opted_out", None
                continue
            if m.channel == Channel.sms.value and morning is not None:
                m.status, m.not_before, m.attempts = S.queued.value, morning, m.attempts - 1
                continue
            _crash_point("before_handover")
            m.handed_at = utcnow()
            session.commit()
            if m.channel not in senders:
                senders[m.channel] = sender_for(m.channel, config)
            try:
                provider_id = senders[m.channel].send(m)
            except Failed as failure:
                _set_failed(m, failure, now)
                if m.not_before is not None and schedule_retry:
                    schedule_retry(m.id, m.not_before)
                continue
            _crash_point("after_send")
            m.status, m.provider_id, m.sent_at = S.sent.value, provider_id[:200], utcnow()
            m.reason, m.not_before = "", None
            sent += 1
        session.commit()
    return sent


def drain(config: Mapping, *, schedule_retry: Callable[[int, dt.datetime], None] | None = None,
          now: dt.datetime | None = None, batch: int = 200) -> int:
    """Send every row that is due now, batch after batch; how many were sent."""
    sent = 0
    senders: dict[str, Sender] = {}
    while True:
        ids = due_ids(now=now, limit=batch)
        db.session.rollback()  # the batch works in its own session
        if not ids:
            return sent
        sent += send_batch(ids, config, now=now, senders=senders,
                           schedule_retry=schedule_retry)
