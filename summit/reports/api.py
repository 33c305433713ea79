"""Report tables over the API: the same numbers as the dashboards and their downloads.

Staff and site admins see every region; a region lead sees their region only (asking
for another is a 422 that says so). Raw rows with personal data are not offered here:
the staff pages and the command line export those, audited."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint

from summit.core.api import API_SECURITY, documents_errors, paginate, require_login
from summit.core.api_schema import PageQuerySchema
from summit.core.errors import DomainError, Forbidden, NotFound
from summit.core.i18n import select_locale
from summit.reports import tables
from summit.reports.policies import report_scope
from summit.reports.schemas import ReportListSchema, ReportQuerySchema, ReportTableSchema
from summit.reports.staff import read_filters
from summit.summits.services import find_summit

blp = Blueprint("reports_api", __name__, description="Reports (staff and region leads)")

ERRORS = (401, 403, 404)


def _scoped(slug: str):
    user = require_login()
    summit = find_summit(slug)
    scope = report_scope(user, summit)
    if scope is None:
        raise Forbidden("not_allowed", _("Only staff and region leads can see reports."))
    return summit, scope


@blp.route("/summits/<slug>/reports", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, ReportListSchema)
@documents_errors(blp, *ERRORS)
@blp.doc(security=API_SECURITY)
def list_reports(args: dict, slug: str):
    """The tables of both dashboards, by their stable names."""
    summit, _scope = _scoped(slug)
    items = [
        {
            "name": name,
            "dashboard": dashboard,
            "url": url_for("reports_api.get_report", slug=summit.slug, name=name),
        }
        for dashboard, names in (
            ("programme", tables.PROGRAMME_TABLES),
            ("participation", tables.PARTICIPATION_TABLES),
        )
        for name in names
    ]
    return paginate(items, args)


@blp.route("/summits/<slug>/reports/<name>", methods=["GET"])
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportTableSchema)
@documents_errors(blp, *ERRORS, 422)
@blp.doc(security=API_SECURITY)
def get_report(args: dict, slug: str, name: str):
    """One table, rows as objects keyed by the stable column names, filtered by ``day``
    (YYYY-MM-DD), ``region`` and ``topic`` (a track code). A value the summit does not
    have is a 422 naming the filter."""
    summit, scope = _scoped(slug)
    if name not in tables.PROGRAMME_TABLES + tables.PARTICIPATION_TABLES:
        raise NotFound("unknown_report", _("There is no report of that name."))
    page = {"limit": args.pop("limit"), "cursor": args.pop("cursor")}
    asked = {key: value for key, value in args.items() if value}
    filters, notes = read_filters(summit, asked, scope)
    if notes:  # one note per refused filter, in day, region, topic order
        shown = {"day": filters.day.isoformat() if filters.day else None,
                 "region": filters.region, "topic": filters.topic}  # fmt: skip
        refused = [key for key in ("day", "region", "topic")
                   if key in asked and shown[key] != asked[key]]  # fmt: skip
        raise DomainError(
            "invalid",
            _("Some of what you sent is not valid."),
            fields={key: [note] for key, note in zip(refused, notes, strict=False)},
            status=422,
        )
    table = tables.get_table(summit, name, filters, select_locale())
    keys = [column.key for column in table.columns]
    rows = [dict(zip(keys, row, strict=True)) for row in table.rows]
    result = paginate(rows, page)
    return {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "filters": filters.as_args(),
        "region": scope.region,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "items": result["items"],
        "total": dict(zip(keys, table.total, strict=True)) if table.total else None,
        "next": result["next"],
    }
