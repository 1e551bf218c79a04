"""The queue's consumer sending through the `log` provider (target: 200 messages/s or
more): 5,000 SMS rows queued by one notify(), then the consumer's send loop
(core.messaging.sending.drain — claim, hand over, send, mark sent: three commits a message).

    python -m bench bench_outbox
"""

from __future__ import annotations

import os
import tempfile
import time

os.environ.setdefault("QUEUE_URL", "memory://")  # nothing else consumes the bench's rows

from bench.common import engines, make_app, table

MESSAGES = 5_000


def _wal(engine) -> None:
    """The SQLite file in WAL mode with synchronous=NORMAL (a commit without a full fsync):
    what the figure is when the embedded default is set up for a consumer beside the web."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def bench(name: str, url: str, rows: list[dict], *, wal: bool = False) -> None:
    from sqlalchemy import func, select

    from core.extensions import db
    from core.messaging import sending
    from core.messaging.models import Message
    from core.messaging.outbox import Recipient, morning_after_quiet, notify
    from core.types import utcnow

    app = make_app(url)
    if wal:
        with app.app_context():
            db.engine.dispose()
            _wal(db.engine)
    log = os.path.join(tempfile.mkdtemp(), "sms.log")
    with app.app_context():
        people = [Recipient(person_id=i, name=f"业主{i}", phone=f"139{i:08d}")
                  for i in range(1, MESSAGES + 1)]
        t0 = time.perf_counter()
        notify("vote.reminder", people, title="表决提醒", body="您还未表决，请于本周五前投票。",
               subject=("vote", 1), compound_id=1, channels=("sms",), data={"days": "3"})
        db.session.commit()
        queued = time.perf_counter() - t0
        # the first moment texts may go (in the quiet hours the rows wait for 08:00)
        now = morning_after_quiet(utcnow()) or utcnow()
        config = {**app.config, "SMS_PROVIDER": "log", "SMS_LOG_FILE": log}
        t0 = time.perf_counter()
        sent = sending.drain(config, now=now)
        took = time.perf_counter() - t0
        left = db.session.scalar(select(func.count()).select_from(Message).where(
            Message.channel == "sms", Message.status != "sent"))
    with open(log, encoding="utf-8") as f:
        lines = sum(1 for _ in f)
    assert sent == lines == MESSAGES and left == 0, (sent, lines, left)
    rows.append({"engine": name, "what": f"{MESSAGES:,} SMS through the log provider",
                 "queue": f"{queued:.2f} s", "send": f"{took:.2f} s",
                 "rate": f"{sent / took:.0f} messages/s", "target": ">= 200 messages/s"})


def main() -> None:
    rows: list[dict] = []
    for name, url in engines():
        bench(name, url, rows)
        if name == "SQLite":
            bench("SQLite, WAL", "sqlite:///" + os.path.join(tempfile.mkdtemp(), "wal.sqlite3"),
                  rows, wal=True)
    print(table(rows, ["engine", "what", "queue", "send", "rate", "target"]), flush=True)


if __name__ == "__main__":
    main()
