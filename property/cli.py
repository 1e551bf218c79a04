"""`flask ratings show` and `flask ratings report`: a district's lists from the command line."""

from __future__ import annotations

import click
from flask import Flask

from core.errors import DomainError
from property.districts import resolve_district
from property.ratings import rules
from property.ratings.periods import parse_period
from property.ratings.publication import published
from property.ratings.report import report_data
from property.ratings.scoring import compute
from reports.rating_report import RatingReport


def register(app: Flask) -> None:
    @app.cli.group("ratings")
    def ratings():
        """Property-company ratings (红黑榜)."""

    @ratings.command("show")
    @click.argument("period")
    @click.option("--district", help="district id or name (default: the only one)")
    def show(period: str, district: str | None):
        """Print the lists of PERIOD (published, else the live draft)."""
        try:
            d = resolve_district(district)
            code = parse_period(period).code
        except DomainError as err:
            raise click.ClickException(str(err.message)) from None
        result = published(d, code) or compute(d, code)
        state = f"version {result.version}" if result.version else "draft"
        click.echo(f"{d.name} {code} ({state}): {len(result.outcomes)} companies")
        for o in result.outcomes:
            click.echo(f"{rules.score_str(o.score):>7}  {o.listing or '-':8} {o.uscc}  {o.name}")

    @ratings.command("report")
    @click.argument("period")
    @click.option("--district", help="district id or name (default: the only one)")
    @click.option("--version", type=int, help="a published version (default: the newest)")
    @click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
    def report(period: str, district: str | None, version: int | None, output: str):
        """Write the printable report of PERIOD (the draft if unpublished) to a PDF file."""
        try:
            d = resolve_district(district)
            data = report_data(d, period, version, allow_draft=True)
        except DomainError as err:
            raise click.ClickException(str(err.message)) from None
        with open(output, "wb") as fh:
            fh.write(RatingReport(data).render())
        click.echo(f"wrote {output} ({len(data.companies)} companies)")
