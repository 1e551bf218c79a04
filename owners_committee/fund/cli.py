"""`flask fund verify`: the repair fund's invariants and the audit chain."""

import click
from flask import Flask

from owners_committee.fund import verify as fund_verify


def register(app: Flask) -> None:
    """Add the `flask fund` commands to the app."""

    @app.cli.group("fund")
    def fund():
        """The housing maintenance fund (住宅专项维修资金)."""

    @fund.command("verify")
    @click.option("--compound", "compound_id", type=int, default=None,
                  help="Check one compound only (the audit chain is always checked whole).")
    def verify(compound_id: int | None):
        """Sub-ledgers = their entries, fund = its sub-ledgers, every entry audited, and the
        audit chain intact. Exit status 1 on any problem."""
        report = fund_verify.verify(compound_id)
        for problem in report.problems[:200]:
            click.echo(f"PROBLEM: {problem}", err=True)
        if len(report.problems) > 200:
            click.echo(f"… and {len(report.problems) - 200} more", err=True)
        if report.ok:
            click.echo(f"fund ledgers consistent: {report.compounds} compound(s), "
                       f"{report.units} sub-ledgers, {report.entries} entries; "
                       f"audit chain intact ({report.audit_checked} entries)")
        else:
            click.echo(f"fund ledgers NOT consistent: {len(report.problems)} problem(s)",
                       err=True)
            raise SystemExit(1)
