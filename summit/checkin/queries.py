"""Read-only queries for check-in."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from summit.checkin.enums import CheckpointKind, ScanResult
from summit.checkin.models import Checkpoint, Scan
from summit.core.db import like_pattern
from summit.extensions import db
from summit.proposals.models import Proposal
from summit.registration.enums import BookingState
from summit.registration.models import Attendee, Booking, TicketType
from summit.scheduling.models import ReleasedSession, Room, ScheduleVersion
from summit.summits.models import Summit
from summit.summits.queries import regions_by_county


def get_checkpoint(summit: Summit, code: str) -> Checkpoint | None:
    return db.session.scalar(
        select(Checkpoint).where(Checkpoint.summit_id == summit.id, Checkpoint.code == code)
    )


def list_checkpoints(summit: Summit) -> list[Checkpoint]:
    return list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.summit_id == summit.id, Checkpoint.is_active.is_(True))
            .order_by(Checkpoint.kind, Checkpoint.day, Checkpoint.name)
        )
    )


# --- staff pages: the door look-up, the live dashboard, offline conflicts ---------------
#
# Every function below is a fixed number of statements whatever the number of people,
# scans or sessions: grouped queries and IN lists, never one query per row.

# Spanish accented letters are folded in SQL so "Perez" finds "Pérez" on SQLite and
# PostgreSQL alike (SQLite's lower() leaves non-ASCII letters alone, hence the capitals).
# Each letter is one nested replace(); SQLite's parser allows only so many.
_ACCENTED = "áéíóúüñÁÉÍÓÚÜÑ"
_PLAIN = "aeiouunaeiouun"
MIN_LOOKUP_LENGTH = 2
MAX_LOOKUP_LENGTH = 100
LOOKUP_LIMIT = 25  # households shown at once; a longer list means a vaguer search


def fold(text: str) -> str:
    """Lower case without accents, the Python side of ``_folded``."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _folded(column):
    expression = func.lower(column)
    for accented, plain in zip(_ACCENTED, _PLAIN, strict=True):
        expression = func.replace(expression, accented, plain)
    return expression


def _live():
    return (Scan.result == ScanResult.CHECKED_IN.value, Scan.annulled_at.is_(None))


def get_attendee(summit: Summit, code: str) -> Attendee | None:
    return db.session.scalar(
        select(Attendee)
        .where(Attendee.summit_id == summit.id, Attendee.code == (code or "")[:12])
        .options(joinedload(Attendee.booking), joinedload(Attendee.ticket_type))
    )


def search_households(summit: Summit, q: str) -> tuple[list[Booking], bool]:
    """Households with someone matching ``q`` (name, email or ticket code), each with all
    its members; and whether more matched than are shown. ``%`` and ``_`` are literal."""
    term = fold(q.strip())[:MAX_LOOKUP_LENGTH]
    if len(term) < MIN_LOOKUP_LENGTH:
        return [], False
    like = like_pattern(term)
    matches = (
        select(Attendee.booking_id)
        .join(Booking, Attendee.booking_id == Booking.id)
        .where(
            Attendee.summit_id == summit.id,
            or_(
                _folded(Attendee.name).like(like, escape="\\"),
                func.lower(Attendee.email).like(like, escape="\\"),
                func.lower(Attendee.code).like(like, escape="\\"),
                func.lower(Booking.code).like(like, escape="\\"),
                _folded(Booking.contact_name).like(like, escape="\\"),
                func.lower(Booking.contact_email).like(like, escape="\\"),
            ),
        )
    )
    bookings = list(
        db.session.scalars(
            select(Booking)
            .where(Booking.summit_id == summit.id, Booking.id.in_(matches))
            .options(selectinload(Booking.attendees).joinedload(Attendee.ticket_type))
            .order_by(func.lower(Booking.contact_name), Booking.id)
            .limit(LOOKUP_LIMIT + 1)
        )
    )
    return bookings[:LOOKUP_LIMIT], len(bookings) > LOOKUP_LIMIT


def live_check_ins(checkpoint: Checkpoint | None, attendee_ids) -> dict[int, Scan]:
    """The standing check-in at ``checkpoint`` of each of these people who has one."""
    ids = list(attendee_ids)
    if checkpoint is None or not ids:
        return {}
    scans = db.session.scalars(
        select(Scan)
        .where(Scan.checkpoint_id == checkpoint.id, Scan.attendee_id.in_(ids), *_live())
        .options(joinedload(Scan.staff))
    )
    return {s.attendee_id: s for s in scans}


def shown_time(scan: Scan) -> datetime:
    """When a scan happened: the device's clock, unless that clock was found wrong."""
    return scan.received_at if scan.is_clock_skewed else scan.scanned_at


