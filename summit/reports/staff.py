"""Report pages for staff and region leads: an index, the programme dashboard, the
participation dashboard, and the CSV/XLSX downloads of every table and of raw rows.

Filters come as GET parameters (``day``, ``region``, ``topic``). A value the summit does
not know is ignored with a note on the page, never an error; a region lead's region
always applies, whatever the link says.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from summit.core.errors import NotFound
from summit.core.i18n import select_locale
from summit.extensions import db
from summit.registration.queries import summit_days
from summit.reports import exports, services, tables
from summit.reports.policies import ReportScope, can_view_reports, report_scope
from summit.reports.queries import ReportFilters
from summit.summits.queries import list_regions, list_tracks
from summit.summits.routes import summit_view

bp = Blueprint("reports", __name__)
reports_view = summit_view(can_view_reports)

MAX_SHOWN = 40  # characters of an unknown filter value repeated in a note


@bp.app_context_processor
def reports_nav() -> dict:
    return {"shows_reports": lambda summit: can_view_reports(current_user, summit)}


def _shown(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_SHOWN else value[: MAX_SHOWN - 1] + "…"


def read_filters(
    summit, args, scope: ReportScope, *, days=None, regions=None, topics=None
) -> tuple[ReportFilters, list[str]]:
    """The filters in ``args`` that the summit knows, and a note for each one ignored.
    A region lead's region replaces whatever region was asked for."""
    days = summit_days(summit) if days is None else days
    regions = list_regions(summit) if regions is None else regions
    topics = {t.code for t in list_tracks(summit)} if topics is None else topics
    notes: list[str] = []

    day = None
    asked = (args.get("day") or "").strip()[:20]
    if asked:
        try:
            day = date.fromisoformat(asked)
        except ValueError:
            day = None
        if day not in days:
            notes.append(_("“%(value)s” is not a day of this summit; every day is shown.",
                           value=_shown(asked)))  # fmt: skip
            day = None

    region = (args.get("region") or "").strip()[:80] or None
    if scope.region is not None:
        if region is not None and region != scope.region:
            notes.append(_("You can see the region %(region)s only, so it is shown.",
                           region=scope.region))  # fmt: skip
        region = scope.region
    elif region is not None and region not in regions:
        notes.append(_("“%(value)s” is not a region of this summit; every region is shown.",
                       value=_shown(region)))  # fmt: skip
        region = None

    topic = (args.get("topic") or "").strip()[:40] or None
    if topic is not None and topic not in topics:
        notes.append(_("“%(value)s” is not a topic of this summit; every topic is shown.",
                       value=_shown(topic)))  # fmt: skip
        topic = None
    return ReportFilters(day=day, region=region, topic=topic), notes


def _scope(summit) -> ReportScope:
    scope = report_scope(current_user, summit)
    assert scope is not None  # reports_view let only staff and region leads through
    return scope


def _context(summit, scope: ReportScope, endpoint: str) -> dict:
    days = summit_days(summit)
    regions = list_regions(summit)
    tracks = list_tracks(summit)
    filters, notes = read_filters(
        summit, request.args, scope, days=days, regions=regions, topics={t.code for t in tracks}
    )
    return {
        "summit": summit,
        "scope": scope,
        "filters": filters,
        "notes": notes,
        "days": days,
        "regions": regions,
        "tracks": tracks,
        "endpoint": endpoint,
        "can_manage": scope.is_staff,
        "locale": select_locale(),
    }


@bp.get("/<slug>/staff/reports")
@reports_view
def index(summit):
    scope = _scope(summit)
    return render_template(
        "reports/index.html",
        summit=summit,
        scope=scope,
        programme_tables=tables.PROGRAMME_TABLES,
        participation_tables=tables.PARTICIPATION_TABLES,
        raw_exports=tuple(exports.RAW_EXPORTS),
        can_manage=scope.is_staff,
    )


def _dashboard(summit, name: str):
    scope = _scope(summit)
    context = _context(summit, scope, f"reports.{name}")
    return render_template(
        f"reports/{name}.html",
        tables=tables.dashboard_tables(summit, name, context["filters"], context["locale"]),
        **context,
    )


@bp.get("/<slug>/staff/reports/programme")
@reports_view
def programme(summit):
    return _dashboard(summit, "programme")


@bp.get("/<slug>/staff/reports/participation")
@reports_view
def participation(summit):
    return _dashboard(summit, "participation")


@bp.get("/<slug>/staff/reports/export/<name>.<fmt>")
@reports_view
def export(summit, name: str, fmt: str):
    """One table or raw export as CSV or XLSX, with the page's filters; audited."""
    if fmt not in exports.FORMATS:
        raise NotFound("unknown_format", _("Downloads come as .csv or .xlsx."))
    scope = _scope(summit)
    filters, _notes = read_filters(summit, request.args, scope)
    built = exports.build_export(summit, name[:60], filters, scope, select_locale())
    if built is None:
        raise NotFound(
            "unknown_report",
            _("There is no report called “%(name)s”. Choose one on the reports page.",
              name=_shown(name)),
        )  # fmt: skip
    services.record_export(
        summit, name, fmt, actor=current_user, filters=filters, scope=scope, rows=len(built.rows)
    )
    db.session.commit()
    return exports.export_file(summit, built, fmt)


def export_url(summit, name: str, fmt: str, filters: ReportFilters) -> str:
    return url_for("reports.export", slug=summit.slug, name=name, fmt=fmt, **filters.as_args())


@bp.app_template_global("report_export_url")
def report_export_url(summit, name, fmt, filters):
    return export_url(summit, name, fmt, filters)
