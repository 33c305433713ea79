import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from summit.extensions import db
from summit.reports import exports, services
from summit.reports.policies import STAFF_SCOPE
from summit.reports.staff import read_filters
from summit.summits.queries import get_summit_by_slug

reports_cli = AppGroup("reports", help="Report downloads: dashboard tables and raw rows.")


@reports_cli.command("export")
@click.argument("name")
@click.option("--summit", "slug", required=True, help="The summit's slug, e.g. 2027.")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv",
              show_default=True)  # fmt: skip
@click.option("--out", help="File to write (default NAME-SLUG.FORMAT); '-' for standard output.")
@click.option("--day", default="", help="A summit day, YYYY-MM-DD.")
@click.option("--region", default="", help="An R-TAC region as on Staff → Regions.")
@click.option("--topic", default="", help="A track code, e.g. pillar-family.")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True,
              help="Language of the label column.")  # fmt: skip
def export_command(slug, name, fmt, out, day, region, topic, lang) -> None:
    """Write export NAME (a dashboard table or raw rows) as the staff see it, and audit it.

    NAME is one of the names the README lists, e.g. programme-topics, registrations."""
    summit = get_summit_by_slug(slug)
    if summit is None:
        raise click.ClickException(f"No summit {slug!r}.")
    if name not in exports.EXPORT_NAMES:
        raise click.ClickException(
            f"No export {name!r}. Choose one of: {', '.join(exports.EXPORT_NAMES)}."
        )
    with force_locale(lang):
        args = {"day": day, "region": region, "topic": topic}
        filters, notes = read_filters(summit, args, STAFF_SCOPE)
        if notes:
            raise click.ClickException(" ".join(notes))
        export = exports.build_export(summit, name, filters, STAFF_SCOPE, lang)
        data = (
            exports.xlsx_bytes(export)
            if fmt == "xlsx"
            else exports.csv_file(summit, export).get_data()
        )
    if out == "-" and fmt == "xlsx":
        raise click.ClickException("An XLSX file cannot go to standard output; use --out FILE.")
    services.record_export(
        summit, name, fmt, actor=None, filters=filters, scope=STAFF_SCOPE,
        rows=len(export.rows), via="cli",
    )  # fmt: skip
    db.session.commit()
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(out or export.filename(summit, fmt))
    path.write_bytes(data)
    click.echo(f"{len(export.rows)} rows written to {path}", err=True)
