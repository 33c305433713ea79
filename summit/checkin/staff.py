"""Check-in pages for people: the door's manual look-up (check in and undo by name, email
or ticket code), the staff's live dashboard, and the list of offline double admissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from summit.accounts.enums import PRESENTER_ROLE_LABELS
from summit.accounts.forms import EmptyForm
from summit.checkin import queries, services
from summit.checkin.enums import (
    FLAG_LABELS,
    RESULT_ADVICE,
    RESULT_COLOURS,
    RESULT_LABELS,
    CheckpointKind,
    ScanResult,
)
from summit.checkin.models import Checkpoint, Scan
from summit.core.clock import now
from summit.core.errors import DomainError
from summit.core.i18n import select_locale
from summit.core.templating import local_date, local_time
from summit.extensions import db
from summit.registration.enums import BOOKING_STATE_LABELS, BookingState
from summit.registration.models import Attendee
from summit.registration.queries import list_ticket_types, summit_days
from summit.summits.policies import can_check_in, can_manage_summit
from summit.summits.routes import summit_view

bp = Blueprint("checkin_staff", __name__)
door_view = summit_view(can_check_in)
staff_view = summit_view(can_manage_summit)

ALERTS = {"green": "success", "amber": "warning", "red": "danger"}
LOOKUP_DEVICE = "look-up"


def _today(summit) -> date:
    return now().astimezone(ZoneInfo(summit.timezone)).date()


def _pick_day(summit, value: str | None) -> tuple[date, list[date]]:
    """The day asked for if it is a summit day; else today during the summit, else day one."""
    days = summit_days(summit)
    try:
        asked = date.fromisoformat((value or "")[:10])
    except ValueError:
        asked = None
    if asked in days:
        return asked, days
    today = _today(summit)
    return (today if today in days else days[0]), days


def checkpoint_label(checkpoint: Checkpoint) -> str:
    """An entrance by its day in the reader's language; a session room by its session."""
    if checkpoint.kind == CheckpointKind.ENTRANCE and checkpoint.day:
        return _("Entrance, %(day)s", day=local_date(checkpoint.day, "full"))
    return checkpoint.name


# --- the door's look-up -----------------------------------------------------------------


@dataclass(frozen=True)
class ResultPanel:
    """What the scanner would show for one scan: green, amber or red, and what to do."""

    result: ScanResult
    label: str
    advice: str
    alert: str  # Bootstrap alert: success / warning / danger
    attendee: Attendee | None
    checkpoint: Checkpoint
    first: Scan | None  # the standing check-in, when already checked in
    over_capacity: bool


def _panel(summit, scan_id: str) -> ResultPanel | None:
    scan_id = (scan_id or "").strip()[: services.MAX_SCAN_ID_LENGTH]
    scan = services.get_scan(summit, scan_id) if scan_id else None
    if scan is None:
        return None
    result = ScanResult(scan.result)
    first = None
    if result == ScanResult.ALREADY_CHECKED_IN and scan.attendee_id:
        first = services.live_check_in(scan.attendee_id, scan.checkpoint_id)
    checkpoint = scan.checkpoint
    over = (
        result == ScanResult.CHECKED_IN
        and checkpoint.capacity is not None
        and services.count_live(checkpoint) > checkpoint.capacity
    )
    return ResultPanel(
        result=result,
        label=str(RESULT_LABELS[result]),
        advice=str(RESULT_ADVICE[result]),
        alert=ALERTS[RESULT_COLOURS[result]],
        attendee=scan.attendee if result != ScanResult.INVALID else None,
        checkpoint=checkpoint,
        first=first,
        over_capacity=over,
    )


def _checkpoints(summit) -> list[Checkpoint]:
    """Active checkpoints, entrances first; the entrances are made on the first visit."""
    checkpoints = queries.list_checkpoints(summit)
    if not any(c.kind == CheckpointKind.ENTRANCE for c in checkpoints):
        services.ensure_entrances(summit)
        db.session.commit()
        checkpoints = queries.list_checkpoints(summit)
    return checkpoints


def _chosen(summit, checkpoints: list[Checkpoint], code: str | None) -> Checkpoint | None:
    by_code = {c.code: c for c in checkpoints}
    if code in by_code:
        return by_code[code]
    entrances = [c for c in checkpoints if c.kind == CheckpointKind.ENTRANCE]
    today = _today(summit)
    return next((c for c in entrances if c.day == today), entrances[0] if entrances else None)


