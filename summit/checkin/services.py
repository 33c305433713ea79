"""Check-in use cases: checkpoints, recording a scan (online or synced from an offline
device), undo, and what a scanner needs to work without a network.

A scan is verified with the same pure function the offline scanner mirrors
(``registration.tickets.verify_ticket``). Every scan is kept. Admission is decided by
the database: the check-in row is inserted with ``ON CONFLICT DO NOTHING`` against a
partial unique index (one live check-in per ticket and checkpoint), so two doors
scanning one ticket at the same instant get one ``checked_in`` and one
``already_checked_in``. Services flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from summit.accounts.enums import AgeBand
from summit.accounts.models import ApiToken, User
from summit.checkin.enums import CheckpointKind, ScanResult
from summit.checkin.models import Checkpoint, Scan
from summit.core import audit
from summit.core.clock import now
from summit.core.errors import DomainError
from summit.core.tokens import random_code
from summit.extensions import db
from summit.registration import tickets
from summit.registration.enums import BookingState
from summit.registration.models import Attendee, Booking, SummitKey, TicketType
from summit.summits.enums import CHECK_IN_ROLES
from summit.summits.models import Summit, SummitRole

R = ScanResult
MAX_TOKEN_LENGTH = 400  # longer QR contents are garbage, not tickets
MAX_SCAN_ID_LENGTH = 64
CLOCK_SKEW = timedelta(minutes=5)  # a device clock further ahead than this is flagged
INVALID_REASONS = {"wrong_summit": R.WRONG_SUMMIT, "revoked": R.REVOKED}


# --- checkpoints ----------------------------------------------------------------------


def ensure_entrances(summit: Summit) -> list[Checkpoint]:
    """One entrance checkpoint per summit day (created the first time)."""
    existing = {
        c.day: c
        for c in db.session.scalars(
            select(Checkpoint).where(
                Checkpoint.summit_id == summit.id, Checkpoint.kind == CheckpointKind.ENTRANCE
            )
        )
    }
    made = []
    for offset in range(summit.days):
        day = summit.starts_on + timedelta(days=offset)
        if day not in existing:
            checkpoint = Checkpoint(
                summit_id=summit.id,
                code=random_code(6),
                kind=CheckpointKind.ENTRANCE.value,
                name=f"Entrance {day.isoformat()}",
                day=day,
            )
            db.session.add(checkpoint)
            existing[day] = checkpoint
            made.append(checkpoint)
    if made:
        db.session.flush()
    return [existing[d] for d in sorted(existing)]


def ensure_session_checkpoint(summit: Summit, proposal, *, capacity: int | None) -> Checkpoint:
    """The checkpoint of one session's room (attendance per session)."""
    checkpoint = db.session.scalar(
        select(Checkpoint).where(
            Checkpoint.summit_id == summit.id, Checkpoint.proposal_id == proposal.id
        )
    )
    if checkpoint is None:
        checkpoint = Checkpoint(
            summit_id=summit.id,
            code=random_code(6),
            kind=CheckpointKind.SESSION.value,
            name=proposal.title[:120],
            proposal_id=proposal.id,
        )
        db.session.add(checkpoint)
    checkpoint.capacity = capacity
    db.session.flush()
    return checkpoint


def entrance_for(summit: Summit, day: date) -> Checkpoint | None:
    return next((c for c in ensure_entrances(summit) if c.day == day), None)


# --- scanning -------------------------------------------------------------------------
#
# The full path of a scan is two statements. The first reads everything the door needs
# at once: the summit and checkpoint, whether the scanner may scan there (role, admin,
# active account, live bearer token), the summit's public key, the registration the
# ticket names and its standing check-in. The second is the insert, which decides
# admission itself. On PostgreSQL, once a process has taken that path for a scanner at a
# door, its next scans there are both in one statement (``scan_in_one_statement``). All
# are Core statements built once per process from bound parameters: no ORM objects are
# made and no SQL is compiled per scan. A replayed scan id costs one more read.


@dataclass(frozen=True)
class Person:
    """What a door is shown of a registration."""

    id: int
    code: str
    name: str
    ticket_type: str  # the ticket type's code
    household: str  # the booking's code
    flags: list[str]


