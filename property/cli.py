"""`flask ratings show` and `flask ratings report`: a district's lists from the command line."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group("ratings")
    def ratings():
        """Property-company ratings (红黑榜)."""

    @ratings.command("show")
    @click.argument("period")
    @click.option("--district", help="district id or name (default: the only one)")
    def show(period: str, district: str | None):
        """Print the lists of PERIOD (published, else the live draft)."""
        from property import rules
        from property import services as property_services

        svc = property_services
        try:
            d = svc.resolve_district(district)
            code = svc.parse_period(period).code
        except svc.PropertyError as err:
            raise click.ClickException(str(err.message)) from None
        result = svc.published(d, code) or svc.compute(d, code)
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
        from property import services as property_services
        from reports.rating_report import RatingReport

        svc = property_services
        try:
            d = svc.resolve_district(district)
            data = svc.report_data(d, period, version, allow_draft=True)
        except svc.PropertyError as err:
            raise click.ClickException(str(err.message)) from None
        with open(output, "wb") as fh:
            fh.write(RatingReport(data).render())
        click.echo(f"wrote {output} ({len(data.companies)} companies)")
