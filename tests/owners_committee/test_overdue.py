"""`flask messages overdue` (owners_committee.overdue): registered by the owners' committee
plugin when the app is built, it runs every package's daily check; it shares one `flask
messages` group with whatever other commands a package puts there (the queue's), whichever
package made the group first."""

from __future__ import annotations

import click
from flask import Flask

from owners_committee import overdue


def test_the_built_app_runs_flask_messages_overdue(app):
    group = app.cli.commands["messages"]
    assert isinstance(group, click.Group) and "overdue" in group.commands
    assert "overdue" not in app.cli.commands["fund"].commands  # no longer the fund's
    result = app.test_cli_runner().invoke(args=["messages", "overdue"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["resident requests and actions: 0 messages",
                                          "rating rectifications: 0 messages"]


def test_one_messages_group_whoever_made_it_first():
    other = Flask("other")

    @other.cli.group("messages")
    def messages():
        """Made by another package before the owners' committee registers."""

    @messages.command("drain")
    def drain():
        click.echo("drained")

    overdue.register(other)
    assert other.cli.commands["messages"] is messages
    assert set(messages.commands) == {"drain", "overdue"}
    assert other.test_cli_runner().invoke(args=["messages", "drain"]).output == "drained\n"

    # made here first: a later package asking for the group gets the same one
    fresh = Flask("fresh")
    overdue.register(fresh)
    assert overdue.messages_group(fresh) is fresh.cli.commands["messages"]
    assert set(fresh.cli.commands["messages"].commands) == {"overdue"}