@dataclass(frozen=True)
class ScanRecord:
    """A stored scan, as a door's answer shows it."""

    id: int
    scan_id: str
    result: str
    scanned_at: datetime
    received_at: datetime
    is_clock_skewed: bool
    device: str
    checkpoint: str  # the checkpoint's name
    staff: str | None  # who scanned, by name

    @classmethod
    def of(cls, scan: Scan) -> ScanRecord:
        return cls(
            scan.id, scan.scan_id, scan.result, scan.scanned_at, scan.received_at,
            scan.is_clock_skewed, scan.device, scan.checkpoint.name,
            scan.staff.name if scan.staff else None,
        )  # fmt: skip


@dataclass(frozen=True)
class ScanOutcome:
    result: ScanResult
    scan: ScanRecord
    attendee: Person | None
    first: ScanRecord | None = None  # the live check-in, when already checked in
    replayed: bool = False  # the same scan id was sent before: the original answer
    over_capacity: bool = False  # a session room already held its capacity


@dataclass(frozen=True)
class Ticket:
    """A scanned token, cleaned and parsed; ``claim`` is None for anything not shaped
    like a ticket (nothing about it is trusted before the signature is checked)."""

    token: str
    claim: tickets.TicketClaim | None


@dataclass(frozen=True)
class DoorReading:
    """The first statement of a scan, as plain values."""

    summit_id: int
    slug: str
    checkpoint_id: int | None  # None: the summit has no checkpoint with that code
    checkpoint_active: bool
    checkpoint_name: str
    capacity: int | None
    live_count: int | None  # standing check-ins there, read only when capacity is set
    holds_role: bool  # the scanner holds one of CHECK_IN_ROLES in this summit
    scanner_is_admin: bool
    scanner_valid: bool  # an active account, and its bearer token (if one) not revoked
    public_key: bytes | None
    verdict: str | None  # ``_verdict`` of the registration the ticket names
    attendee: Person | None  # that registration, not to be used before the signature
    first: ScanRecord | None  # its standing check-in at this checkpoint


def _clean(value, limit: int) -> str:
    text = str(value or "")
    if text.isprintable():  # a real ticket, without looking at each character
        return text[:limit]
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def read_ticket(token) -> Ticket:
    """Clean and parse a scanned token without touching the database."""
    token = _clean(token, MAX_TOKEN_LENGTH + 1).strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return Ticket(token, None)
    try:
        claim, _signed, _signature = tickets.parse_ticket(token)
    except tickets.InvalidTicket:
        return Ticket(token, None)
    return Ticket(token, claim)


def _validate(scan_id: str, checkpoint_active: bool) -> str:
    scan_id = (scan_id or "").strip()
    errors = {}
    if not scan_id or len(scan_id) > MAX_SCAN_ID_LENGTH or not scan_id.isprintable():
        errors["scan_id"] = [_("A scan id of 1 to 64 printable characters is required.")]
    if not checkpoint_active:
        errors["checkpoint"] = [_("Unknown checkpoint.")]
    if errors:
        raise DomainError("invalid", _("The scan could not be read."), fields=errors)
    return scan_id


def _sql_text(value: str):
    """A constant written into the SQL rather than bound: PostgreSQL can then match the
    partial unique index (``result = 'checked_in'``) in a prepared statement's generic
    plan, which it keeps, instead of planning each scan's statement afresh."""
    return literal_column(f"'{value}'")


def _live(scans, attendee_id, checkpoint_id):
    return and_(
        scans.c.attendee_id == attendee_id,
        scans.c.checkpoint_id == checkpoint_id,
        scans.c.result == _sql_text(R.CHECKED_IN.value),
        scans.c.annulled_at.is_(None),
    )


def _person_columns(a, b, t) -> list:
    return [
        a.c.id.label("attendee_id"), a.c.code.label("attendee_code"),
        a.c.name.label("attendee_name"), a.c.ticket_version, a.c.cancelled_at,
        a.c.accommodations, a.c.age_band, a.c.media_consent,
        b.c.state.label("booking_state"), b.c.code.label("household"),
        t.c.code.label("ticket_type"),
    ]  # fmt: skip


_SCAN_NAMES = ("id", "scan_id", "result", "scanned_at", "received_at", "is_clock_skewed", "device")


def _scan_columns(scans, prefix: str) -> list:
    return [scans.c[name].label(f"{prefix}{name}") for name in _SCAN_NAMES]


