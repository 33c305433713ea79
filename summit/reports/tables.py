"""The dashboards as named tables: the same rows feed the page (chart and table) and
the CSV/XLSX downloads, so a chart, its table and its export never disagree.

Every table's first column is ``key`` (a stable code: a track code, a county, an ISO
day…) and its second ``label`` (the key in the reader's language); the other column
names are stable too and are listed in the README. A last row with key ``total`` sums
the table where a sum means something.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from summit.accounts.enums import PRESENTER_ROLE_LABELS
from summit.core.templating import local_date
from summit.proposals.enums import SESSION_LANGUAGE_LABELS
from summit.proposals.queries import list_formats
from summit.registration.enums import NEED_LABELS
from summit.registration.queries import list_ticket_types, summit_days
from summit.reports import charts, queries
from summit.reports.queries import ReportFilters
from summit.summits.queries import list_tracks, regions_by_county


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "number"  # key (downloads only), label (row heading), text, number, percent


@dataclass(frozen=True)
class Table:
    name: str  # the export name: /…/reports/export/<name>.csv
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    total: tuple | None = None  # the footer, with the same columns
    chart_columns: tuple[int, ...] = ()  # the charted columns' indexes, one series each
    vertical: bool = False

    @property
    def chart(self) -> charts.Chart | None:
        if not self.chart_columns:
            return None
        data = [(row[1], [row[i] or 0 for i in self.chart_columns]) for row in self.rows]
        return (charts.vertical_bars if self.vertical else charts.horizontal_bars)(data)

    @property
    def series_labels(self) -> list[str]:
        return [self.columns[i].label for i in self.chart_columns]

    def export_rows(self) -> list[tuple]:
        return [*self.rows, *([self.total] if self.total else [])]


PROGRAMME_TABLES = (
    "programme-topics", "programme-formats", "programme-lead-roles", "programme-languages",
    "programme-counties", "programme-regions", "review-progress",
)  # fmt: skip
PARTICIPATION_TABLES = (
    "participation-days", "participation-ticket-types", "participation-roles",
    "participation-counties", "participation-regions", "accommodations", "sessions",
    "topic-attendance",
)  # fmt: skip


def _ordered(tallies: dict, labels: dict, missing: str) -> list[tuple[str, str, object]]:
    """(key, label, tally): known keys in ``labels`` order, then others, the missing last."""
    keys = [k for k in labels if k in tallies]
    keys += sorted((k for k in tallies if k not in labels and k is not None), key=str)
    out = [(str(k), str(labels.get(k, k)), tallies[k]) for k in keys]
    if None in tallies:
        out.append(("", missing, tallies[None]))
    return out


# --- programme --------------------------------------------------------------------------


def _proposal_columns(first: str) -> tuple[Column, ...]:
    return (
        Column("key", "key", "key"),
        Column("label", first, "label"),
        Column("proposals", _("Proposals")),
        Column("accepted", _("Accepted")),
        Column("not_accepted", _("Not accepted")),
        Column("undecided", _("Not decided yet")),
        Column("acceptance_rate", _("Acceptance rate (%)"), "percent"),
    )


def _proposal_row(key, label, t: queries.ProposalTally) -> tuple:
    return (key, label, t.proposals, t.accepted, t.not_accepted, t.undecided, t.acceptance_rate)


def _by_id(tallies: dict, known: list[tuple[int, str, str]], missing: str) -> list[tuple]:
    """(code, label, tally) for rows keyed by id: ``known`` is (id, code, label) in order."""
    out = [(code, label, tallies[i]) for i, code, label in known if i in tallies]
    names = {i for i, _c, _l in known}
    out += [(str(i), str(i), t) for i, t in tallies.items() if i is not None and i not in names]
    if None in tallies:
        out.append(("", missing, tallies[None]))
    return out


def _led_labels() -> dict:
    """Lead presenters' roles as "student-led", "family-led"…"""
    return {
        "student": _("Student-led"),
        "family": _("Family-led"),
        "educator": _("Educator-led"),
        "community_partner": _("Partner-led"),
        "administrator": _("Administrator-led"),
        "other": _("Led by someone else"),
    }


def _review_row(key, label, t: queries.ReviewTally) -> tuple:
    return (key, label, t.proposals, t.assigned, t.done, t.percent_done, t.complete)


