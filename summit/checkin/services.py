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

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from summit.checkin.enums import CheckpointKind, ScanResult
from summit.checkin.models import Checkpoint, Scan
from summit.core import audit
from summit.core.clock import now
from summit.core.errors import DomainError
from summit.core.tokens import random_code
from summit.extensions import db
from summit.registration import tickets
from summit.registration.enums import BookingState
from summit.registration.models import Attendee, Booking, SummitKey
from summit.summits.models import Summit

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


@dataclass(frozen=True)
class ScanOutcome:
    result: ScanResult
    scan: Scan
    attendee: Attendee | None
    first: Scan | None = None  # the live check-in, when already checked in
    replayed: bool = False  # the same scan id was sent before: the original answer
    over_capacity: bool = False  # a session room already held its capacity


def _clean(value, limit: int) -> str:
    return "".join(ch for ch in str(value or "") if ch.isprintable())[:limit]


def _validate(scan_id: str, checkpoint: Checkpoint | None) -> str:
    scan_id = (scan_id or "").strip()
    errors = {}
    if not scan_id or len(scan_id) > MAX_SCAN_ID_LENGTH or not scan_id.isprintable():
        errors["scan_id"] = [_("A scan id of 1 to 64 printable characters is required.")]
    if checkpoint is None or not checkpoint.is_active:
        errors["checkpoint"] = [_("Unknown checkpoint.")]
    if errors:
        raise DomainError("invalid", _("The scan could not be read."), fields=errors)
    return scan_id


def _judge(summit: Summit, token: str) -> tuple[ScanResult, Attendee | None, int | None]:
    """What the ticket is, before anyone is admitted: (result, attendee, version).

    Garbage is refused without touching the database. For a well-formed token of
    this summit, one query loads the public key with the registration it names;
    the signature is checked before anything about that registration is used.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return R.INVALID, None, None
    try:
        claimed, _signed, _signature = tickets.parse_ticket(token)
    except tickets.InvalidTicket:
        return R.INVALID, None, None
    if claimed.summit != summit.slug:
        return R.WRONG_SUMMIT, None, None
    row = db.session.execute(
        select(SummitKey.public_key, Attendee)
        .outerjoin(
            Attendee,
            and_(Attendee.summit_id == SummitKey.summit_id, Attendee.code == claimed.code),
        )
        .where(SummitKey.summit_id == summit.id)
        .options(joinedload(Attendee.booking), joinedload(Attendee.ticket_type))
    ).first()
    if row is None:
        return R.INVALID, None, None
    public_key, attendee = row
    try:
        claim = tickets.verify_ticket(token, {summit.slug: public_key}, summit=summit.slug)
    except tickets.InvalidTicket as error:
        return INVALID_REASONS.get(error.reason, R.INVALID), None, None
    if attendee is None:
        return R.INVALID, None, claim.version
    if attendee.cancelled_at is not None or attendee.booking.state == BookingState.CANCELLED:
        return R.CANCELLED, attendee, claim.version
    if claim.version != attendee.ticket_version:
        return R.REVOKED, attendee, claim.version
    if attendee.booking.state != BookingState.CONFIRMED:
        return R.NOT_CONFIRMED, attendee, claim.version
    return R.CHECKED_IN, attendee, claim.version


def _is_live(attendee_id: int, checkpoint_id: int):
    return and_(
        Scan.attendee_id == attendee_id,
        Scan.checkpoint_id == checkpoint_id,
        Scan.result == R.CHECKED_IN.value,
        Scan.annulled_at.is_(None),
    )


def _admission(attendee_id: int, checkpoint_id: int):
    """The result column of an admissible ticket, decided inside the INSERT itself:
    ``already_checked_in`` when a live check-in is there. Two doors inserting at once
    both see none; the partial unique index then lets only one of them in."""
    already = select(Scan.id).where(_is_live(attendee_id, checkpoint_id)).exists()
    return case((already, R.ALREADY_CHECKED_IN.value), else_=R.CHECKED_IN.value)


def _insert(values: dict) -> Scan | None:
    """Insert a scan unless it conflicts (scan id, or a second live check-in)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Scan).values(**values).on_conflict_do_nothing().returning(Scan)
    return db.session.scalars(statement).first()


def live_check_in(attendee_id: int, checkpoint_id: int) -> Scan | None:
    return db.session.scalar(
        select(Scan)
        .where(_is_live(attendee_id, checkpoint_id))
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


def _replay(summit: Summit, scan: Scan) -> ScanOutcome:
    first = None
    if scan.result == R.ALREADY_CHECKED_IN and scan.attendee_id:
        first = live_check_in(scan.attendee_id, scan.checkpoint_id)
    return ScanOutcome(R(scan.result), scan, scan.attendee, first, replayed=True)


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
    """Judge a scanned token at a checkpoint and record the scan (always)."""
    scan_id = _validate(scan_id, checkpoint)
    at = at or now()
    scanned_at = scanned_at or at
    token = _clean(token, MAX_TOKEN_LENGTH + 1).strip()
    result, attendee, version = _judge(summit, token)
    values = {
        "summit_id": summit.id,
        "checkpoint_id": checkpoint.id,
        "attendee_id": attendee.id if attendee else None,
        "scan_id": scan_id,
        "result": result.value,
        "ticket_version": version,
        "scanned_at": scanned_at,
        "received_at": at,
        "is_clock_skewed": scanned_at > at + CLOCK_SKEW,
        "was_offline": bool(was_offline),
        "device": _clean(device, 80),
        "staff_id": actor.id if actor is not None else None,
    }
    if result == R.CHECKED_IN:
        values["result"] = _admission(attendee.id, checkpoint.id)
    scan = _insert(values)
    if scan is None:
        earlier = get_scan(summit, scan_id)
        if earlier is not None:
            return _replay(summit, earlier)
        # Not the scan id: another door admitted this ticket a moment ago.
        scan = _insert(values | {"result": R.ALREADY_CHECKED_IN.value})
        if scan is None:  # the same scan id raced in from a retry just now
            return _replay(summit, get_scan(summit, scan_id))
    result = R(scan.result)
    first, over = None, False
    if result == R.ALREADY_CHECKED_IN:
        first = live_check_in(attendee.id, checkpoint.id)
    if result == R.CHECKED_IN and checkpoint.capacity is not None:
        over = count_live(checkpoint) > checkpoint.capacity
    return ScanOutcome(result, scan, attendee, first, over_capacity=over)


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


def flags_of(attendee: Attendee) -> list[str]:
    """What door staff must act on (codes of ``FLAG_LABELS``)."""
    needs = set(attendee.accommodations or ())
    flags = [code for code in ("asl", "captions", "wheelchair") if code in needs]
    if attendee.is_minor:
        flags.append("minor")
    if not attendee.media_consent:
        flags.append("no_photo")
    return flags


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
