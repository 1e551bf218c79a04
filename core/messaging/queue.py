"""The task queue: Huey, on the embedded default with no server and on Redis in production.

Why Huey: one small, well-kept library with both back-ends we need — `SqliteHuey`, its
queue in a file of its own in instance/ (never the app's database, so the consumer does not
lock it), for `make run` and single-host installs; `RedisHuey` when QUEUE_URL=redis://… —
periodic tasks (the minute sweep) and delayed tasks (retries) built in, and one consumer
command, `huey_consumer core.messaging.queue.huey -w 4`.

Tasks (named, so a producer and a consumer of different builds agree):
    tongxin.send   send one message (by id); a failure re-queues it after its back-off
    tongxin.drain  send every message due now (the waker enqueues it after a commit)
    tongxin.sweep  every minute: rows left `sending` by a dead worker (core.messaging.sending
                   .recover), then the drain — the quiet hours' morning texts, due retries
                   and anything a lost wake-up left behind

QUEUE_URL: redis://… | sqlite:///path | memory:// (the tests: nothing consumes it; they
call the tasks with `call_local`) | unset: instance/queue.sqlite3.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from core.hooks import import_spec
from core.messaging import outbox, sending
from core.types import utcnow

log = logging.getLogger("tongxin.queue")
INSTANCE = Path(__file__).resolve().parents[2] / "instance"


def make_huey(url: str | None = None) -> Huey:
    url = os.environ.get("QUEUE_URL", "") if url is None else url
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("tongxin", url=url)
    if url == "memory://":
        return MemoryHuey("tongxin")
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
    elif not url:
        path = INSTANCE / "queue.sqlite3"
    else:
        raise ValueError(f"QUEUE_URL={url!r}: use redis://…, sqlite:///path or leave it unset")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tongxin", filename=str(path))


_app = None


@contextlib.contextmanager
def _in_app():
    """In the consumer: an app made once from the environment (like `flask` makes it), its
    session closed after each task. Called where an app is running (a test's
    `call_local`): that app, its session left to it."""
    global _app
    if has_app_context():
        yield
        return
    if _app is None:
        _app = import_spec("app:create_app")()
    from core.extensions import db

    with _app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def _config():
    return current_app.config


@dataclass(frozen=True)
class Tasks:
    send: object
    drain: object
    sweep: object


def register(h: Huey) -> Tasks:
    """The tasks on a Huey instance (the module's own; a test registers them on another)."""

    @h.task(name="tongxin.send")
    def send_message(message_id: int) -> str | None:
        with _in_app():
            outcome = sending.send_one(message_id, _config())
        if outcome is not None and outcome.retry_at is not None:
            _retry(message_id, outcome.retry_at)
        return outcome.status if outcome else None

    def _retry(message_id: int, at: dt.datetime) -> None:
        send_message.schedule((message_id,), delay=max(
            1, int((at - utcnow()).total_seconds())))

    @h.task(name="tongxin.drain")
    def drain() -> int:
        with _in_app():
            return sending.drain(_config(), schedule_retry=_retry)

    @h.periodic_task(crontab(minute="*"), name="tongxin.sweep")
    def sweep() -> int:
        with _in_app():
            lease = dt.timedelta(seconds=int(_config().get("OUTBOX_LEASE_SECONDS", 300)))
            found = sending.recover(lease=lease)
            if any(found.values()):
                log.warning("outbox: left by a stopped worker: %s", found)
            return sending.drain(_config(), schedule_retry=_retry)

    return Tasks(send_message, drain, sweep)


huey = make_huey()
tasks = register(huey)


def wake() -> None:
    """After a commit that queued e-mail or SMS: have a consumer drain the outbox. The
    event is committed already; if the queue cannot be reached the minute sweep sends it."""
    try:
        tasks.drain()
    except Exception:  # the queue's server is down: the sweep catches up
        log.exception("outbox: could not wake the consumer; the minute sweep will send")


def init_app(app) -> None:
    outbox.on_queued(wake)
