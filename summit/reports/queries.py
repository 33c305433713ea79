"""Read-only aggregations behind the report dashboards.

Each dashboard is a fixed number of GROUP BY statements whatever the number of people,
proposals, scans or sessions: rows are grouped in SQL by every dimension at once and
the few combinations that come back are folded into tallies in Python. Nothing here
loops over people or runs a query per row.

Filters: ``day`` (a summit day), ``region`` (an R-TAC region of *Staff → Regions*) and
``topic`` (a track code). A region lead's own region always applies.
- proposals belong to the county (and so the region) of their lead presenter's account;
  the day keeps proposals scheduled on that day in the newest released programme;
- people belong to their registration's county; the day keeps people whose ticket
  admits it and check-ins at that day's entrance;
- sessions are statewide: the region narrows who is counted in them (check-ins, stars),
  not which sessions are listed; the topic narrows sessions to that main topic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, and_, case, cast, func, select

from summit.accounts.models import User
from summit.agenda.models import Agenda, Star
from summit.checkin.enums import CheckpointKind, ScanResult
from summit.checkin.models import Checkpoint, Scan
from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.proposals.models import Proposal
from summit.registration.enums import NEED_LABELS, BookingState
from summit.registration.models import Attendee, Booking, TicketType
from summit.reviews.models import Assignment, Review
from summit.scheduling.models import ReleasedSession, Room, ScheduleVersion
from summit.summits.models import CountyRegion, Summit, Track

S = ProposalState
# Counted as proposals: everything sent in and not taken back.
NOT_COUNTED = (S.DRAFT.value, S.WITHDRAWN.value)
# The committee said yes (later declined or cancelled sessions were still accepted).
ACCEPTED = frozenset({S.ACCEPTED, S.CONFIRMED, S.DECLINED, S.CANCELLED})
NOT_ACCEPTED = frozenset({S.REJECTED})


@dataclass(frozen=True)
class ReportFilters:
    """What a dashboard or export is narrowed to; every value is known, or None."""

    day: date | None = None
    region: str | None = None
    topic: str | None = None  # a track code

    def as_args(self) -> dict[str, str]:
        args = {
            "day": self.day.isoformat() if self.day else "",
            "region": self.region or "",
            "topic": self.topic or "",
        }
        return {k: v for k, v in args.items() if v}


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# --- shared clauses ---------------------------------------------------------------------


def region_counties(summit: Summit, region: str):
    return select(CountyRegion.county).where(
        CountyRegion.summit_id == summit.id, CountyRegion.region == region
    )


def _track_id(summit: Summit, code: str):
    return (
        select(Track.id).where(Track.summit_id == summit.id, Track.code == code).scalar_subquery()
    )


def _newest_version(summit: Summit):
    return (
        select(ScheduleVersion.id)
        .where(ScheduleVersion.summit_id == summit.id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )


def scheduled_on(summit: Summit, day: date):
    return select(ReleasedSession.proposal_id).where(
        ReleasedSession.version_id == _newest_version(summit), ReleasedSession.day == day
    )


def proposal_clauses(summit: Summit, filters: ReportFilters) -> list:
    """Proposals of this summit that were sent in, narrowed by ``filters``.
    The caller joins ``User`` as the proposal's owner (the lead presenter's account)."""
    clauses = [Proposal.summit_id == summit.id, Proposal.state.not_in(NOT_COUNTED)]
    if filters.region:
        clauses.append(User.county.in_(region_counties(summit, filters.region)))
    if filters.topic:
        clauses.append(Proposal.track_id == _track_id(summit, filters.topic))
    if filters.day:
        clauses.append(Proposal.id.in_(scheduled_on(summit, filters.day)))
    return clauses


def attendee_clauses(summit: Summit, filters: ReportFilters) -> list:
    """Confirmed people holding a ticket (not cancelled) of the filtered region.
    The caller joins ``Booking``. The day is applied through ticket days in Python."""
    clauses = [
        Attendee.summit_id == summit.id,
        Attendee.cancelled_at.is_(None),
        Booking.state == BookingState.CONFIRMED.value,
    ]
    if filters.region:
        clauses.append(Attendee.county.in_(region_counties(summit, filters.region)))
    return clauses


def live_scan():
    return (Scan.result == ScanResult.CHECKED_IN.value, Scan.annulled_at.is_(None))


def _came(summit: Summit, day: date | None):
    """1 for a person with a standing check-in at an entrance (on ``day``, or any day),
    else 0: a correlated EXISTS on the scans' attendee index, cheap on both engines
    (a join to a DISTINCT subquery made SQLite scan it once per person)."""
    entrance = (
        select(Scan.id)
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .where(
            Scan.attendee_id == Attendee.id,
            Checkpoint.kind == CheckpointKind.ENTRANCE.value,
            *live_scan(),
        )
    )
    if day is not None:
        entrance = entrance.where(Checkpoint.day == day)
    return case((entrance.exists(), 1), else_=0)


def admits(ticket_days: Iterable[str] | None, day: date) -> bool:
    """Whether a ticket type's days (empty: every day) include ``day``."""
    return not ticket_days or day.isoformat() in ticket_days


