import click
from flask.cli import AppGroup

from summit.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, seed
from summit.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def seed_command() -> None:
    """Create (or complete) the demo summit and its accounts. Safe to run again."""
    summit, _users = seed()
    db.session.commit()
    click.echo(f"Demo summit: {summit.name} (/{summit.slug}/)")
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        role = "site admin" if account.is_admin else (account.role or "presenter")
        click.echo(f"  {account.email:<28} {role}")