def _status(attendee) -> str:
    if attendee.cancelled_at is not None:
        return str(BOOKING_STATE_LABELS[BookingState.CANCELLED])
    return str(BOOKING_STATE_LABELS[BookingState(attendee.booking.state)])


def _can_enter(attendee) -> bool:
    return attendee.cancelled_at is None and attendee.booking.state == BookingState.CONFIRMED


def _render_lookup(summit, *, q: str, checkpoint_code: str | None, error: str = "", status=200):
    q = (q or "").strip()[: queries.MAX_LOOKUP_LENGTH]
    checkpoints = _checkpoints(summit)
    checkpoint = _chosen(summit, checkpoints, checkpoint_code)
    households, more = queries.search_households(summit, q)
    people = [a.id for b in households for a in b.attendees]
    return render_template(
        "checkin_staff/lookup.html",
        summit=summit,
        q=q,
        too_short=bool(q) and len(queries.fold(q)) < queries.MIN_LOOKUP_LENGTH,
        checkpoints=checkpoints,
        checkpoint=checkpoint,
        households=households,
        more=more,
        live=queries.live_check_ins(checkpoint, people),
        panel=_panel(summit, request.args.get("scan", "")) if not error else None,
        error=error,
        form=EmptyForm(),
        flags_of=services.flags_of,
        flag_labels=FLAG_LABELS,
        checkpoint_label=checkpoint_label,
        status_of=_status,
        can_enter=_can_enter,
        shown_time=queries.shown_time,
        can_manage=can_manage_summit(current_user, summit),
        limit=queries.LOOKUP_LIMIT,
    ), status


@bp.get("/<slug>/door/lookup")
@door_view
def lookup(summit):
    return _render_lookup(
        summit, q=request.args.get("q", ""), checkpoint_code=request.args.get("checkpoint")
    )


def _posted(summit) -> tuple[Attendee, Checkpoint]:
    """The attendee and checkpoint a look-up button names (both of this summit)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    checkpoint = queries.get_checkpoint(summit, request.form.get("checkpoint", "").strip()[:12])
    if checkpoint is None or not checkpoint.is_active:
        message = _("Unknown checkpoint. Choose one from the list and try again.")
        raise DomainError("unknown_checkpoint", message, status=404)
    code = request.form.get("attendee", "").strip()[:12]
    attendee = queries.get_attendee(summit, code)
    if attendee is None:
        message = _("No ticket has the code “%(code)s”. Search for the person by name.", code=code)
        raise DomainError("unknown_attendee", message, status=404)
    return attendee, checkpoint


def _refused(summit, error: DomainError):
    """The look-up page again, saying what went wrong; nothing was recorded."""
    db.session.rollback()
    code = request.form.get("checkpoint", "").strip()[:12]
    return _render_lookup(
        summit,
        q=request.form.get("q", ""),
        checkpoint_code=code,
        error=error.message,
        status=error.status,
    )


def _back(summit, checkpoint: Checkpoint, scan_id: str):
    return redirect(
        url_for(
            "checkin_staff.lookup",
            slug=summit.slug,
            q=request.form.get("q", "").strip()[: queries.MAX_LOOKUP_LENGTH] or None,
            checkpoint=checkpoint.code,
            scan=scan_id,
        ),
        303,
    )


@bp.post("/<slug>/door/lookup/check-in")
@door_view
def check_in(summit):
    """Check someone in by hand: the same path, and the same answer, as a scan of their QR."""
    try:
        attendee, checkpoint = _posted(summit)
        outcome = services.check_in_by_code(
            summit, attendee, checkpoint=checkpoint, actor=current_user, device=LOOKUP_DEVICE
        )
    except DomainError as error:
        return _refused(summit, error)
    db.session.commit()
    return _back(summit, checkpoint, outcome.scan.scan_id)


@bp.post("/<slug>/door/lookup/undo")
@door_view
def undo(summit):
    """Undo someone's standing check-in at a checkpoint (the scan stays, annulled)."""
    try:
        attendee, checkpoint = _posted(summit)
        standing = services.live_check_in(attendee.id, checkpoint.id)
        if standing is None:
            message = _(
                "%(name)s is not checked in at %(checkpoint)s, so there is nothing to undo.",
                name=attendee.name,
                checkpoint=checkpoint_label(checkpoint),
            )
            raise DomainError("not_undoable", message, status=409)
        annulment = services.undo(summit, standing, actor=current_user)
    except DomainError as error:
        return _refused(summit, error)
    db.session.commit()
    return _back(summit, checkpoint, annulment.scan_id)


