"""`flask messages overdue`: the daily overdue checks of every package, in one command (the
queue's periodic task may call `notify_overdue` instead). It lives at the top of the house
because it calls packages on every floor; each package's own check (`notify_overdue` in its
notices module) is idempotent per item per day, so running it twice tells nobody twice."""

from __future__ import annotations

import click
from flask import Flask

from compounds.org import notices as org_notices

#: each package's daily check (it commits and returns how many messages it wrote)
CHECKS = (("resident requests and actions", org_notices.notify_overdue),)


def notify_overdue() -> dict[str, int]:
    """Run every package's overdue check; messages written per check."""
    return {name: check() for name, check in CHECKS}


def register(app: Flask) -> None:
    group = app.cli.commands.get("messages")
    if not isinstance(group, click.Group):  # the queue's commands may have made it already
        @app.cli.group("messages")
        def group():
            """Messages (the outbox)."""

    @group.command("overdue")
    def overdue():
        """Tell the people concerned about overdue items (once a day each)."""
        for name, n in notify_overdue().items():
            click.echo(f"{name}: {n} messages")