def day_bounds(summit: Summit, day: date) -> tuple[datetime, datetime]:
    """A summit day from local midnight to local midnight, as UTC datetimes."""
    zone = ZoneInfo(summit.timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def get_entrance(summit: Summit, day: date) -> Checkpoint | None:
    return db.session.scalar(
        select(Checkpoint).where(
            Checkpoint.summit_id == summit.id,
            Checkpoint.kind == CheckpointKind.ENTRANCE.value,
            Checkpoint.day == day,
        )
    )


@dataclass(frozen=True)
class Arrivals:
    buckets: list[tuple[datetime, int]]  # (start in UTC, standing check-ins), no gaps
    minutes: int
    total: int
    outside: int  # check-ins whose time falls outside the day (a device clock far off)


def count_arrivals(
    summit: Summit, checkpoint: Checkpoint | None, day: date, *, minutes: int = 15
) -> Arrivals:
    """Standing check-ins at ``checkpoint`` per ``minutes`` of the local day."""
    if checkpoint is None:
        return Arrivals([], minutes, 0, 0)
    rows = db.session.execute(
        select(Scan.scanned_at, Scan.received_at, Scan.is_clock_skewed).where(
            Scan.checkpoint_id == checkpoint.id, *_live()
        )
    ).all()
    start, end = day_bounds(summit, day)
    step = timedelta(minutes=minutes)
    counts: Counter = Counter()
    outside = 0
    for scanned_at, received_at, skewed in rows:
        at = received_at if skewed else scanned_at
        if not start <= at < end:
            outside += 1
            continue
        counts[(at - start) // step] += 1
    buckets = []
    if counts:
        buckets = [(start + i * step, counts[i]) for i in range(min(counts), max(counts) + 1)]
    return Arrivals(buckets, minutes, len(rows), outside)


@dataclass
class Tally:
    registered: int = 0  # confirmed people whose ticket admits the day
    checked_in: int = 0  # of everyone confirmed, standing check-ins at the day's entrance

    @property
    def percent(self) -> int | None:
        return round(100 * self.checked_in / self.registered) if self.registered else None


@dataclass
class Turnout:
    total: Tally
    by_ticket_type: dict[int, Tally]  # ticket type id -> tally
    by_role: dict[str | None, Tally]  # role type (None: not given)
    by_region: dict[str | None, Tally]  # R-TAC region (None: no county or no region)


def count_turnout(summit: Summit, checkpoint: Checkpoint | None, day: date) -> Turnout:
    """Checked in against registered (confirmed), by ticket type, role type and region."""
    checked = (
        select(Scan.attendee_id)
        .where(Scan.checkpoint_id == (checkpoint.id if checkpoint else None), *_live())
        .subquery()
    )
    rows = db.session.execute(
        select(
            Attendee.ticket_type_id,
            Attendee.role_type,
            Attendee.county,
            func.count(Attendee.id),
            func.count(checked.c.attendee_id),
        )
        .join(Booking, Attendee.booking_id == Booking.id)
        .outerjoin(checked, checked.c.attendee_id == Attendee.id)
        .where(
            Attendee.summit_id == summit.id,
            Attendee.cancelled_at.is_(None),
            Booking.state == BookingState.CONFIRMED.value,
        )
        .group_by(Attendee.ticket_type_id, Attendee.role_type, Attendee.county)
    ).all()
    ticket_days = dict(
        db.session.execute(
            select(TicketType.id, TicketType.days).where(TicketType.summit_id == summit.id)
        ).all()
    )
    regions = regions_by_county(summit)
    turnout = Turnout(Tally(), defaultdict(Tally), defaultdict(Tally), defaultdict(Tally))
    for type_id, role, county, people, present in rows:
        days = ticket_days.get(type_id)
        admitted = people if not days or day.isoformat() in days else 0
        for tally in (
            turnout.total,
            turnout.by_ticket_type[type_id],
            turnout.by_role[role or None],
            turnout.by_region[regions.get(county or "")],
        ):
            tally.registered += admitted
            tally.checked_in += present
    return turnout


@dataclass(frozen=True)
class SessionAttendance:
    code: str  # the proposal's code
    title: str
    starts_at: datetime
    ends_at: datetime
    room: str
    is_cancelled: bool
    checkpoint_code: str | None  # None: nobody has set up a scanner for it yet
    checked_in: int
    capacity: int | None  # the checkpoint's seats, else the room's

    @property
    def percent(self) -> int | None:
        return round(100 * self.checked_in / self.capacity) if self.capacity else None

    @property
    def is_over(self) -> bool:
        return self.capacity is not None and self.checked_in > self.capacity


def list_session_attendance(summit: Summit, day: date) -> list[SessionAttendance]:
    """Sessions of the newest released schedule on ``day``, with standing check-ins."""
    version = (
        select(ScheduleVersion.id)
        .where(ScheduleVersion.summit_id == summit.id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    live = (
        select(Scan.checkpoint_id, func.count(Scan.id).label("n"))
        .where(Scan.summit_id == summit.id, *_live())
        .group_by(Scan.checkpoint_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Proposal.code,
            Proposal.title,
            ReleasedSession.starts_at,
            ReleasedSession.ends_at,
            func.coalesce(Room.name, ReleasedSession.room_name).label("room"),
            ReleasedSession.is_cancelled,
            Checkpoint.code.label("checkpoint_code"),
            func.coalesce(live.c.n, 0).label("checked_in"),
            func.coalesce(Checkpoint.capacity, Room.capacity).label("capacity"),
        )
        .join(Proposal, Proposal.id == ReleasedSession.proposal_id)
        .outerjoin(Room, Room.id == ReleasedSession.room_id)
        .outerjoin(
            Checkpoint,
            (Checkpoint.proposal_id == ReleasedSession.proposal_id)
            & (Checkpoint.summit_id == summit.id)
            & (Checkpoint.kind == CheckpointKind.SESSION.value),
        )
        .outerjoin(live, live.c.checkpoint_id == Checkpoint.id)
        .where(ReleasedSession.version_id == version, ReleasedSession.day == day)
        .order_by(ReleasedSession.starts_at, Room.position, "room", Proposal.title)
    ).all()
    return [SessionAttendance(**row._asdict()) for row in rows]


@dataclass(frozen=True)
class DeviceSync:
    device: str
    scans: int
    offline: int  # scans made without a network and uploaded later
    skewed: int  # scans whose device clock was ahead of the server
    last_sync: datetime  # when the server last received a scan from it


def list_devices(summit: Summit) -> list[DeviceSync]:
    """Every device that sent scans to this summit, the most recently heard from first."""
    last = func.max(Scan.received_at)
    rows = db.session.execute(
        select(
            Scan.device,
            func.count(Scan.id),
            func.coalesce(func.sum(case((Scan.was_offline.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Scan.is_clock_skewed.is_(True), 1), else_=0)), 0),
            last,
        )
        .where(Scan.summit_id == summit.id)
        .group_by(Scan.device)
        .order_by(last.desc(), Scan.device)
    ).all()
    return [
        DeviceSync(device, int(n), int(offline), int(skewed), _aware(at))
        for device, n, offline, skewed, at in rows
    ]


def _aware(value) -> datetime:
    """``max()`` of a timestamp comes back as text on SQLite: read it as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Conflict:
    """One ticket admitted twice: by ``first`` and, offline, by ``second``."""

    second: Scan
    first: Scan | None  # None if that check-in can no longer be found


def _conflicts_query(summit: Summit):
    return select(Scan).where(
        Scan.summit_id == summit.id,
        Scan.was_offline.is_(True),
        Scan.result == ScanResult.ALREADY_CHECKED_IN.value,
        Scan.attendee_id.is_not(None),
    )


def count_conflicts(summit: Summit) -> int:
    query = _conflicts_query(summit).subquery()
    return db.session.scalar(select(func.count()).select_from(query)) or 0


def list_conflicts(summit: Summit) -> list[Conflict]:
    """Offline scans the server answered "already checked in": two devices admitted the
    same ticket while apart. Each comes with the check-in that stood when it arrived."""
    seconds = list(
        db.session.scalars(
            _conflicts_query(summit)
            .options(
                joinedload(Scan.attendee).joinedload(Attendee.booking),
                joinedload(Scan.checkpoint),
                joinedload(Scan.staff),
            )
            .order_by(Scan.received_at.desc(), Scan.id.desc())
        )
    )
    if not seconds:
        return []
    earlier = db.session.scalars(
        select(Scan)
        .where(
            Scan.summit_id == summit.id,
            Scan.result == ScanResult.CHECKED_IN.value,
            Scan.attendee_id.in_({s.attendee_id for s in seconds}),
            Scan.checkpoint_id.in_({s.checkpoint_id for s in seconds}),
        )
        .options(joinedload(Scan.checkpoint), joinedload(Scan.staff))
        .order_by(Scan.received_at, Scan.id)
    )
    by_pair = defaultdict(list)
    for scan in earlier:
        by_pair[(scan.attendee_id, scan.checkpoint_id)].append(scan)
    conflicts = []
    for second in seconds:
        candidates = [
            s
            for s in by_pair[(second.attendee_id, second.checkpoint_id)]
            if s.received_at <= second.received_at
        ]
        standing = [
            s for s in candidates if s.annulled_at is None or s.annulled_at > second.received_at
        ]
        first = (standing or candidates or [None])[-1]
        conflicts.append(Conflict(second=second, first=first))
    return conflicts


# --- the door: who may scan where, in one query -------------------------------------
