"""Nothing is sent twice when a worker dies mid-send — with a real consumer (`huey_consumer`
in a subprocess, its queue a SQLite file) that really dies (os._exit, the way a killed
worker leaves nothing cleaned up), a real SMTP server that counts what it received, and a
second consumer started afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from core.extensions import db
from core.messaging import queue
from core.messaging.models import Message
from core.messaging.outbox import Recipient, notify
from tests.conftest import IS_PG
from tests.core.mailserver import smtp_server

pytestmark = pytest.mark.skipif(IS_PG, reason="the consumer shares the SQLite test file")
CONSUMER = str(Path(sys.executable).with_name("huey_consumer"))


def _one_email(make) -> int:
    user = make.user("wangfang")
    notify("vote.announced", [Recipient(user_id=user.id, person_id=1, name="王芳",
                                        email="wf@example.cn")],
           title="表决公告：加装电梯", body="请于12月20日前表决。", link="/votes/1",
           subject=("vote", 1), compound_id=None, channels=("email",))
    db.session.commit()
    return db.session.scalar(select(Message.id).where(Message.channel == "email"))


def _consumer(app, tmp_path, port, crash_at=None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}", "SECRET_KEY": "x",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "MAIL_FROM": "notice@tongxin.cn",
           "OUTBOX_LEASE_SECONDS": "0"}
    env.pop("TONGXIN_TEST_CRASH_AT", None)
    if crash_at:
        env["TONGXIN_TEST_CRASH_AT"] = crash_at
    return subprocess.Popen([CONSUMER, "core.messaging.queue.huey", "-w", "1", "-n",
                             "-d", "0.05", "-C"],
                            cwd=Path(__file__).resolve().parents[2], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _status(mid: int) -> str:
    db.session.rollback()
    return db.session.scalar(select(Message.status).where(Message.id == mid))


def _until(check, proc, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"timed out; consumer said: {proc.stderr.read().decode()[-2000:]}")


def _stop(proc):
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.parametrize(("crash_at", "final", "received"), [
    # the provider accepted it, the worker died before writing "sent": perhaps delivered —
    # never sent again by itself
    ("after_send", "uncertain", 1),
    # the worker died after claiming it, before handing it over: nobody got it — sent once
    # by the next consumer
    ("before_handover", "sent", 1),
])
def test_nothing_is_sent_twice_when_a_worker_dies_mid_send(app, make, tmp_path, crash_at,
                                                           final, received):
    mid = _one_email(make)
    producer = queue.register(queue.make_huey(f"sqlite:///{tmp_path / 'queue.sqlite3'}"))
    with smtp_server() as (inbox, port):
        producer.send(mid)
        first = _consumer(app, tmp_path, port, crash_at=crash_at)
        try:
            code = first.wait(timeout=60)
        except subprocess.TimeoutExpired:
            first.kill()
            raise AssertionError("the consumer did not die; the message: "
                                 + db.session.get(Message, mid).reason) from None
        assert code == 1  # died mid-send
        assert _status(mid) == "sending"
        assert len(inbox.mails) == (1 if crash_at == "after_send" else 0)

        second = _consumer(app, tmp_path, port)
        try:
            producer.send(mid)  # the task the dead worker held, delivered again
            producer.sweep()    # the minute sweep: what did the dead worker leave?
            _until(lambda: _status(mid) == final, second)
            time.sleep(0.5)     # anything further it would wrongly do, it does now
            producer.send(mid)
            producer.drain()
            time.sleep(1.0)
        finally:
            _stop(second)
    assert _status(mid) == final
    assert len(inbox.mails) == received
    row = db.session.get(Message, mid)
    assert inbox.mails[0][0] == ["wf@example.cn"]
    assert inbox.mails[0][1]["Subject"] == "表决公告：加装电梯"
    if final == "uncertain":
        assert "perhaps delivered" in row.reason and row.handed_at is not None
    else:
        assert row.provider_id == inbox.mails[0][1]["Message-ID"] and row.attempts == 2
