import click
from flask.cli import AppGroup

from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_api_token, create_user
from summit.core.errors import DomainError
from summit.extensions import db
from summit.summits.enums import Role
from summit.summits.services import find_summit, grant_role

accounts_cli = AppGroup("accounts", help="Manage people and their access.")


def _fail(error: DomainError):
    db.session.rollback()
    raise click.ClickException(error.message)


@accounts_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--admin", is_flag=True, help="Site administrator (creates summits, grants roles).")
@click.password_option(help="Password (asked for when not given).")
def create_user_command(email: str, name: str, admin: bool, password: str) -> None:
    """Create a verified account."""
    try:
        user = create_user(email=email, password=password, name=name, is_admin=admin)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"created {user.email}{' (admin)' if admin else ''}")


@accounts_cli.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--summit", "slug", required=True, help="Summit slug, e.g. 2027.")
def grant_command(email: str, role: str, slug: str) -> None:
    """Give a person a role in a summit."""
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    try:
        grant_role(find_summit(slug), user, role, actor=None)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"{user.email} is now {role} in {slug}")


@accounts_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="Label for the token.")
def create_token_command(email: str, name: str) -> None:
    """Create a personal API token and print it (it is shown only once)."""
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    issued = create_api_token(user, name)
    db.session.commit()
    click.echo(issued.secret)