def ticket_days(summit: Summit) -> dict[int, list[str]]:
    return dict(
        db.session.execute(
            select(TicketType.id, TicketType.days).where(TicketType.summit_id == summit.id)
        ).all()
    )


# --- the programme dashboard -----------------------------------------------------------


@dataclass
class ProposalTally:
    proposals: int = 0
    accepted: int = 0
    not_accepted: int = 0

    @property
    def undecided(self) -> int:
        return self.proposals - self.accepted - self.not_accepted

    @property
    def acceptance_rate(self) -> int | None:
        """Accepted out of decided (accepted or not accepted), as a whole percent."""
        return percent(self.accepted, self.accepted + self.not_accepted)

    def add(self, state: str, n: int) -> None:
        self.proposals += n
        if state in ACCEPTED:
            self.accepted += n
        elif state in NOT_ACCEPTED:
            self.not_accepted += n


@dataclass
class ReviewTally:
    proposals: int = 0  # with at least one reviewer assigned
    assigned: int = 0  # reviewer assignments
    done: int = 0  # of those, reviews sent (abstentions too)
    complete: int = 0  # proposals whose every assigned reviewer has reviewed

    @property
    def percent_done(self) -> int | None:
        return percent(self.done, self.assigned)


@dataclass
class Programme:
    total: ProposalTally = field(default_factory=ProposalTally)
    by_topic: dict[int | None, ProposalTally] = field(default_factory=dict)  # track id
    by_format: dict[int | None, ProposalTally] = field(default_factory=dict)  # format id
    by_lead_role: dict[str | None, ProposalTally] = field(default_factory=dict)
    by_language: dict[str, ProposalTally] = field(default_factory=dict)
    by_county: dict[str | None, ProposalTally] = field(default_factory=dict)
    by_region: dict[str | None, ProposalTally] = field(default_factory=dict)
    review_total: ReviewTally = field(default_factory=ReviewTally)
    review_by_topic: dict[int | None, ReviewTally] = field(default_factory=dict)


def _tally(table: dict, key, factory=ProposalTally):
    if key not in table:
        table[key] = factory()
    return table[key]


def count_programme(summit: Summit, filters: ReportFilters, regions: dict[str, str]) -> Programme:
    """Proposals by topic, format, lead presenter's role, language, county and region,
    with acceptance; and review progress by topic. Two statements.

    ``regions`` is the county → region map (``summits.queries.regions_by_county``)."""
    programme = Programme()
    rows = db.session.execute(
        select(
            Proposal.track_id,
            Proposal.format_id,
            Proposal.lead_role,
            Proposal.language,
            User.county,
            Proposal.state,
            func.count(Proposal.id),
        )
        .join(User, User.id == Proposal.owner_id)
        .where(*proposal_clauses(summit, filters))
        .group_by(
            Proposal.track_id,
            Proposal.format_id,
            Proposal.lead_role,
            Proposal.language,
            User.county,
            Proposal.state,
        )
    ).all()
    for track_id, format_id, lead_role, language, county, state, n in rows:
        for tally in (
            programme.total,
            _tally(programme.by_topic, track_id),
            _tally(programme.by_format, format_id),
            _tally(programme.by_lead_role, lead_role or None),
            _tally(programme.by_language, language),
            _tally(programme.by_county, county or None),
            _tally(programme.by_region, regions.get(county or "")),
        ):
            tally.add(state, n)

    per_proposal = (
        select(
            Assignment.proposal_id.label("proposal_id"),
            func.count(Assignment.id).label("assigned"),
            func.count(Review.id).label("done"),
        )
        .outerjoin(
            Review,
            and_(
                Review.proposal_id == Assignment.proposal_id,
                Review.reviewer_id == Assignment.reviewer_id,
            ),
        )
        .where(Assignment.summit_id == summit.id)
        .group_by(Assignment.proposal_id)
        .subquery()
    )
    review_rows = db.session.execute(
        select(
            Proposal.track_id,
            func.count(Proposal.id),
            func.coalesce(func.sum(per_proposal.c.assigned), 0),
            func.coalesce(func.sum(per_proposal.c.done), 0),
            func.coalesce(
                func.sum(case((per_proposal.c.done >= per_proposal.c.assigned, 1), else_=0)), 0
            ),
        )
        .join(per_proposal, per_proposal.c.proposal_id == Proposal.id)
        .join(User, User.id == Proposal.owner_id)
        .where(*proposal_clauses(summit, filters))
        .group_by(Proposal.track_id)
    ).all()
    for track_id, proposals, assigned, done, complete in review_rows:
        for tally in (
            programme.review_total,
            _tally(programme.review_by_topic, track_id, ReviewTally),
        ):
            tally.proposals += int(proposals)
            tally.assigned += int(assigned)
            tally.done += int(done)
            tally.complete += int(complete)
    return programme