def _verdict(a, b, version):
    """What a genuine ticket of this summit is, by its registration: the one place
    these rules are written. ``version`` is the ticket's; the caller uses the answer
    only once the signature has been checked."""
    state = b.c.state
    return case(
        (a.c.id.is_(None), _sql_text(R.INVALID.value)),
        (
            or_(a.c.cancelled_at.is_not(None), state == _sql_text(BookingState.CANCELLED)),
            _sql_text(R.CANCELLED.value),
        ),
        (a.c.ticket_version != version, _sql_text(R.REVOKED.value)),
        (state != _sql_text(BookingState.CONFIRMED), _sql_text(R.NOT_CONFIRMED.value)),
        else_=_sql_text(R.CHECKED_IN.value),
    )


def _with_first_check_in(query, dialect: str, attendee_id, checkpoint_id, *when):
    """``query`` with the ticket's live check-in at this checkpoint and who made it,
    as the ``first_*`` columns and ``first_by`` (only ``when`` those conditions hold).

    On PostgreSQL a lateral look-up, whose only sensible plan is a probe of the partial
    unique index by ticket and checkpoint. As plain joins the planner may scan every
    live check-in of that index and filter them when the table has no statistics yet
    (a new database, or the first busy minutes before autovacuum analyses it), and a
    prepared statement keeps that plan: each scan then costs more than the one before.
    """
    users = User.__table__
    if dialect != "postgresql":
        first, first_by = Scan.__table__.alias("first_scan"), users.alias("first_by")
        return (
            query.add_columns(*_scan_columns(first, "first_"), first_by.c.name.label("first_by"))
            .outerjoin(first, and_(*when, _live(first, attendee_id, checkpoint_id)))
            .outerjoin(first_by, first_by.c.id == first.c.staff_id)
        )
    scans, first_by = Scan.__table__.alias("live_check_in"), users.alias("first_by")
    first = (
        select(*(scans.c[name] for name in _SCAN_NAMES), first_by.c.name.label("by"))
        .select_from(scans)
        .outerjoin(first_by, first_by.c.id == scans.c.staff_id)
        .where(*when, _live(scans, attendee_id, checkpoint_id))
        .limit(literal_column("1"))  # at most one anyway; it keeps the sub-select apart
        .lateral("first_scan")
    )
    columns = (*_scan_columns(first, "first_"), first.c.by.label("first_by"))
    return query.add_columns(*columns).outerjoin(first, true())


def _build_read(dialect: str):
    """Statement one: see ``DoorReading``. Everything is found through unique indexes."""
    summits, checkpoints = Summit.__table__, Checkpoint.__table__
    keys, roles, api_tokens = SummitKey.__table__, SummitRole.__table__, ApiToken.__table__
    a, b, t = Attendee.__table__, Booking.__table__, TicketType.__table__
    live = Scan.__table__.alias("live")
    scanner = User.__table__.alias("scanner")
    scanner_id = bindparam("scanner_id", type_=Integer)
    holds_role = exists().where(
        roles.c.summit_id == summits.c.id,
        roles.c.user_id == scanner_id,
        or_(*(roles.c.role == _sql_text(r.value) for r in sorted(CHECK_IN_ROLES))),
    )
    token_live = or_(
        not_(bindparam("check_token", type_=Boolean)),
        exists().where(
            api_tokens.c.token_hash == bindparam("token_hash", type_=String),
            api_tokens.c.user_id == scanner_id,
            api_tokens.c.revoked_at.is_(None),
        ),
    )
    live_count = case(
        (
            checkpoints.c.capacity.is_not(None),
            select(func.count())
            .select_from(live)
            .where(
                live.c.checkpoint_id == checkpoints.c.id,
                live.c.result == _sql_text(R.CHECKED_IN.value),
                live.c.annulled_at.is_(None),
            )
            .scalar_subquery(),
        ),
        else_=None,
    )
    query = (
        select(
            summits.c.id.label("summit_id"),
            summits.c.slug,
            checkpoints.c.id.label("checkpoint_id"),
            checkpoints.c.is_active,
            checkpoints.c.name.label("checkpoint_name"),
            checkpoints.c.capacity,
            live_count.label("live_count"),
            holds_role.label("holds_role"),
            scanner.c.is_admin,
            scanner.c.is_active_account,
            token_live.label("token_live"),
            keys.c.public_key,
            _verdict(a, b, bindparam("version", type_=Integer)).label("verdict"),
            *_person_columns(a, b, t),
        )
        .select_from(summits)
        .outerjoin(
            checkpoints,
            and_(
                checkpoints.c.summit_id == summits.c.id,
                checkpoints.c.code == bindparam("checkpoint_code", type_=String),
            ),
        )
        .outerjoin(keys, keys.c.summit_id == summits.c.id)
        .outerjoin(
            a, and_(a.c.summit_id == summits.c.id, a.c.code == bindparam("ticket_code", String))
        )
        .outerjoin(b, b.c.id == a.c.booking_id)
        .outerjoin(t, t.c.id == a.c.ticket_type_id)
        .outerjoin(scanner, scanner.c.id == scanner_id)
        .where(summits.c.slug == bindparam("slug", type_=String))
    )
    return _with_first_check_in(query, dialect, a.c.id, checkpoints.c.id)


