"""Use cases of the personal agenda: stars, the calendar feed, and workshop seats.

Services take their actor or owner explicitly, flush but never commit. Seats move only
through conditional UPDATEs of ``seat_pools.taken`` (``taken < capacity``), so no mix
of concurrent reservations, releases and promotions can put more people in a room
than it has seats; a partial unique index keeps one live reservation per person and
session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from summit.agenda import queries
from summit.agenda.enums import RESERVATION_TRANSITIONS, ReservationState
from summit.agenda.models import Agenda, Reservation, SeatPool, Star
from summit.core.clock import now
from summit.core.errors import DomainError
from summit.core.tokens import hash_secret, new_secret
from summit.extensions import db
from summit.registration.enums import BookingState
from summit.registration.models import Attendee
from summit.scheduling import programme
from summit.scheduling.programme import ProgrammeSession
from summit.summits.models import Summit

R = ReservationState
LOCALES = ("en", "es")


# --- who the agenda belongs to ------------------------------------------------------


def _new_agenda(summit: Summit, *, user=None, attendee=None, locale: str, at) -> Agenda:
    agenda = Agenda(
        public_id=new_secret(12),
        summit_id=summit.id,
        user_id=user.id if user is not None else None,
        attendee_id=attendee.id if attendee is not None else None,
        locale=locale if locale in LOCALES else "en",
        created_at=at,
        changed_at=at,
    )
    db.session.add(agenda)
    db.session.flush()
    return agenda


def agenda_for_user(
    summit: Summit, user, *, create: bool = False, locale: str = "en", at=None
) -> Agenda | None:
    """A signed-in person's agenda. It is their ticket's agenda when they hold a ticket
    under the same email, so stars made through the emailed link and after signing in
    end up in one place."""
    at = at or now()
    agenda = queries.get_user_agenda(summit, user)
    if agenda is not None:
        return agenda
    attendee = queries.find_registered_attendee(summit, user.email)
    if attendee is not None:
        agenda = queries.get_attendee_agenda(attendee)
        if agenda is not None:
            agenda.user_id = user.id
            return agenda
    if not create:
        return None
    return _new_agenda(summit, user=user, attendee=attendee, locale=locale, at=at)


def agenda_for_attendee(attendee: Attendee, *, locale: str | None = None, at=None) -> Agenda:
    """The agenda of one ticket holder, reached through the registration's link."""
    at = at or now()
    agenda = queries.get_attendee_agenda(attendee)
    if agenda is None:
        summit = db.session.get(Summit, attendee.summit_id)
        agenda = _new_agenda(
            summit, attendee=attendee, locale=locale or attendee.preferred_language, at=at
        )
    return agenda


def remember_locale(agenda: Agenda, locale: str) -> None:
    """Emails and the feed follow the language the person last used."""
    if locale in LOCALES and agenda.locale != locale:
        agenda.locale = locale


def _touch(agenda: Agenda, at: datetime) -> None:
    agenda.changed_at = max(at, agenda.changed_at or at)


# --- stars ---------------------------------------------------------------------------


def _published_session(summit: Summit, code: str) -> ProgrammeSession:
    session = programme.get_released_session(summit, code) if code else None
    if session is None:
        raise DomainError(
            "unknown_session", _("That session is not in the published program."), status=404
        )
    return session


def star_session(agenda: Agenda, summit: Summit, code: str, *, at=None) -> ProgrammeSession:
    """Add a session to the agenda (again is fine). Cancelled sessions can't be added."""
    session = _published_session(summit, code)
    _add_star(agenda, summit, session, at=at or now())
    return session


def _add_star(agenda: Agenda, summit: Summit, session: ProgrammeSession, *, at) -> None:
    if session.is_cancelled:
        raise DomainError("session_cancelled", _("This session is cancelled."), status=409)
    if db.session.get(Star, (agenda.id, session.proposal_id)) is None:
        db.session.add(
            Star(
                agenda_id=agenda.id,
                proposal_id=session.proposal_id,
                summit_id=summit.id,
                created_at=at,
            )
        )
        _touch(agenda, at)
        db.session.flush()


