"""Report downloads: every dashboard table and five raw-row exports, as CSV or XLSX.

Column names are stable (the README lists them). Cells that a spreadsheet would run as
a formula (starting with = + - @, tab or carriage return) are neutralised the same way
in both formats (``core.exports.neutralise_cell``). For anyone but staff — a region
lead — minors' names, emails and guardians, households' contacts when a minor is among
them, and every accommodation detail are left blank, and rows outside their region are
not there at all.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from summit.accounts.enums import AgeBand
from summit.accounts.models import User
from summit.checkin.enums import CheckpointKind
from summit.checkin.models import Checkpoint, Scan
from summit.core.exports import csv_response, neutralise_cell
from summit.extensions import db
from summit.proposals.models import Proposal
from summit.registration import queries as registration_queries
from summit.registration.models import Attendee, TicketType
from summit.reports import queries, tables
from summit.reports.policies import ReportScope
from summit.reports.queries import ReportFilters
from summit.reviews import aggregation
from summit.reviews.models import Review
from summit.reviews.queries import list_criteria
from summit.summits.models import Summit, Track
from summit.summits.queries import regions_by_county

FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    name: str
    header: tuple[str, ...]
    rows: list[Sequence]

    def filename(self, summit: Summit, fmt: str) -> str:
        return f"{self.name}-{summit.slug}.{fmt}"


def _minor(age_band: str | None) -> bool:
    return bool(age_band) and AgeBand(age_band).is_minor


def _iso(value) -> str:
    return value.isoformat() if value else ""


# --- raw rows ---------------------------------------------------------------------------

PROPOSAL_COLUMNS = (
    "code", "state", "title", "format", "topic", "secondary_topics", "language",
    "lead_role", "lead_name", "lead_email", "lead_county", "lead_region", "presenters",
    "presenters_under_18", "accessibility_needs", "submitted_at",
)  # fmt: skip


def proposal_rows(summit: Summit, filters: ReportFilters, scope: ReportScope) -> list[list]:
    regions = regions_by_county(summit)
    proposals = db.session.scalars(
        select(Proposal)
        .join(User, User.id == Proposal.owner_id)
        .where(*queries.proposal_clauses(summit, filters))
        .options(
            joinedload(Proposal.owner),
            joinedload(Proposal.format),
            joinedload(Proposal.track),
            selectinload(Proposal.secondary_tracks),
            selectinload(Proposal.presenters),
        )
        .order_by(Proposal.code)
    ).unique()
    rows = []
    for p in proposals:
        lead = next((x for x in p.presenters if x.is_lead), None)
        hidden = lead is not None and _minor(lead.age_band) and not scope.sees_personal_data
        county = p.owner.county or ""
        rows.append(
            [
                p.code,
                p.state,
                p.title,
                p.format.code if p.format else "",
                p.track.code if p.track else "",
                " ".join(t.code for t in p.secondary_tracks),
                p.language,
                p.lead_role or "",
                "" if hidden or lead is None else lead.name,
                "" if hidden or lead is None else (lead.email or p.owner.email),
                county,
                regions.get(county, ""),
                len(p.presenters),
                sum(_minor(x.age_band) for x in p.presenters),
                p.accessibility_needs if scope.sees_personal_data else "",
                _iso(p.submitted_at),
            ]
        )
    return rows


REVIEW_COLUMNS = (
    "proposal", "topic", "reviewer_name", "reviewer_email", "total", "abstained", "flags",
    "submitted_at",
)  # fmt: skip


def review_rows(summit: Summit, filters: ReportFilters, scope: ReportScope) -> list[list]:
    criteria = [
        aggregation.Criterion(c.code, c.weight, c.scale_min, c.scale_max)
        for c in list_criteria(summit)
    ]
    counted = (
        select(Proposal.id)
        .join(User, User.id == Proposal.owner_id)
        .where(*queries.proposal_clauses(summit, filters))
    )
    reviews = db.session.scalars(
        select(Review)
        .join(Proposal, Proposal.id == Review.proposal_id)
        .where(Review.summit_id == summit.id, Review.proposal_id.in_(counted))
        .options(
            joinedload(Review.reviewer), joinedload(Review.proposal).joinedload(Proposal.track)
        )
        .order_by(Proposal.code, Review.submitted_at, Review.id)
    ).unique()
    rows = []
    for r in reviews:
        hidden = _minor(r.reviewer.age_band) and not scope.sees_personal_data
        total = None if r.is_abstained else aggregation.weighted_total(r.scores or {}, criteria)
        rows.append(
            [
                r.proposal.code,
                r.proposal.track.code if r.proposal.track else "",
                "" if hidden else r.reviewer.name,
                "" if hidden else r.reviewer.email,
                "" if total is None else round(total, 1),
                "yes" if r.is_abstained else "no",
                " ".join(r.flags or []),
                _iso(r.submitted_at),
            ]
        )
    return rows


REGISTRATION_COLUMNS = registration_queries.EXPORT_COLUMNS
_MINOR_FIELDS = ("name", "email", "guardian_name", "guardian_email")
_HOUSEHOLD_FIELDS = ("contact_name", "contact_email")
_NEED_FIELDS = ("accommodations", "interpretation", "dietary_needs")


def registration_rows(summit: Summit, filters: ReportFilters, scope: ReportScope) -> list[list]:
    """Every registration (any state) of the region, as on *Staff → Registrations*."""
    people = registration_queries.all_filtered_attendees(
        summit, registration_queries.RegistrationFilters(region=filters.region or "")
    )
    if filters.day:
        people = [a for a in people if queries.admits(a.ticket_type.days, filters.day)]
    rows = registration_queries.export_rows(summit, people)
    if scope.sees_personal_data:
        return rows
    index = {name: i for i, name in enumerate(REGISTRATION_COLUMNS)}
    for person, row in zip(people, rows, strict=True):
        blank = list(_NEED_FIELDS)
        if person.is_minor:
            blank += _MINOR_FIELDS
        if person.booking.has_minors:
            blank += _HOUSEHOLD_FIELDS
        for name in blank:
            row[index[name]] = ""
    return rows


CHECK_IN_COLUMNS = (
    "ticket_code", "name", "ticket_type", "role_type", "county", "region", "day",
    "scanned_at", "device", "offline",
)  # fmt: skip


def check_in_rows(summit: Summit, filters: ReportFilters, scope: ReportScope) -> list[list]:
    """Standing check-ins at the entrances, one row per person and day."""
    regions = regions_by_county(summit)
    query = (
        select(
            Attendee.code,
            Attendee.name,
            Attendee.age_band,
            TicketType.code,
            Attendee.role_type,
            Attendee.county,
            Checkpoint.day,
            Scan.scanned_at,
            Scan.received_at,
            Scan.is_clock_skewed,
            Scan.device,
            Scan.was_offline,
        )
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .join(Attendee, Attendee.id == Scan.attendee_id)
        .join(TicketType, TicketType.id == Attendee.ticket_type_id)
        .where(
            Scan.summit_id == summit.id,
            Checkpoint.kind == CheckpointKind.ENTRANCE.value,
            *queries.live_scan(),
        )
        .order_by(Checkpoint.day, Scan.scanned_at, Scan.id)
    )
    if filters.region:
        query = query.where(Attendee.county.in_(queries.region_counties(summit, filters.region)))
    if filters.day:
        query = query.where(Checkpoint.day == filters.day)
    rows = []
    for (
        code,
        name,
        band,
        ticket,
        role,
        county,
        day,
        scanned,
        received,
        skewed,
        device,
        off,
    ) in db.session.execute(query):
        hidden = _minor(band) and not scope.sees_personal_data
        rows.append(
            [
                code,
                "" if hidden else name,
                ticket,
                role or "",
                county or "",
                regions.get(county or "", ""),
                _iso(day),
                _iso(received if skewed else scanned),
                device,
                "yes" if off else "no",
            ]
        )
    return rows


ATTENDANCE_COLUMNS = (
    "session", "title", "topic", "day", "ticket_code", "name", "role_type", "county",
    "region", "scanned_at",
)  # fmt: skip


def attendance_rows(summit: Summit, filters: ReportFilters, scope: ReportScope) -> list[list]:
    """Standing check-ins at sessions' own scanners, one row per person and session."""
    regions = regions_by_county(summit)
    tz = ZoneInfo(summit.timezone)
    query = (
        select(
            Proposal.code,
            Proposal.title,
            Track.code,
            Attendee.code,
            Attendee.name,
            Attendee.age_band,
            Attendee.role_type,
            Attendee.county,
            Scan.scanned_at,
            Scan.received_at,
            Scan.is_clock_skewed,
        )
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .join(Proposal, Proposal.id == Checkpoint.proposal_id)
        .outerjoin(Track, Track.id == Proposal.track_id)
        .join(Attendee, Attendee.id == Scan.attendee_id)
        .where(
            Scan.summit_id == summit.id,
            Checkpoint.kind == CheckpointKind.SESSION.value,
            *queries.live_scan(),
        )
        .order_by(Proposal.code, Scan.scanned_at, Scan.id)
    )
    if filters.region:
        query = query.where(Attendee.county.in_(queries.region_counties(summit, filters.region)))
    if filters.topic:
        query = query.where(Track.code == filters.topic)
    if filters.day:
        query = query.where(Proposal.id.in_(queries.scheduled_on(summit, filters.day)))
    rows = []
    for (
        session,
        title,
        topic,
        code,
        name,
        band,
        role,
        county,
        scanned,
        received,
        skewed,
    ) in db.session.execute(query):
        at = received if skewed else scanned
        hidden = _minor(band) and not scope.sees_personal_data
        rows.append(
            [
                session,
                title,
                topic or "",
                _iso(at.astimezone(tz).date()),
                code,
                "" if hidden else name,
                role or "",
                county or "",
                regions.get(county or "", ""),
                _iso(at),
            ]
        )
    return rows