def programme_tables(summit, filters: ReportFilters, locale: str) -> list[Table]:
    """The programme dashboard: three statements for the lists, two for the counts."""
    regions = regions_by_county(summit)
    tracks = [(t.id, t.code, t.name(locale)) for t in list_tracks(summit)]
    formats = [(f.id, f.code, f.name(locale)) for f in list_formats(summit)]
    report = queries.count_programme(summit, filters, regions)
    total = _proposal_row("total", _("Total"), report.total)
    description = _(
        "Proposals sent in (not drafts, not withdrawn). The acceptance rate is accepted "
        "out of decided; proposals still under review or on the waiting list are not "
        "decided yet."
    )

    def table(name, title, first, rows):
        rows = tuple(_proposal_row(*r) for r in rows)
        return Table(name, title, description, _proposal_columns(first), rows, total, (2, 3))

    region_labels = {r: r for r in sorted(set(regions.values()))}
    review = Table(
        "review-progress",
        _("Review progress by topic"),
        _(
            "Reviews sent against reviewers assigned, for proposals that have reviewers. "
            "A proposal is complete when every assigned reviewer has sent a review."
        ),
        (
            Column("key", "key", "key"),
            Column("label", _("Topic"), "label"),
            Column("proposals", _("Proposals")),
            Column("assigned", _("Reviews assigned")),
            Column("done", _("Reviews sent")),
            Column("percent_done", _("Sent (%)"), "percent"),
            Column("complete", _("Proposals complete")),
        ),
        tuple(_review_row(*r) for r in _by_id(report.review_by_topic, tracks, _("No topic"))),
        _review_row("total", _("Total"), report.review_total),
        (3, 4),
    )
    return [
        table(
            "programme-topics",
            _("Proposals by main topic"),
            _("Topic"),
            _by_id(report.by_topic, tracks, _("No topic")),
        ),
        table(
            "programme-formats",
            _("Proposals by format"),
            _("Format"),
            _by_id(report.by_format, formats, _("No format")),
        ),
        table(
            "programme-lead-roles",
            _("Proposals by who leads them"),
            _("Lead presenter"),
            _ordered(report.by_lead_role, _led_labels(), _("Not given")),
        ),
        table(
            "programme-languages",
            _("Proposals by session language"),
            _("Language"),
            _ordered(report.by_language, SESSION_LANGUAGE_LABELS, _("Not given")),
        ),
        table(
            "programme-counties",
            _("Proposals by the lead presenter's county"),
            _("County"),
            _ordered(report.by_county, {}, _("No county")),
        ),
        table(
            "programme-regions",
            _("Proposals by R-TAC region"),
            _("Region"),
            _ordered(report.by_region, region_labels, _("No region")),
        ),
        review,
    ]


# --- participation ----------------------------------------------------------------------


def _turnout_columns(first: str) -> tuple[Column, ...]:
    return (
        Column("key", "key", "key"),
        Column("label", first, "label"),
        Column("registered", _("Registered")),
        Column("checked_in", _("Checked in")),
        Column("no_shows", _("Did not come")),
        Column("no_show_rate", _("No-show rate (%)"), "percent"),
    )


def _turnout_row(key, label, t: queries.Turnout) -> tuple:
    return (key, label, t.registered, t.checked_in, t.no_shows, t.no_show_rate)