def unstar_session(agenda: Agenda, summit: Summit, code: str, *, at=None) -> list[Reservation]:
    """Take a session off the agenda; a seat held in it is given back. Returns the
    reservations promoted from the waiting list into the freed seat."""
    at = at or now()
    session = _published_session(summit, code)
    reservation = queries.live_reservations(agenda).get(session.proposal_id)
    promoted = _give_up(reservation, summit, session, at=at) if reservation else []
    result = db.session.execute(
        delete(Star).where(Star.agenda_id == agenda.id, Star.proposal_id == session.proposal_id)
    )
    if result.rowcount:
        _touch(agenda, at)
    db.session.flush()
    return promoted


def list_agenda(summit: Summit, agenda: Agenda | None, *, version=None) -> list[ProgrammeSession]:
    """The starred sessions of the newest release (or ``version``), cancelled ones
    included."""
    if agenda is None or agenda.id is None:
        return []
    return programme.list_released(
        summit, version=version, proposal_ids=queries.starred_proposals(agenda)
    )


# --- the personal calendar feed --------------------------------------------------------


def _derive(agenda: Agenda, salt: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"agenda-feed:{agenda.public_id}:{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def feed_secret(agenda: Agenda) -> str | None:
    """The secret of the agenda's feed URL (256 bits), or None when it has none.

    Only a hash is stored; the server can show the URL again to its owner because the
    secret is derived from a random per-URL salt and the app's secret key."""
    if not agenda.feed_salt:
        return None
    return _derive(agenda, agenda.feed_salt)


def create_feed(agenda: Agenda, *, at=None) -> str:
    """A new feed URL secret; any earlier URL stops working at once."""
    at = at or now()
    agenda.feed_salt = new_secret(24)
    secret = _derive(agenda, agenda.feed_salt)
    agenda.feed_token_hash = hash_secret(secret)
    agenda.feed_created_at = at
    db.session.flush()
    return secret


def revoke_feed(agenda: Agenda) -> None:
    agenda.feed_salt = None
    agenda.feed_token_hash = None
    agenda.feed_created_at = None
    db.session.flush()


def ensure_feed(agenda: Agenda, *, at=None) -> str:
    return feed_secret(agenda) or create_feed(agenda, at=at)


# --- workshop seats ----------------------------------------------------------------------


def seat_capacity(session: ProgrammeSession) -> int | None:
    """Seats of a capacity-limited session: its format's limit, never more than the room
    holds. None: no reservation needed."""
    limit = session.format.seat_limit if session.format is not None else None
    if limit is None:
        return None
    if session.room.capacity is not None:
        return min(limit, session.room.capacity)
    return limit


def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def ensure_pool(summit: Summit, session: ProgrammeSession, capacity: int) -> None:
    """The session's seat counter; two first reservations at once create it once."""
    db.session.execute(
        _insert()(SeatPool)
        .values(proposal_id=session.proposal_id, summit_id=summit.id, capacity=capacity, taken=0)
        .on_conflict_do_nothing()
    )


def take_seat(proposal_id: int) -> bool:
    """One seat, if one is free: a single conditional UPDATE."""
    result = db.session.execute(
        update(SeatPool)
        .where(SeatPool.proposal_id == proposal_id, SeatPool.taken < SeatPool.capacity)
        .values(taken=SeatPool.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def give_back_seat(proposal_id: int) -> None:
    db.session.execute(
        update(SeatPool)
        .where(SeatPool.proposal_id == proposal_id, SeatPool.taken > 0)
        .values(taken=SeatPool.taken - 1)
        .execution_options(synchronize_session=False)
    )


def change_state(reservation: Reservation, new: ReservationState, *, at: datetime) -> None:
    old = R(reservation.state)
    if new not in RESERVATION_TRANSITIONS[old]:
        raise DomainError(
            "reservation_state", _("This reservation cannot change like that any more.")
        )
    reservation.state = new.value
    if new == R.RESERVED:
        reservation.reserved_at = at
    if new in (R.RELEASED, R.CANCELLED):
        reservation.ended_at = at


def _registered_attendee(agenda: Agenda) -> Attendee:
    attendee = agenda.attendee
    if (
        attendee is None
        or attendee.cancelled_at is not None
        or attendee.booking.state != BookingState.CONFIRMED.value
    ):
        raise DomainError(
            "registration_needed",
            _(
                "Seats are for registered attendees. Register for the summit, or open the "
                "link in your registration email, to reserve a seat."
            ),
            status=403,
        )
    return attendee


def _clashing_seat(agenda: Agenda, summit: Summit, session: ProgrammeSession):
    """A session at the same time in which the agenda already holds a seat."""
    held = [
        pid
        for pid, r in queries.live_reservations(agenda).items()
        if r.state == R.RESERVED and pid != session.proposal_id
    ]
    if not held:
        return None
    others = programme.list_released(summit, proposal_ids=held)
    for other in others:
        if not other.is_cancelled and _overlap(session, other):
            return other
    return None


def _overlap(a: ProgrammeSession, b: ProgrammeSession) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def reserve_seat(
    agenda: Agenda, summit: Summit, code: str, *, waitlist: bool = False, at=None
) -> Reservation:
    """A seat in a capacity-limited session, or with ``waitlist`` a place in line when it
    is full. Asking again returns the reservation already held."""
    at = at or now()
    _registered_attendee(agenda)
    session = _published_session(summit, code)
    capacity = seat_capacity(session)
    if capacity is None:
        raise DomainError(
            "no_reservation_needed",
            _("This session needs no reservation: come along, seats are first come, first served."),
        )
    if session.is_cancelled:
        raise DomainError("session_cancelled", _("This session is cancelled."), status=409)
    if at >= session.starts_at:
        raise DomainError(
            "too_late",
            _("This session has already started or is over; seats can no longer be reserved."),
            status=409,
        )
    held = queries.live_reservations(agenda).get(session.proposal_id)
    if held is not None:
        return held
    clash = _clashing_seat(agenda, summit, session)
    if clash is not None:
        raise DomainError(
            "overlap",
            _(
                "You already have a seat in “%(title)s” at the same time. Give that seat "
                "back first if you would rather go to this one.",
                title=clash.title,
            ),
            status=409,
        )
    ensure_pool(summit, session, capacity)
    reservation = Reservation(
        summit_id=summit.id,
        agenda_id=agenda.id,
        proposal_id=session.proposal_id,
        state=R.WAITLISTED.value,
        created_at=at,
    )
    try:
        with db.session.begin_nested():  # the same person twice at once: one row
            db.session.add(reservation)
            db.session.flush()
    except IntegrityError:
        held = queries.live_reservations(agenda).get(session.proposal_id)
        if held is not None:
            return held
        raise
    if take_seat(session.proposal_id):
        change_state(reservation, R.RESERVED, at=at)
    elif not waitlist:
        db.session.delete(reservation)
        db.session.flush()
        raise DomainError(
            "workshop_full",
            _(
                "This workshop is full. You can join the waiting list and we will email you "
                "if a seat frees up."
            ),
            status=409,
        )
    _add_star(agenda, summit, session, at=at)
    _touch(agenda, at)
    db.session.flush()
    return reservation


def release_seat(agenda: Agenda, summit: Summit, code: str, *, at=None) -> list[Reservation]:
    """Give a seat back (or leave the waiting list). The seat goes to the next person in
    line at once; returns the reservations promoted."""
    at = at or now()
    session = _published_session(summit, code)
    reservation = queries.live_reservations(agenda).get(session.proposal_id)
    if reservation is None:
        raise DomainError("no_reservation", _("You have no seat in this session."), status=404)
    return _give_up(reservation, summit, session, at=at)


def _give_up(
    reservation: Reservation, summit: Summit, session: ProgrammeSession | None, *, at
) -> list[Reservation]:
    """End one live reservation; a seat it held goes back to the pool and on to the
    people waiting for ``session`` (None: no longer in the programme)."""
    had_seat = reservation.state == R.RESERVED
    change_state(reservation, R.RELEASED, at=at)
    _touch(reservation.agenda, at)
    db.session.flush()
    if not had_seat:
        return []
    give_back_seat(reservation.proposal_id)
    return promote_waitlist(summit, session, at=at) if session is not None else []


def end_reservations_of(attendee: Attendee, *, at=None) -> list[Reservation]:
    """A cancelled ticket gives back its seats and leaves its waiting lists; the seats
    go to the next people in line. Returns the reservations promoted."""
    at = at or now()
    agenda = queries.get_attendee_agenda(attendee)
    if agenda is None:
        return []
    summit = db.session.get(Summit, attendee.summit_id)
    live = queries.live_reservations(agenda)
    if not live:
        return []
    sessions = {s.proposal_id: s for s in programme.list_released(summit, proposal_ids=list(live))}
    promoted = []
    for proposal_id, reservation in live.items():
        promoted += _give_up(reservation, summit, sessions.get(proposal_id), at=at)
    return promoted


def promote_waitlist(summit: Summit, session: ProgrammeSession, *, at=None) -> list[Reservation]:
    """Free seats go to the people waiting, in order. Someone who meanwhile holds a seat
    at the same time keeps waiting. Safe under concurrency: a seat is taken first, then a
    waiting row is claimed by a conditional UPDATE; a seat nobody could claim is given
    back."""
    at = at or now()
    if at >= session.starts_at or session.is_cancelled:
        return []
    promoted: list[Reservation] = []
    skipped: set[int] = set()
    while True:
        waiting = db.session.scalars(
            select(Reservation)
            .where(
                Reservation.proposal_id == session.proposal_id,
                Reservation.state == R.WAITLISTED.value,
                Reservation.id.not_in(skipped) if skipped else true(),
            )
            .order_by(Reservation.created_at, Reservation.id)
            .limit(20)
        ).all()
        if not waiting:
            return promoted
        for candidate in waiting:
            if _clashing_seat(candidate.agenda, summit, session) is not None:
                skipped.add(candidate.id)
                continue
            if not take_seat(session.proposal_id):
                return promoted
            claimed = db.session.execute(
                update(Reservation)
                .where(Reservation.id == candidate.id, Reservation.state == R.WAITLISTED.value)
                .values(state=R.RESERVED.value, reserved_at=at)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                give_back_seat(session.proposal_id)
                skipped.add(candidate.id)
                continue
            db.session.refresh(candidate)
            _touch(candidate.agenda, at)
            promoted.append(candidate)
        skipped.update(r.id for r in waiting)


def sync_seats(summit: Summit, *, at=None) -> tuple[list[Reservation], list[Reservation]]:
    """After a release: seat counts follow the new rooms and formats; reservations in
    cancelled sessions end; seats that grew go to the people waiting.

    Returns (promoted, cancelled) reservations for the emails."""
    at = at or now()
    pools = {p.proposal_id: p for p in db.session.scalars(
        select(SeatPool).where(SeatPool.summit_id == summit.id)
    )}  # fmt: skip
    if not pools:
        return [], []
    sessions = {s.proposal_id: s for s in programme.list_released(summit, proposal_ids=list(pools))}
    promoted, cancelled = [], []
    for proposal_id, pool in pools.items():
        session = sessions.get(proposal_id)
        capacity = seat_capacity(session) if session is not None else None
        if session is None or session.is_cancelled or capacity is None:
            live = db.session.scalars(
                select(Reservation).where(
                    Reservation.proposal_id == proposal_id,
                    Reservation.state.in_([R.RESERVED.value, R.WAITLISTED.value]),
                )
            ).all()
            for reservation in live:
                change_state(reservation, R.CANCELLED, at=at)
                _touch(reservation.agenda, at)
                cancelled.append(reservation)
            pool.taken = 0
            continue
        if capacity != pool.capacity:
            pool.capacity = capacity
            db.session.flush()
            promoted += promote_waitlist(summit, session, at=at)
    db.session.flush()
    return promoted, cancelled