# --- the participation dashboard -------------------------------------------------------


@dataclass
class Turnout:
    registered: int = 0  # confirmed people (whose ticket admits the day, when one is chosen)
    checked_in: int = 0  # of them, standing check-ins at an entrance (that day, or any day)

    @property
    def no_shows(self) -> int:
        return max(self.registered - self.checked_in, 0)

    @property
    def no_show_rate(self) -> int | None:
        return percent(self.no_shows, self.registered)


@dataclass
class NeedTally:
    requested: int = 0  # confirmed people who asked for it
    delivered: int = 0  # of them, checked in: the need had to be met on site

    @property
    def percent_delivered(self) -> int | None:
        return percent(self.delivered, self.requested)


@dataclass(frozen=True)
class SessionRow:
    code: str  # the proposal's code
    title: str
    track_id: int | None
    day: date
    starts_at: datetime
    room: str
    is_cancelled: bool
    has_scanner: bool
    capacity: int | None  # the session checkpoint's seats, else the room's
    stars: int  # people who starred it (of the region, when one is chosen)
    checked_in: int  # standing check-ins at its checkpoint (of the region, likewise)

    @property
    def percent_of_capacity(self) -> int | None:
        return percent(self.checked_in, self.capacity or 0)

    @property
    def percent_of_stars(self) -> int | None:
        return percent(self.checked_in, self.stars)


@dataclass
class TopicAttendance:
    sessions: int = 0
    capacity: int = 0
    stars: int = 0
    checked_in: int = 0

    @property
    def percent_of_capacity(self) -> int | None:
        return percent(self.checked_in, self.capacity)


@dataclass
class Participation:
    days: list[date]
    total: Turnout = field(default_factory=Turnout)
    by_day: dict[date, Turnout] = field(default_factory=dict)
    by_ticket_type: dict[int, Turnout] = field(default_factory=dict)
    by_role: dict[str | None, Turnout] = field(default_factory=dict)
    by_county: dict[str | None, Turnout] = field(default_factory=dict)
    by_region: dict[str | None, Turnout] = field(default_factory=dict)
    needs: dict[str, NeedTally] = field(default_factory=dict)  # NEED_LABELS order
    sessions: list[SessionRow] = field(default_factory=list)
    by_topic: dict[int | None, TopicAttendance] = field(default_factory=dict)


def _need_codes(accommodations, interpretation, dietary) -> list[str]:
    if isinstance(accommodations, str):  # the JSON list, as text
        try:
            accommodations = json.loads(accommodations)
        except ValueError:
            accommodations = []
    codes = [c for c in accommodations or [] if isinstance(c, str)]
    return [*codes, *(["interpretation"] if interpretation else []),
            *(["dietary"] if dietary else [])]  # fmt: skip