def participation_tables(summit, filters: ReportFilters, locale: str) -> list[Table]:
    """The participation dashboard: four statements for the lists, five for the counts."""
    regions = regions_by_county(summit)
    track_items = [(t.id, t.code, t.name(locale)) for t in list_tracks(summit)]
    track_names = {i: name for i, _code, name in track_items}
    types = [(t.id, t.code, t.name(locale)) for t in list_ticket_types(summit)]
    report = queries.count_participation(summit, filters, regions, summit_days(summit))
    if filters.day:
        description = _(
            "Registered: confirmed people whose ticket admits %(day)s. Checked in: of "
            "everyone confirmed, those checked in at that day's entrance.",
            day=local_date(filters.day, "long"),
        )
    else:
        description = _(
            "Registered: confirmed people (cancelled tickets are not counted). Checked in: "
            "those checked in at an entrance on any day."
        )
    total = _turnout_row("total", _("Total"), report.total)

    def table(name, title, first, rows):
        # A day leaves out the people whose ticket does not admit it: rows of nobody go.
        rows = tuple(_turnout_row(*r) for r in rows if r[2].registered or r[2].checked_in)
        return Table(name, title, description, _turnout_columns(first), rows, total, (2, 3))

    days = Table(
        "participation-days",
        _("Registered and checked in by day"),
        _(
            "Each day counts the confirmed people whose ticket admits it and those checked "
            "in at that day's entrance."
        ),
        _turnout_columns(_("Day")),
        tuple(
            _turnout_row(d.isoformat(), local_date(d, "medium"), t)
            for d, t in report.by_day.items()
        ),
        None,
        (2, 3),
        vertical=True,
    )
    needs = Table(
        "accommodations",
        _("Accommodations requested and delivered"),
        _(
            "Requested: confirmed people who asked for it. Delivered: those of them who "
            "were checked in, so the accommodation had to be ready on site."
        ),
        (
            Column("key", "key", "key"),
            Column("label", _("Need"), "label"),
            Column("requested", _("Requested")),
            Column("delivered", _("Delivered")),
            Column("percent_delivered", _("Delivered (%)"), "percent"),
        ),
        tuple(
            (code, str(NEED_LABELS[code]), t.requested, t.delivered, t.percent_delivered)
            for code, t in report.needs.items()
        ),
        None,
        (2, 3),
    )
    tz = ZoneInfo(summit.timezone)
    sessions = Table(
        "sessions",
        _("Session attendance against capacity and stars"),
        _(
            "Sessions of the released program: people checked in at the session's own "
            "scanner, the room's seats and how many people starred it in their agenda."
        ),
        (
            Column("key", "key", "key"),
            Column("label", _("Session"), "label"),
            Column("topic", _("Topic"), "text"),
            Column("day", _("Day"), "text"),
            Column("starts_at", _("Starts"), "text"),
            Column("room", _("Room"), "text"),
            Column("capacity", _("Capacity")),
            Column("stars", _("Stars")),
            Column("checked_in", _("Checked in")),
            Column("percent_of_capacity", _("Of capacity (%)"), "percent"),
            Column("percent_of_stars", _("Of stars (%)"), "percent"),
        ),
        tuple(
            (
                s.code,
                s.title + (" (" + _("Cancelled") + ")" if s.is_cancelled else ""),
                track_names.get(s.track_id, ""),
                s.day.isoformat(),
                s.starts_at.astimezone(tz).strftime("%H:%M"),
                s.room,
                s.capacity,
                s.stars,
                s.checked_in,
                s.percent_of_capacity,
                s.percent_of_stars,
            )
            for s in report.sessions
        ),
    )
    topics = Table(
        "topic-attendance",
        _("Attendance by main topic"),
        _("Sessions of the released program that are not cancelled, added up by topic."),
        (
            Column("key", "key", "key"),
            Column("label", _("Topic"), "label"),
            Column("sessions", _("Sessions")),
            Column("capacity", _("Capacity")),
            Column("stars", _("Stars")),
            Column("checked_in", _("Checked in")),
            Column("percent_of_capacity", _("Of capacity (%)"), "percent"),
        ),
        tuple(
            (key, label, t.sessions, t.capacity, t.stars, t.checked_in, t.percent_of_capacity)
            for key, label, t in _by_id(report.by_topic, track_items, _("No topic"))
        ),
        None,
        (3, 5),
    )
    region_labels = {r: r for r in sorted(set(regions.values()))}
    return [
        days,
        table(
            "participation-ticket-types",
            _("By ticket type"),
            _("Ticket type"),
            _by_id(report.by_ticket_type, types, _("Other")),
        ),
        table(
            "participation-roles",
            _("By role"),
            _("Role"),
            _ordered(report.by_role, PRESENTER_ROLE_LABELS, _("Not given")),
        ),
        table(
            "participation-counties",
            _("By county"),
            _("County"),
            _ordered(report.by_county, {}, _("No county")),
        ),
        table(
            "participation-regions",
            _("By R-TAC region"),
            _("Region"),
            _ordered(report.by_region, region_labels, _("No region")),
        ),
        needs,
        sessions,
        topics,
    ]


def dashboard_tables(summit, name: str, filters: ReportFilters, locale: str) -> list[Table]:
    """``name`` is "programme" or "participation"."""
    build = programme_tables if name == "programme" else participation_tables
    return build(summit, filters, locale)


def get_table(summit, name: str, filters: ReportFilters, locale: str) -> Table | None:
    if name in PROGRAMME_TABLES:
        tables = programme_tables(summit, filters, locale)
    elif name in PARTICIPATION_TABLES:
        tables = participation_tables(summit, filters, locale)
    else:
        return None
    return next(t for t in tables if t.name == name)