_INSERTED = ("summit_id", "scan_id", "ticket_version", "scanned_at", "received_at",
             "is_clock_skewed", "was_offline", "device", "staff_id")  # fmt: skip


def _build_insert(dialect: str):
    """Statement two: the scan, unless its scan id or a second live check-in conflicts.
    ``admit`` asks the insert to decide ``already_checked_in`` itself; two doors inserting
    at once both see no live check-in, and the partial unique index lets one of them in."""
    scans = Scan.__table__
    live = scans.alias("live")
    attendee_id = bindparam("attendee_id", Integer)
    checkpoint_id = bindparam("checkpoint_id", Integer)
    already = exists().where(_live(live, attendee_id, checkpoint_id))
    result = case(
        (and_(bindparam("admit", type_=Boolean), already), _sql_text(R.ALREADY_CHECKED_IN)),
        else_=bindparam("result", type_=String),
    )
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(scans)
        .values(
            checkpoint_id=checkpoint_id,
            attendee_id=attendee_id,
            result=result,
            **{name: bindparam(name, type_=scans.c[name].type) for name in _INSERTED},
        )
        .on_conflict_do_nothing()
        .returning(*_scan_columns(scans, ""))
    )


def _build_scan(_dialect: str):
    """PostgreSQL: statement one and the insert as one statement.

    Runs only when this process remembers the summit's public key and that this scanner
    was allowed at this door (``_memory``), so the ticket's signature is checked before
    the statement. The insert happens only if the database agrees at that instant: the
    key is still the summit's, the checkpoint is active, the token is live, the account
    active and the staff or door role (or site admin) still held. Otherwise nothing is
    written, and the caller judges the door row it gets back the usual way.
    """
    scans = Scan.__table__
    door = _build_read("postgresql").cte("door")
    verified = bindparam("verified", type_=Boolean)
    result = case(
        (not_(verified), bindparam("refusal", type_=String)),
        (
            and_(door.c.verdict == _sql_text(R.CHECKED_IN), door.c.first_id.is_not(None)),
            _sql_text(R.ALREADY_CHECKED_IN),
        ),
        else_=door.c.verdict,
    )
    guard = and_(
        door.c.checkpoint_id.is_not(None),
        door.c.is_active,
        door.c.is_active_account,
        door.c.token_live,
        or_(door.c.holds_role, door.c.is_admin),
        or_(
            not_(bindparam("key_used", type_=Boolean)),
            door.c.public_key == bindparam("public_key", type_=SummitKey.public_key.type),
        ),
    )
    values = select(
        door.c.checkpoint_id,
        case((verified, door.c.attendee_id), else_=None),
        result,
        *(
            door.c.summit_id if name == "summit_id" else bindparam(name, type_=scans.c[name].type)
            for name in _INSERTED
        ),
    ).where(guard)
    inserted = (
        pg_insert(scans)
        .from_select(["checkpoint_id", "attendee_id", "result", *_INSERTED], values)
        .on_conflict_do_nothing()
        .returning(*_scan_columns(scans, "new_"))
        .cte("inserted")
    )
    return select(door, guard.label("guarded"), *inserted.c).select_from(
        door.outerjoin(inserted, true())
    )


