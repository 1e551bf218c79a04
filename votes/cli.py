"""`flask votes close-due` (for cron: close votes whose closing time has passed) and
`flask votes tally VOTE_ID` (the count so far, from the frozen roll)."""

import click
from flask import Flask

from core.extensions import db
from votes import services
from votes.models import Vote


def register(app: Flask) -> None:
    @app.cli.group("votes")
    def votes_group():
        """Owners' votes."""

    @votes_group.command("close-due")
    def close_due():
        """Close every open vote whose closes_at has passed, computing its result."""
        n = services.close_due_votes()
        click.echo(f"closed {n} vote(s)")

    @votes_group.command("tally")
    @click.argument("vote_id", type=int)
    def tally(vote_id: int):
        """Print the count of a vote so far (or its final count)."""
        vote = db.session.get(Vote, vote_id)
        if vote is None or vote.roll_units is None:
            raise click.ClickException("no open or closed vote with this id")
        result = services.compute_tally(vote).as_api()
        click.echo(f"{vote.title} [{vote.status}]")
        for key in ("roll", "participated", "agree", "oppose", "abstain"):
            click.echo(f"  {key:13s} {result[key]['area']:>14s} m²  {result[key]['heads']:>7d}")
        r = result["ratios"]
        click.echo(f"  turnout {r['turnout_area']}% / {r['turnout_heads']}%, "
                   f"consent {r['consent_area']}% / {r['consent_heads']}%, "
                   f"passed: {result['passed']}")