def count_participation(
    summit: Summit, filters: ReportFilters, regions: dict[str, str], days: list[date]
) -> Participation:
    """Registered against checked in by day, ticket type, role, county and region;
    accommodations asked for against those present; sessions against capacity and
    stars, and by topic. Five statements."""
    report = Participation(days=[filters.day] if filters.day else list(days))
    report.by_day = {d: Turnout() for d in report.days}
    report.needs = {code: NeedTally() for code in NEED_LABELS}
    admitted_days = ticket_days(summit)
    came_in = _came(summit, filters.day)
    base = attendee_clauses(summit, filters)

    rows = db.session.execute(
        select(
            Attendee.ticket_type_id,
            Attendee.role_type,
            Attendee.county,
            func.count(Attendee.id),
            func.coalesce(func.sum(came_in), 0),
        )
        .join(Booking, Booking.id == Attendee.booking_id)
        .where(*base)
        .group_by(Attendee.ticket_type_id, Attendee.role_type, Attendee.county)
    ).all()
    for type_id, role, county, people, came in rows:
        ticket = admitted_days.get(type_id)
        registered = people if filters.day is None or admits(ticket, filters.day) else 0
        for tally in (
            report.total,
            _tally(report.by_ticket_type, type_id, Turnout),
            _tally(report.by_role, role or None, Turnout),
            _tally(report.by_county, county or None, Turnout),
            _tally(report.by_region, regions.get(county or ""), Turnout),
        ):
            tally.registered += registered
            tally.checked_in += came
        for d in report.days:
            if admits(ticket, d):
                report.by_day[d].registered += people

    # One column per day (a summit has two or three): who came in at that day's entrance.
    per_day = db.session.execute(
        select(*(func.coalesce(func.sum(_came(summit, d)), 0) for d in report.days))
        .select_from(Attendee)
        .join(Booking, Booking.id == Attendee.booking_id)
        .where(*base)
    ).one()
    for d, came in zip(report.days, per_day, strict=True):
        report.by_day[d].checked_in += int(came)

    accommodations = cast(Attendee.accommodations, String)
    dietary = Attendee.dietary_needs != ""
    need_rows = db.session.execute(
        select(
            accommodations,
            Attendee.wants_interpretation,
            dietary,
            Attendee.ticket_type_id,
            func.count(Attendee.id),
            func.coalesce(func.sum(came_in), 0),
        )
        .join(Booking, Booking.id == Attendee.booking_id)
        .where(*base)
        .group_by(accommodations, Attendee.wants_interpretation, dietary, Attendee.ticket_type_id)
    ).all()
    for listed, interpretation, diet, type_id, people, came in need_rows:
        if filters.day is not None and not admits(admitted_days.get(type_id), filters.day):
            people = 0
        for code in set(_need_codes(listed, interpretation, diet)):
            if code in report.needs:
                report.needs[code].requested += people
                report.needs[code].delivered += came

    report.sessions = list_sessions(summit, filters)
    for s in report.sessions:
        if s.is_cancelled:
            continue
        topic = _tally(report.by_topic, s.track_id, TopicAttendance)
        topic.sessions += 1
        topic.capacity += s.capacity or 0
        topic.stars += s.stars
        topic.checked_in += s.checked_in
    return report


def list_sessions(summit: Summit, filters: ReportFilters) -> list[SessionRow]:
    """Sessions of the newest released programme with check-ins, capacity and stars."""
    # Only session checkpoints' scans (the index on checkpoint_id finds them), not the
    # entrance scans that make most of the table.
    session_checkpoints = select(Checkpoint.id).where(
        Checkpoint.summit_id == summit.id, Checkpoint.kind == CheckpointKind.SESSION.value
    )
    checked = select(Scan.checkpoint_id, func.count(Scan.id).label("n")).where(
        Scan.checkpoint_id.in_(session_checkpoints), *live_scan()
    )
    starred = (
        select(Star.proposal_id, func.count(Star.agenda_id).label("n"))
        .join(Agenda, Agenda.id == Star.agenda_id)
        .where(Star.summit_id == summit.id)
    )
    if filters.region:
        counties = region_counties(summit, filters.region)
        checked = checked.join(Attendee, Attendee.id == Scan.attendee_id).where(
            Attendee.county.in_(counties)
        )
        starred = (
            starred.outerjoin(Attendee, Attendee.id == Agenda.attendee_id)
            .outerjoin(User, User.id == Agenda.user_id)
            .where(func.coalesce(Attendee.county, User.county).in_(counties))
        )
    checked = checked.group_by(Scan.checkpoint_id).subquery()
    starred = starred.group_by(Star.proposal_id).subquery()
    query = (
        select(
            Proposal.code,
            Proposal.title,
            Proposal.track_id,
            ReleasedSession.day,
            ReleasedSession.starts_at,
            func.coalesce(Room.name, ReleasedSession.room_name).label("room"),
            ReleasedSession.is_cancelled,
            Checkpoint.id.is_not(None).label("has_scanner"),
            func.coalesce(Checkpoint.capacity, Room.capacity).label("capacity"),
            func.coalesce(starred.c.n, 0).label("stars"),
            func.coalesce(checked.c.n, 0).label("checked_in"),
        )
        .join(Proposal, Proposal.id == ReleasedSession.proposal_id)
        .outerjoin(Room, Room.id == ReleasedSession.room_id)
        .outerjoin(
            Checkpoint,
            (Checkpoint.proposal_id == ReleasedSession.proposal_id)
            & (Checkpoint.summit_id == summit.id)
            & (Checkpoint.kind == CheckpointKind.SESSION.value),
        )
        .outerjoin(checked, checked.c.checkpoint_id == Checkpoint.id)
        .outerjoin(starred, starred.c.proposal_id == ReleasedSession.proposal_id)
        .where(ReleasedSession.version_id == _newest_version(summit))
        .order_by(ReleasedSession.starts_at, Room.position, "room", Proposal.title)
    )
    if filters.day:
        query = query.where(ReleasedSession.day == filters.day)
    if filters.topic:
        query = query.where(Proposal.track_id == _track_id(summit, filters.topic))
    return [
        SessionRow(**{**row._asdict(), "has_scanner": bool(row.has_scanner)})
        for row in db.session.execute(query)
    ]