# --- the dashboard ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str  # "10:15"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    """A bar chart drawn as SVG by the template: coordinates only, no script, no style."""

    width: int
    height: int
    top: int  # y of the busiest bucket's line
    baseline: int  # y of the axis
    left: int
    bars: list[Bar]
    ticks: list[Tick]  # one label per hour under the axis
    peak: int  # the value at ``top``


CHART_WIDTH, CHART_HEIGHT = 640, 240  # the viewBox; the SVG scales to its column
CHART_TOP, CHART_BOTTOM, CHART_LEFT, CHART_RIGHT = 16, 30, 36, 28
MAX_BAR_STEP = 40  # a few buckets stay bars, not slabs
MIN_TICK_GAP = 56  # time labels closer than this would overlap


def arrivals_chart(arrivals: queries.Arrivals, tz: str) -> BarChart | None:
    """The arrivals as bars scaled to the busiest bucket, labelled on the hour."""
    if not arrivals.buckets:
        return None
    peak = max(n for _start, n in arrivals.buckets) or 1
    baseline = CHART_HEIGHT - CHART_BOTTOM
    span = baseline - CHART_TOP
    step = min((CHART_WIDTH - CHART_LEFT - CHART_RIGHT) / len(arrivals.buckets), MAX_BAR_STEP)
    zone = ZoneInfo(tz)
    bars, ticks = [], []
    for i, (start, n) in enumerate(arrivals.buckets):
        x = CHART_LEFT + i * step
        height = round(span * n / peak, 1)
        label = local_time(start, tz)
        width = round(step * 0.8, 1)
        bars.append(Bar(round(x + step * 0.1, 1), baseline - height, width, height, n, label))
        on_the_hour = start.astimezone(zone).minute == 0
        if (i == 0 or on_the_hour) and (not ticks or x + step / 2 - ticks[-1].x >= MIN_TICK_GAP):
            ticks.append(Tick(round(x + step / 2, 1), label))
    return BarChart(CHART_WIDTH, CHART_HEIGHT, CHART_TOP, baseline, CHART_LEFT, bars, ticks, peak)


@dataclass(frozen=True)
class TurnoutRow:
    label: str
    tally: queries.Tally


def _rows(tallies: dict, labels: dict, missing: str) -> list[TurnoutRow]:
    """Known keys in ``labels`` order, then any others, then the missing value last."""
    ordered = [k for k in labels if k in tallies]
    ordered += sorted(k for k in tallies if k not in labels and k is not None)
    rows = [TurnoutRow(str(labels.get(k, k)), tallies[k]) for k in ordered]
    if None in tallies:
        rows.append(TurnoutRow(missing, tallies[None]))
    return rows


@bp.get("/<slug>/staff/checkin")
@staff_view
def dashboard(summit):
    day, days = _pick_day(summit, request.args.get("day"))
    entrance = queries.get_entrance(summit, day)
    arrivals = queries.count_arrivals(summit, entrance, day)
    turnout = queries.count_turnout(summit, entrance, day)
    locale = select_locale()
    type_names = {t.id: t.name(locale) for t in list_ticket_types(summit)}
    regions = {r: r for r in sorted(k for k in turnout.by_region if k is not None)}
    breakdowns = [
        (
            "ticket-type",
            _("By ticket type"),
            _("Ticket type"),
            _rows(turnout.by_ticket_type, type_names, _("Other")),
        ),
        (
            "role",
            _("By role"),
            _("Role"),
            _rows(turnout.by_role, PRESENTER_ROLE_LABELS, _("Not given")),
        ),
        (
            "region",
            _("By R-TAC region"),
            _("Region"),
            _rows(turnout.by_region, regions, _("No region")),
        ),
    ]
    return render_template(
        "checkin_staff/dashboard.html",
        summit=summit,
        day=day,
        days=days,
        entrance=entrance,
        arrivals=arrivals,
        chart=arrivals_chart(arrivals, summit.timezone),
        turnout=turnout,
        breakdowns=breakdowns,
        sessions=queries.list_session_attendance(summit, day),
        devices=queries.list_devices(summit),
        conflicts=queries.count_conflicts(summit),
        now=now(),
        can_manage=True,
    )


@bp.get("/<slug>/staff/checkin/conflicts")
@staff_view
def conflicts(summit):
    return render_template(
        "checkin_staff/conflicts.html",
        summit=summit,
        conflicts=queries.list_conflicts(summit),
        shown_time=queries.shown_time,
        checkpoint_label=checkpoint_label,
        can_manage=True,
    )
