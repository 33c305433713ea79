import click
from flask import current_app
from flask.cli import AppGroup

from summit.core.clock import now
from summit.extensions import db
from summit.proposals import notifications, services
from summit.summits.queries import list_summits

proposals_cli = AppGroup("proposals", help="The call for proposals.")


@proposals_cli.command("remind-drafts")
def remind_drafts_command() -> None:
    """Email owners of unsubmitted drafts when a call closes within 48 hours (once each)."""
    if not current_app.config.get("SERVER_NAME"):
        raise click.ClickException("Set SERVER_NAME so the reminders can link to the proposals.")
    at = now()
    total = 0
    for summit in list_summits():
        for proposal in services.drafts_to_remind(summit, at=at):
            notifications.send_draft_reminder(proposal)
            proposal.draft_reminded_at = at
            total += 1
    db.session.commit()
    click.echo(f"reminded {total} draft owners")
