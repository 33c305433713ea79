"""The one thing reports change: every download is written to the audit log."""

from __future__ import annotations

from summit.core import audit
from summit.reports.policies import ReportScope
from summit.reports.queries import ReportFilters


def record_export(
    summit, name: str, fmt: str, *, actor, filters: ReportFilters, scope: ReportScope, rows: int,
    via: str = "web",
):  # fmt: skip
    """Audit one export: who, which table, which filters and scope, how many rows.
    ``actor`` is None on the command line. Like every service, it never commits."""
    return audit.record(
        "report.export",
        actor=actor,
        summit=summit,
        object_type="report",
        object_id=name,
        label=f"{name}.{fmt}",
        after={
            "format": fmt,
            "filters": filters.as_args(),
            "scope": scope.region or "all",
            "rows": rows,
            "via": via,
        },
    )