def _build_replay(dialect: str):
    """An earlier scan with this scan id: what it answered, and the live check-in that
    made it ``already_checked_in``."""
    scans, checkpoints, users = Scan.__table__, Checkpoint.__table__, User.__table__
    a, b, t = Attendee.__table__, Booking.__table__, TicketType.__table__
    earlier, staff = scans.alias("earlier"), users.alias("staff")
    query = (
        select(
            *_scan_columns(earlier, ""),
            checkpoints.c.name.label("checkpoint_name"),
            staff.c.name.label("staff_name"),
            *_person_columns(a, b, t),
        )
        .select_from(earlier)
        .join(checkpoints, checkpoints.c.id == earlier.c.checkpoint_id)
        .outerjoin(staff, staff.c.id == earlier.c.staff_id)
        .outerjoin(a, a.c.id == earlier.c.attendee_id)
        .outerjoin(b, b.c.id == a.c.booking_id)
        .outerjoin(t, t.c.id == a.c.ticket_type_id)
        .where(
            earlier.c.summit_id == bindparam("summit_id", Integer),
            earlier.c.scan_id == bindparam("scan_id", String),
        )
    )
    return _with_first_check_in(
        query,
        dialect,
        earlier.c.attendee_id,
        earlier.c.checkpoint_id,
        earlier.c.result == _sql_text(R.ALREADY_CHECKED_IN.value),
    )


_BUILDERS = {
    "read": _build_read,
    "insert": _build_insert,
    "scan": _build_scan,
    "replay": _build_replay,
}
_built: dict[tuple[str, str], object] = {}


def _run(name: str, params: dict):
    """Execute one of the prebuilt statements in the session's transaction."""
    connection = db.session.connection()
    key = (name, connection.dialect.name)
    statement = _built.get(key)
    if statement is None:
        statement = _built[key] = _BUILDERS[name](key[1])
    return connection.execute(statement, params).first()


def flags_for(accommodations, age_band: str | None, media_consent: bool) -> list[str]:
    """What door staff must act on (codes of ``FLAG_LABELS``)."""
    needs = set(accommodations or ())
    flags = [code for code in ("asl", "captions", "wheelchair") if code in needs]
    if age_band and AgeBand(age_band).is_minor:
        flags.append("minor")
    if not media_consent:
        flags.append("no_photo")
    return flags


def flags_of(attendee: Attendee) -> list[str]:
    return flags_for(attendee.accommodations, attendee.age_band, attendee.media_consent)


def _person(row) -> Person | None:
    if row.attendee_id is None:
        return None
    return Person(
        row.attendee_id, row.attendee_code, row.attendee_name, row.ticket_type, row.household,
        flags_for(row.accommodations, row.age_band, row.media_consent),
    )  # fmt: skip


def _first(row, checkpoint: str) -> ScanRecord | None:
    if row.first_id is None:
        return None
    return ScanRecord(
        row.first_id, row.first_scan_id, row.first_result, row.first_scanned_at,
        row.first_received_at, row.first_is_clock_skewed, row.first_device, checkpoint,
        row.first_by,
    )  # fmt: skip


def _door_of(row) -> DoorReading:
    return DoorReading(
        summit_id=row.summit_id,
        slug=row.slug,
        checkpoint_id=row.checkpoint_id,
        checkpoint_active=bool(row.is_active),
        checkpoint_name=row.checkpoint_name or "",
        capacity=row.capacity,
        live_count=row.live_count,
        holds_role=bool(row.holds_role),
        scanner_is_admin=bool(row.is_admin),
        scanner_valid=bool(row.is_active_account) and bool(row.token_live),
        public_key=row.public_key,
        verdict=row.verdict,
        attendee=_person(row),
        first=_first(row, row.checkpoint_name),
    )


def _door_params(slug, checkpoint_code, ticket, scanner_id, token_hash) -> dict:
    claim = ticket.claim
    ours = claim is not None and claim.summit == slug
    return {
        "slug": slug,
        "checkpoint_code": checkpoint_code,
        "ticket_code": claim.code if ours else None,
        "version": claim.version if ours else None,
        "scanner_id": scanner_id,
        "check_token": token_hash is not None,
        "token_hash": token_hash or "",
    }


def read_door(
    slug: str, checkpoint_code: str, ticket: Ticket, *, scanner_id: int | None,
    token_hash: str | None = None,
) -> DoorReading | None:  # fmt: skip
    """Statement one of a scan (see ``DoorReading``); None when there is no summit at
    ``slug``. ``token_hash``, when the scanner came with a bearer token, is checked too."""
    if db.session.new or db.session.dirty or db.session.deleted:
        db.session.flush()  # Core statements do not autoflush
    row = _run("read", _door_params(slug, checkpoint_code, ticket, scanner_id, token_hash))
    return None if row is None else _door_of(row)


