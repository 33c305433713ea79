import click
from flask.cli import AppGroup

from summit.core.errors import DomainError
from summit.extensions import db
from summit.scheduling import jobs, services
from summit.summits.queries import get_summit_by_slug

scheduling_cli = AppGroup("scheduling", help="The timetable: solve the draft.")


@scheduling_cli.command("solve")
@click.option("--summit", "slug", required=True, help="The summit's slug, e.g. 2027.")
@click.option("--from-scratch", is_flag=True, help="Ignore the draft instead of improving it.")
@click.option("--apply", "apply_", is_flag=True, help="Put the result into the draft.")
def solve_command(slug: str, from_scratch: bool, apply_: bool) -> None:
    """Run the solver on a summit's draft and print what it found."""
    summit = get_summit_by_slug(slug)
    if summit is None:
        raise click.ClickException(f"No summit {slug!r}.")
    try:
        run = services.start_run(summit, actor=None, keep_draft=not from_scratch)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    jobs.run_now(run.id)
    if run.result is None:
        raise click.ClickException(f"The solver failed: {run.error}")
    parts = run.result["parts"]
    click.echo(
        f"{run.result['status']} in {run.result['elapsed']} s: "
        + ", ".join(f"{k} {v}" for k, v in parts.items())
    )
    for code, (reason, message) in sorted(run.result["unplaced"].items()):
        click.echo(f"  unplaced {code}: {reason} — {message}")
    if apply_:
        counts = services.apply_run(summit, run, actor=None)
        db.session.commit()
        click.echo(f"applied: {counts['moved']} moved, {counts['skipped']} kept as staff left them")
    else:
        click.echo(f"not applied; review it at /{slug}/staff/schedule/runs/{run.public_id}")
