"""`flask messages overdue`: the daily overdue checks of every package, in one command (the
queue's periodic task may call `notify_overdue` instead). It lives at the top of the house
because it calls packages on every floor; each package's own check (`notify_overdue` in its
notices module) is idempotent per item per day, so running it twice tells nobody twice."""

from __future__ import annotations

import click
from flask import Flask

from compounds.org import notices as org_notices
from property.ratings import notices as rating_notices

#: each package's daily check (it commits and returns how many messages it wrote)
CHECKS = (("resident requests and actions", org_notices.notify_overdue),
          ("rating rectifications", rating_notices.notify_overdue))


def notify_overdue() -> dict[str, int]:
    """Run every package's overdue check; messages written per check."""
    return {name: check() for name, check in CHECKS}


def messages_group(app: Flask) -> click.Group:
    """The one `flask messages` group: the one another package (the queue's commands in
    core) made already, else a new one that a later package finds here the same way."""
    group = app.cli.commands.get("messages")
    if isinstance(group, click.Group):
        return group

    @app.cli.group("messages")
    def messages():
        """Messages (the outbox)."""

    return messages


def register(app: Flask) -> None:
    @messages_group(app).command("overdue")
    def overdue():
        """Tell the people concerned about overdue items (once a day each)."""
        for name, n in notify_overdue().items():
            click.echo(f"{name}: {n} messages")
