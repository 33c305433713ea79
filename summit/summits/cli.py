import click
from flask.cli import AppGroup

from summit.core.errors import DomainError
from summit.extensions import db
from summit.summits.services import create_summit

summits_cli = AppGroup("summits", help="Manage summits.")


@summits_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--starts", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--ends", "ends_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--venue", default="")
@click.option("--timezone", default="America/Los_Angeles", show_default=True)
@click.option("--current", is_flag=True, help="Make it the summit / goes to.")
@click.option("--no-tracks", is_flag=True, help="Do not seed the framework tracks.")
def create_command(slug, name, starts_on, ends_on, venue, timezone, current, no_tracks) -> None:
    """Create a summit with the framework tracks."""
    try:
        summit = create_summit(
            slug=slug,
            name=name,
            starts_on=starts_on.date(),
            ends_on=ends_on.date(),
            venue=venue,
            timezone=timezone,
            actor=None,
            seed_tracks=not no_tracks,
            make_current=current,
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message)
    db.session.commit()
    click.echo(f"created summit {summit.slug} with {len(summit.tracks)} tracks")
