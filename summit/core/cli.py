import click
from flask.cli import AppGroup

from summit.core.outbox import deliver_pending

mail_cli = AppGroup("mail", help="Deliver queued mail.")


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Most messages to send now.")
def send_command(limit: int) -> None:
    """Send due messages from the outbox (run on a timer in production)."""
    counts = deliver_pending(limit=limit)
    click.echo(f"sent {counts['sent']}, will retry {counts['retry']}, failed {counts['failed']}")