def _precheck(slug: str, ticket: Ticket, public_key: bytes | None):
    """What the ticket is before its registration is looked at: (refusal or None for a
    genuine ticket of this summit, its version)."""
    claim = ticket.claim
    if claim is None:
        return R.INVALID, None
    if claim.summit != slug:
        return R.WRONG_SUMMIT, None
    if public_key is None:
        return R.INVALID, None
    try:
        claim = tickets.verify_ticket(ticket.token, {slug: public_key}, summit=slug)
    except tickets.InvalidTicket as error:
        return INVALID_REASONS.get(error.reason, R.INVALID), None
    return None, claim.version


def _replay(summit_id: int, scan_id: str) -> ScanOutcome | None:
    row = _run("replay", {"summit_id": summit_id, "scan_id": scan_id})
    if row is None:
        return None
    scan = ScanRecord(
        row.id, row.scan_id, row.result, row.scanned_at, row.received_at, row.is_clock_skewed,
        row.device, row.checkpoint_name, row.staff_name,
    )  # fmt: skip
    first = _first(row, row.checkpoint_name)
    return ScanOutcome(R(row.result), scan, _person(row), first, replayed=True)


def _scan_values(
    *, scan_id: str, actor, scanned_at: datetime | None, device: str, was_offline: bool,
    at: datetime | None,
) -> dict:  # fmt: skip
    at = at or now()
    scanned_at = scanned_at or at
    return {
        "scan_id": scan_id,
        "scanned_at": scanned_at,
        "received_at": at,
        "is_clock_skewed": scanned_at > at + CLOCK_SKEW,
        "was_offline": bool(was_offline),
        "device": _clean(device, 80),
        "staff_id": actor.id if actor is not None else None,
    }


def _outcome(door: DoorReading, row, attendee: Person | None, actor, prefix="") -> ScanOutcome:
    """The answer to a scan just inserted (``row``: its returned columns)."""
    scan = ScanRecord(
        *(row._mapping[f"{prefix}{name}"] for name in _SCAN_NAMES),
        door.checkpoint_name, getattr(actor, "name", None),
    )  # fmt: skip
    result = R(scan.result)
    first, over = None, False
    if result == R.ALREADY_CHECKED_IN:
        first = door.first
        if first is None:  # admitted by another door since the door was read
            first = ScanRecord.of(live_check_in(attendee.id, door.checkpoint_id))
    if result == R.CHECKED_IN and door.capacity is not None:
        over = (door.live_count or 0) + 1 > door.capacity
    return ScanOutcome(result, scan, attendee, first, over_capacity=over)


def _conflicted(door: DoorReading, values: dict, attendee: Person | None, actor) -> ScanOutcome:
    """The insert conflicted: this scan id was sent before, or another door admitted
    the ticket a moment ago."""
    earlier = _replay(door.summit_id, values["scan_id"])
    if earlier is not None:
        return earlier
    values = values | {"admit": False, "result": R.ALREADY_CHECKED_IN.value}
    row = _run("insert", values)
    if row is None:  # the same scan id raced in from a retry just now
        return _replay(door.summit_id, values["scan_id"])
    return _outcome(door, row, attendee, actor)


def record_reading(
    door: DoorReading,
    ticket: Ticket,
    *,
    scan_id: str,
    actor,
    scanned_at: datetime | None = None,
    device: str = "",
    was_offline: bool = False,
    at: datetime | None = None,
) -> ScanOutcome:
    """Judge a scanned ticket at the door read in ``door`` and record the scan (always)."""
    scan_id = _validate(scan_id, door.checkpoint_id is not None and door.checkpoint_active)
    refusal, version = _precheck(door.slug, ticket, door.public_key)
    result = refusal or R(door.verdict)
    attendee = door.attendee if version is not None else None
    values = {
        **_scan_values(
            scan_id=scan_id,
            actor=actor,
            scanned_at=scanned_at,
            device=device,
            was_offline=was_offline,
            at=at,
        ),
        "summit_id": door.summit_id,
        "checkpoint_id": door.checkpoint_id,
        "attendee_id": attendee.id if attendee else None,
        "admit": result == R.CHECKED_IN,
        "result": result.value,
        "ticket_version": version,
    }
    row = _run("insert", values)
    if row is None:
        return _conflicted(door, values, attendee, actor)
    return _outcome(door, row, attendee, actor)


