import click
from flask.cli import AppGroup

from summit.core.clock import now
from summit.extensions import db
from summit.proposals import notifications, services
from summit.summits.queries import list_summits

proposals_cli = AppGroup("proposals", help="The call for proposals.")


@proposals_cli.command("remind-drafts")
def remind_drafts_command() -> None:
    """Email owners of unsubmitted drafts when a call closes within 48 hours (once each)."""
    at = now()
    total = 0
    for summit in list_summits():
        for proposal in services.drafts_to_remind(summit, at=at):
            notifications.send_draft_reminder(proposal)
            proposal.draft_reminded_at = at
            total += 1
    db.session.commit()
    click.echo(f"reminded {total} draft owners")
