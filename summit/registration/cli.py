import click
from flask import current_app
from flask.cli import AppGroup

from summit.core.clock import now
from summit.extensions import db
from summit.registration import notifications, services
from summit.summits.queries import list_summits

registration_cli = AppGroup("registration", help="Registration and the waiting list.")


@registration_cli.command("expire-offers")
def expire_offers_command() -> None:
    """Lapse unclaimed waitlist offers and offer their seats to the next households.

    Run it every few minutes (cron or a systemd timer).
    """
    if not current_app.config.get("SERVER_NAME"):
        raise click.ClickException("Set SERVER_NAME so the offer emails can link to the site.")
    at = now()
    lapsed = offered = 0
    for summit in list_summits():
        lapsed += len(services.lapsed_offers(summit.id, at=at))
        new_offers = services.expire_offers(summit.id, at=at)
        for booking in new_offers:
            notifications.send_offer(booking, services.issue_offer_link(booking), summit)
        offered += len(new_offers)
    db.session.commit()
    click.echo(f"{lapsed} offers lapsed, {offered} new offers sent")


@registration_cli.command("purge-unconfirmed")
def purge_unconfirmed_command() -> None:
    """Delete registrations whose email confirmation link lapsed unused."""
    at = now()
    total = sum(services.purge_unconfirmed(s.id, at=at) for s in list_summits())
    db.session.commit()
    click.echo(f"deleted {total} unconfirmed registrations")