# --- one statement per scan (PostgreSQL) --------------------------------------------------


def _memory() -> dict:
    """Per process and app: the public key of each summit scanned at, and the (summit,
    checkpoint, scanner) triples allowed at their last full reading. Both are only hints:
    ``_build_scan`` checks them again in the statement that writes."""
    return current_app.extensions.setdefault("checkin_scan_memory", {"keys": {}, "doors": set()})


def remember_door(slug: str, checkpoint_code: str, scanner_id: int, door: DoorReading) -> None:
    """Note what a full reading allowed, so the next scan here can be one statement."""
    memory = _memory()
    if len(memory["doors"]) > 10_000:
        memory["doors"].clear()
    memory["keys"][slug] = door.public_key
    memory["doors"].add((slug, checkpoint_code, scanner_id))


def scan_in_one_statement(
    slug: str, checkpoint_code: str, ticket: Ticket, *, scan_id: str, actor,
    token_hash: str | None, scanned_at: datetime | None = None, device: str = "",
    was_offline: bool = False, at: datetime | None = None,
) -> tuple[DoorReading | None, ScanOutcome | None] | None:  # fmt: skip
    """Read the door and record the scan in one statement, when possible.

    None when it is not (not PostgreSQL, nothing remembered for this door and scanner, or
    a scan id the full path must refuse): the caller reads the door and records the scan
    in two. Otherwise (door, outcome): door None when there is no summit at ``slug``;
    outcome None when the statement wrote nothing because the database did not confirm
    what was remembered, and the caller judges ``door`` as it would after a full reading.
    """
    memory = current_app.extensions.get("checkin_scan_memory")
    if memory is None or (slug, checkpoint_code, actor.id) not in memory["doors"]:
        return None
    clean_id = (scan_id or "").strip()
    if not clean_id or len(clean_id) > MAX_SCAN_ID_LENGTH or not clean_id.isprintable():
        return None
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    key = memory["keys"].get(slug)
    refusal, version = _precheck(slug, ticket, key)
    claim = ticket.claim
    params = {
        **_door_params(slug, checkpoint_code, ticket, actor.id, token_hash),
        **_scan_values(
            scan_id=clean_id,
            actor=actor,
            scanned_at=scanned_at,
            device=device,
            was_offline=was_offline,
            at=at,
        ),
        "verified": refusal is None,
        "refusal": refusal.value if refusal else "",
        "key_used": claim is not None and claim.summit == slug,
        "public_key": key or b"",
        "ticket_version": version,
    }
    row = _run("scan", params)
    if row is None:
        return None, None
    door = _door_of(row)
    attendee = door.attendee if version is not None else None
    if row.new_id is not None:
        return door, _outcome(door, row, attendee, actor, prefix="new_")
    if not row.guarded:
        return door, None
    values = {
        **params,
        "summit_id": door.summit_id,
        "checkpoint_id": door.checkpoint_id,
        "attendee_id": attendee.id if attendee else None,
        "result": (refusal or R(door.verdict)).value,
    }
    return door, _conflicted(door, values, attendee, actor)


def record_scan(
    summit: Summit,
    *,
    token: str,
    checkpoint: Checkpoint | None,
    scan_id: str,
    actor,
    scanned_at: datetime | None = None,
    device: str = "",
    was_offline: bool = False,
    at: datetime | None = None,
) -> ScanOutcome:
    """Judge a scanned token at a checkpoint and record the scan (always). The caller
    has already decided that ``actor`` may scan here."""
    _validate(scan_id, checkpoint is not None and checkpoint.is_active)
    ticket = read_ticket(token)
    door = read_door(
        summit.slug, checkpoint.code, ticket, scanner_id=actor.id if actor is not None else None
    )
    return record_reading(
        door, ticket, scan_id=scan_id, actor=actor, scanned_at=scanned_at, device=device,
        was_offline=was_offline, at=at,
    )  # fmt: skip


