"""`flask attachments sweep`: remove stored files that no attachment names.

A file is stored before its row is committed (the bytes must be on disk when the row says
they are); when the transaction then fails — a refused second file, a lost connection — the
bytes stay behind, named by nothing. The sweep removes such files once they are an hour old
(younger ones may belong to a transaction still running). Run it from cron, daily say.
"""

from __future__ import annotations

import click
from flask import Flask

from core.attachments import services


def register(app: Flask) -> None:
    @app.cli.group("attachments")
    def attachments_group():
        """Attached files (photos, scans, documents)."""

    @attachments_group.command("sweep")
    @click.option("--dry-run", is_flag=True, help="List the files, remove nothing.")
    def sweep(dry_run: bool):
        """Remove stored files older than an hour that no attachment names."""
        removed = services.sweep(dry_run=dry_run)
        for path in removed:
            click.echo(path)
        verb = "would be removed" if dry_run else "removed"
        click.echo(f"{len(removed)} unreferenced file(s) {verb}")
