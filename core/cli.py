"""`flask create-admin` and `flask audit verify`."""

import click
from flask import Flask
from sqlalchemy import select

from core import audit
from core.auth import hash_password
from core.extensions import db
from core.models import User


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_admin(username: str, password: str):
        """Create (or reset the password of) a system administrator."""
        if len(password) < 8:
            raise click.ClickException("the password needs at least 8 characters")
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=username)
            db.session.add(user)
        user.password_hash = hash_password(password)
        user.is_admin = True
        user.active = True
        db.session.flush()
        audit.record("user.create_admin", "user", user.id, {"username": username},
                     actor=(None, "cli"))
        db.session.commit()
        click.echo(f"administrator {username} is ready")

    @app.cli.group("audit")
    def audit_group():
        """The audit chain."""

    @audit_group.command("verify")
    def verify():
        """Walk the chain; report the first altered or missing entry."""
        result = audit.verify()
        if result.ok:
            click.echo(f"audit chain intact: {result.checked} entries")
        else:
            click.echo(f"audit chain BROKEN: {result.problem} "
                       f"(after {result.checked} good entries)", err=True)
            raise SystemExit(1)
