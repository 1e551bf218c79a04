"""`flask demo load [--if-empty] [--seed N]` and `flask demo logins`.

`make run` calls `demo load --if-empty` on every start: the first start loads the demo, later
ones keep whatever the database holds. Without `--if-empty` a database that is not empty is
refused — the demo never duplicates or replaces data.
"""

import time

import click
from flask import Flask

from compounds import demo as demo_data


def register(app: Flask) -> None:
    @app.cli.group("demo")
    def demo():
        """Demo data: three invented compounds in 普陀区 and an account for every role."""

    @demo.command("load")
    @click.option("--if-empty", is_flag=True,
                  help="Load only into an empty database; otherwise say so and do nothing.")
    @click.option("--seed", type=int, default=demo_data.DEFAULT_SEED, show_default=True,
                  help="Seed of the generator: the same seed gives the same data.")
    def load(if_empty: bool, seed: int):
        """Load the demo data (one transaction) into an empty database."""
        reason = demo_data.not_empty_reason()
        if reason:
            if if_empty:
                click.echo(f"demo data: not loaded — {reason}; the database keeps its data.")
                return
            raise click.ClickException(
                f"refusing to load the demo: {reason}. The demo loads only into an empty "
                "database and never duplicates or replaces data; nothing was changed. "
                "Point DATABASE_URL at a fresh database (or remove instance/tongxin.sqlite3) "
                "and run it again.")
        started = time.perf_counter()
        try:
            ctx = demo_data.load(seed)
        except demo_data.DemoError as err:
            raise click.ClickException(str(err)) from None
        elapsed = time.perf_counter() - started
        summary = ctx.summary["compounds"]
        click.echo(f"demo data loaded in {elapsed:.1f} s (seed {seed}): "
                   f"{ctx.summary['district']}, {len(ctx.streets)} streets, "
                   f"{ctx.summary['persons']} persons, {len(ctx.users)} accounts")
        rows = [(name, s["street"], s["kind"], str(s["buildings"]), str(s["units"]),
                 str(s["heads"]), f"{s['area']}", str(s["developer_units"]))
                for name, s in summary.items()]
        click.echo(demo_data.format_table(
            ("小区 compound", "街道 street", "类型 kind", "buildings", "units", "heads",
             "area m²", "developer"), rows))
        click.echo("sign in with: flask --app app demo logins")

    @demo.command("logins")
    def logins():
        """The demo accounts: username, role, scope, password and what to try first."""
        try:
            rows = demo_data.login_rows()
        except demo_data.DemoError as err:
            raise click.ClickException(str(err)) from None
        if not rows:
            click.echo("no demo accounts in this database: run `flask --app app demo load`.")
            return
        click.echo(demo_data.format_table(
            ("用户名 username", "角色 role", "范围 scope", "密码 password", "先试试 try first"),
            [(r.username, r.role, r.scope, r.password, r.try_first) for r in rows]))
        click.echo(f"password: {demo_data.DEFAULT_PASSWORD} unless {demo_data.PASSWORD_ENV} "
                   "was set when the demo was loaded; demo data only — never in production.")