RAW_EXPORTS: dict[str, tuple[tuple[str, ...], Callable]] = {
    "proposals": (PROPOSAL_COLUMNS, proposal_rows),
    "reviews": (REVIEW_COLUMNS, review_rows),
    "registrations": (REGISTRATION_COLUMNS, registration_rows),
    "check-ins": (CHECK_IN_COLUMNS, check_in_rows),
    "attendance": (ATTENDANCE_COLUMNS, attendance_rows),
}
EXPORT_NAMES = (*tables.PROGRAMME_TABLES, *tables.PARTICIPATION_TABLES, *RAW_EXPORTS)


def build_export(
    summit: Summit, name: str, filters: ReportFilters, scope: ReportScope, locale: str
) -> Export | None:
    """The rows of export ``name`` (None if there is no such export).
    ``filters`` must already carry a region lead's region (see ``staff.read_filters``)."""
    if name in RAW_EXPORTS:
        header, build = RAW_EXPORTS[name]
        return Export(name, tuple(header), build(summit, filters, scope))
    table = tables.get_table(summit, name, filters, locale)
    if table is None:
        return None
    return Export(name, tuple(c.key for c in table.columns), table.export_rows())


# --- writing files ----------------------------------------------------------------------


def csv_file(summit: Summit, export: Export) -> Response:
    return csv_response(export.filename(summit, "csv"), export.header, export.rows)


def _xlsx_cell(value):
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        return value
    return neutralise_cell(value)


def xlsx_bytes(export: Export) -> bytes:
    """A one-sheet workbook; text is neutralised exactly as in the CSV, numbers stay
    numbers. openpyxl would otherwise store a text starting with "=" as a formula."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=export.name[:31])
    sheet.append(list(export.header))
    for row in export.rows:
        sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_file(summit: Summit, export: Export) -> Response:
    return Response(
        xlsx_bytes(export),
        mimetype=XLSX_MIMETYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(summit, "xlsx")}"',
            "Cache-Control": "no-store",
        },
    )


def export_file(summit: Summit, export: Export, fmt: str) -> Response:
    return xlsx_file(summit, export) if fmt == "xlsx" else csv_file(summit, export)
