"""The outbox in words: every event the code passes to `notify` has a name (each package's,
through the hook "messages.event_labels"), and the outbox page shows the name, never the
code."""

from __future__ import annotations

import ast
import pathlib
import re

from core.extensions import db
from core.messaging.event_labels import all_labels
from core.messaging.outbox import Recipient, notify
from core.models import Role

ROOT = pathlib.Path(__file__).resolve().parents[2]


def notified_events() -> dict[str, str]:
    """Every event string the code passes to notify() (directly, or through a package's own
    `_tell(…, event, …)` helper as a constant) → where."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests", "migrations", "bench", "node_modules") \
                or "site-packages" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = node.args
            if name == "notify" and args:
                candidates = [args[0]]
            elif name == "_tell" and len(args) > 1:
                candidates = [args[1]]
            else:
                continue
            for arg in candidates:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found[arg.value] = f"{rel}:{node.lineno}"
    return found


def test_every_event_the_code_sends_has_a_name(app):
    events = notified_events()
    assert len(events) >= 15  # the reader found the calls
    labels = all_labels()
    assert {e: where for e, where in events.items() if e not in labels} == {}


def test_the_outbox_shows_the_events_name_not_its_code(app, make, login):
    c = make.compound("枫林苑")
    rc = make.user("rc", Role.rc_secretary, c)
    notify("vote.announced", [Recipient(person_id=1, name="王芳", phone="13900000001")],
           title="表决公告：加装电梯", subject=("vote", 1), compound_id=c.id, channels=("sms",))
    db.session.commit()
    page = login(rc).get(f"/compounds/{c.id}/outbox").get_data(as_text=True)
    shown = re.sub(r"<[^>]+>", " ", page)  # what a person reads (the filter's values aside)
    assert "发布表决公告" in shown and "vote.announced" not in shown
