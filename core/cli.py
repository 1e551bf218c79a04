"""`flask create-admin` and `flask audit verify`; one line, not a traceback, when a
command cannot reach the database."""

import functools

import click
import sqlalchemy.exc
from flask import Flask
from sqlalchemy import select

from core import audit
from core.attachments.services import verify_files
from core.auth import end_sign_ins, hash_password
from core.extensions import db
from core.models import User


def unreachable_database(err: Exception, url: str) -> str | None:
    """The one line to print when `err` is a failure to connect to the database at `url`
    (SQLAlchemy raises those with no statement), else None: a failing statement is a bug
    whose traceback is worth reading."""
    if not isinstance(err, sqlalchemy.exc.DBAPIError) or err.statement is not None:
        return None
    reason = str(err.orig or err).strip().splitlines()[0]
    where = sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    return f"cannot reach the database at {where}: {reason}"


def answer_unreachable_database(command: click.Command, app: Flask) -> None:
    """Make `command` (and a group's subcommands) exit 1 with one line when the database
    cannot be reached."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            answer_unreachable_database(sub, app)
    callback = command.callback
    if callback is None or getattr(callback, "answers_unreachable_database", False):
        return

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except sqlalchemy.exc.DBAPIError as err:
            line = unreachable_database(err, app.config["SQLALCHEMY_DATABASE_URI"])
            if line is None:
                raise
            raise click.ClickException(line) from None

    run.answers_unreachable_database = True
    command.callback = run


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
        if user.id is not None:  # a reset password ends the sign-ins made with the old one
            end_sign_ins(user.id)
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
    @click.option("--anchor", "anchors", multiple=True, metavar="CHAIN/SEQ:HASH",
                  help="an anchor printed on a notice or statement (审计链锚点); also SEQ:HASH "
                       "(any chain); repeatable")
    def verify(anchors: tuple[str, ...]):
        """Walk every chain; report the first altered or missing entry, and prove that each
        anchor's entry is still in its chain with the printed hash."""
        result = audit.verify()
        for c in result.chains:
            state = "ok" if c.ok else "BROKEN"
            click.echo(f"chain {c.chain} ({audit.chain_label(c.chain)}): {c.checked} entries "
                       f"{state}")
        if not result.ok:
            click.echo(f"audit chain BROKEN: {result.problem} "
                       f"(after {result.checked} good entries)", err=True)
            raise SystemExit(1)
        for text in anchors:
            checked = audit.check_anchor(text, result)
            if not checked.ok:
                click.echo(f"audit anchor FAILED: {checked.message}", err=True)
                raise SystemExit(1)
            click.echo(checked.message)
        chains = len(result.chains)
        click.echo(f"audit chain intact: {result.checked} entries in {chains} "
                   f"chain{'' if chains == 1 else 's'}")
        files = verify_files()  # each attached file still hashes to its audited SHA-256
        for line in files.problems:
            click.echo(f"attachment BROKEN: {line}", err=True)
        if not files.ok:
            raise SystemExit(1)
        click.echo(f"attached files intact: {files.checked} files re-hashed")