def live_check_in(attendee_id: int, checkpoint_id: int) -> Scan | None:
    return db.session.scalar(
        select(Scan)
        .where(
            Scan.attendee_id == attendee_id,
            Scan.checkpoint_id == checkpoint_id,
            Scan.result == R.CHECKED_IN.value,
            Scan.annulled_at.is_(None),
        )
        .options(joinedload(Scan.staff), joinedload(Scan.checkpoint))
    )


def get_scan(summit: Summit, scan_id: str) -> Scan | None:
    return db.session.scalar(
        select(Scan)
        .where(Scan.summit_id == summit.id, Scan.scan_id == scan_id)
        .options(
            joinedload(Scan.attendee).joinedload(Attendee.booking),
            joinedload(Scan.attendee).joinedload(Attendee.ticket_type),
            joinedload(Scan.checkpoint),
        )
    )


def count_live(checkpoint: Checkpoint) -> int:
    return db.session.scalar(
        select(func.count(Scan.id)).where(
            Scan.checkpoint_id == checkpoint.id,
            Scan.result == R.CHECKED_IN.value,
            Scan.annulled_at.is_(None),
        )
    )


def check_in_by_code(
    summit: Summit, attendee: Attendee, *, checkpoint: Checkpoint, actor, device: str = ""
) -> ScanOutcome:
    """Manual check-in from the look-up page: the same path as a scan of their QR."""
    from summit.registration.services import ticket_token

    return record_scan(
        summit,
        token=ticket_token(summit, attendee),
        checkpoint=checkpoint,
        scan_id=f"manual-{random_code(12)}",
        actor=actor,
        device=device or "look-up",
    )


def undo(summit: Summit, scan: Scan, *, actor, at: datetime | None = None) -> Scan:
    """Annul a live check-in; the annulment is a scan of its own, and it is audited."""
    at = at or now()
    if scan.summit_id != summit.id or scan.result != R.CHECKED_IN or scan.annulled_at:
        raise DomainError("not_undoable", _("Only a standing check-in can be undone."))
    scan.annulled_at = at
    annulment = Scan(
        summit_id=summit.id,
        checkpoint_id=scan.checkpoint_id,
        attendee_id=scan.attendee_id,
        scan_id=f"undo-{scan.scan_id}"[:MAX_SCAN_ID_LENGTH],
        result=R.ANNULLED.value,
        ticket_version=scan.ticket_version,
        scanned_at=at,
        received_at=at,
        staff_id=actor.id if actor is not None else None,
        annuls_id=scan.id,
        device=scan.device,
    )
    db.session.add(annulment)
    audit.record(
        "checkin.undo",
        actor=actor,
        summit=summit,
        object_type="attendee",
        object_id=scan.attendee.code if scan.attendee else None,
        label=scan.attendee.name if scan.attendee else "",
        before={"scan": scan.scan_id},
    )
    db.session.flush()
    return annulment


# --- what an offline scanner carries ---------------------------------------------------


def roster(summit: Summit) -> list[dict]:
    """Confirmed, current tickets: code, version, display name, ticket type, flags.

    The minimum a door needs to admit someone offline; no emails, no guardians.
    """
    rows = db.session.scalars(
        select(Attendee)
        .join(Booking, Attendee.booking_id == Booking.id)
        .where(
            Attendee.summit_id == summit.id,
            Attendee.cancelled_at.is_(None),
            Booking.state == BookingState.CONFIRMED.value,
        )
        .options(joinedload(Attendee.ticket_type), joinedload(Attendee.booking))
        .order_by(Attendee.code)
    )
    return [
        {
            "code": a.code,
            "version": a.ticket_version,
            "name": a.name,
            "ticket_type": a.ticket_type.code,
            "flags": flags_of(a),
            "household": a.booking.code,
        }
        for a in rows
    ]


def revocations(summit: Summit) -> dict:
    """Codes whose older tickets are void (reissued) and codes that must not enter."""
    rows = db.session.execute(
        select(Attendee.code, Attendee.ticket_version, Attendee.cancelled_at, Booking.state)
        .join(Booking, Attendee.booking_id == Booking.id)
        .where(Attendee.summit_id == summit.id)
        .order_by(Attendee.code)
    ).all()
    return {
        "current_versions": {code: v for code, v, _c, _s in rows if v > 1},
        "cancelled": [code for code, _v, c, s in rows if c is not None or s == "cancelled"],
        "not_confirmed": [
            code for code, _v, c, s in rows if c is None and s not in ("confirmed", "cancelled")
        ],
    }
