"""Read-only look-ups for agendas, stars and seats."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from summit.agenda.enums import ReservationState
from summit.agenda.models import Agenda, Reservation, SeatPool, Star
from summit.core.tokens import hash_secret
from summit.extensions import db
from summit.proposals.models import Proposal
from summit.registration.enums import BookingState
from summit.registration.models import Attendee, Booking
from summit.summits.models import Summit

MAX_FEED_SECRET = 100


@dataclass(frozen=True)
class SeatStatus:
    capacity: int
    taken: int
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


def get_agenda(summit: Summit, public_id: str | None) -> Agenda | None:
    if not public_id or len(public_id) > 40:
        return None
    return db.session.scalar(
        select(Agenda).where(Agenda.summit_id == summit.id, Agenda.public_id == public_id)
    )


def get_user_agenda(summit: Summit, user) -> Agenda | None:
    return db.session.scalar(
        select(Agenda).where(Agenda.summit_id == summit.id, Agenda.user_id == user.id)
    )


def get_attendee_agenda(attendee: Attendee) -> Agenda | None:
    return db.session.scalar(select(Agenda).where(Agenda.attendee_id == attendee.id))


def find_registered_attendee(summit: Summit, email: str) -> Attendee | None:
    """The active ticket holder with this email in a confirmed registration."""
    if not email:
        return None
    return db.session.scalar(
        select(Attendee)
        .join(Booking, Attendee.booking_id == Booking.id)
        .where(
            Attendee.summit_id == summit.id,
            func.lower(Attendee.email) == email.strip().lower(),
            Attendee.cancelled_at.is_(None),
            Booking.state == BookingState.CONFIRMED.value,
        )
    )


def get_agenda_by_feed(summit: Summit, secret: str) -> Agenda | None:
    """The agenda whose feed URL carries ``secret``; None for unknown or revoked ones."""
    if not secret or len(secret) > MAX_FEED_SECRET:
        return None
    agenda = db.session.scalar(select(Agenda).where(Agenda.feed_token_hash == hash_secret(secret)))
    return agenda if agenda is not None and agenda.summit_id == summit.id else None


def feed_state(agenda: Agenda, version) -> tuple[str, datetime]:
    """A personal feed's validator and Last-Modified. The validator digests what the
    feed is made of: the agenda's last change, its language, the release, and the newest
    edit of a starred proposal. One query."""
    newest = db.session.scalar(
        select(func.max(Proposal.updated_at))
        .join(Star, Star.proposal_id == Proposal.id)
        .where(Star.agenda_id == agenda.id)
    )
    parts = (agenda.id, agenda.changed_at, agenda.locale, version.id if version else 0, newest)
    stamp = max(agenda.changed_at, version.released_at) if version else agenda.changed_at
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32], stamp


def starred_ids(agenda: Agenda | None) -> set[int]:
    if agenda is None or agenda.id is None:
        return set()
    return set(db.session.scalars(select(Star.proposal_id).where(Star.agenda_id == agenda.id)))


def starred_codes(agenda: Agenda | None) -> set[str]:
    if agenda is None or agenda.id is None:
        return set()
    return set(
        db.session.scalars(
            select(Proposal.code)
            .join(Star, Star.proposal_id == Proposal.id)
            .where(Star.agenda_id == agenda.id)
        )
    )


def starred_proposals(agenda: Agenda):
    """A sub-select of the agenda's starred proposal ids, for ``programme.list_released``."""
    return select(Star.proposal_id).where(Star.agenda_id == agenda.id)


def live_reservations(agenda: Agenda | None) -> dict[int, Reservation]:
    """The agenda's reserved and waitlisted seats by proposal id."""
    if agenda is None or agenda.id is None:
        return {}
    rows = db.session.scalars(
        select(Reservation).where(
            Reservation.agenda_id == agenda.id,
            Reservation.state.in_([ReservationState.RESERVED, ReservationState.WAITLISTED]),
        )
    )
    return {r.proposal_id: r for r in rows}


def seat_status(summit: Summit, proposal_ids=None) -> dict[int, SeatStatus]:
    """Capacity, seats taken and people waiting per capacity-limited session: two queries."""
    pools = select(SeatPool).where(SeatPool.summit_id == summit.id)
    waiting = (
        select(Reservation.proposal_id, func.count())
        .where(
            Reservation.summit_id == summit.id,
            Reservation.state == ReservationState.WAITLISTED.value,
        )
        .group_by(Reservation.proposal_id)
    )
    if proposal_ids is not None:
        pools = pools.where(SeatPool.proposal_id.in_(proposal_ids))
        waiting = waiting.where(Reservation.proposal_id.in_(proposal_ids))
    line = dict(db.session.execute(waiting).all())
    return {
        pool.proposal_id: SeatStatus(pool.capacity, pool.taken, line.get(pool.proposal_id, 0))
        for pool in db.session.scalars(pools)
    }


def waiting_position(reservation: Reservation) -> int:
    """1 for the first in line."""
    ahead = db.session.scalar(
        select(func.count()).where(
            Reservation.proposal_id == reservation.proposal_id,
            Reservation.state == ReservationState.WAITLISTED.value,
            (Reservation.created_at < reservation.created_at)
            | (
                (Reservation.created_at == reservation.created_at)
                & (Reservation.id < reservation.id)
            ),
        )
    )
    return (ahead or 0) + 1


def star_counts(summit: Summit) -> dict[int, int]:
    """Stars per proposal id."""
    return dict(
        db.session.execute(
            select(Star.proposal_id, func.count())
            .where(Star.summit_id == summit.id)
            .group_by(Star.proposal_id)
        ).all()
    )


def interest_sets(summit: Summit) -> list[frozenset[int]]:
    """Each agenda's starred proposal ids (agendas with at least two stars): the people
    whose stars two sessions in one slot would split."""
    by_agenda: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(Star.agenda_id, Star.proposal_id)
        .where(Star.summit_id == summit.id)
        .order_by(Star.agenda_id, Star.proposal_id)
    )
    for agenda_id, proposal_id in rows:
        by_agenda[agenda_id].add(proposal_id)
    return [frozenset(ids) for ids in by_agenda.values() if len(ids) >= 2]


def count_starrers(summit: Summit) -> int:
    return db.session.scalar(
        select(func.count(func.distinct(Star.agenda_id))).where(Star.summit_id == summit.id)
    )


def agendas_starring(proposal_ids) -> dict[int, set[int]]:
    """Agenda id → which of these proposals it starred."""
    found: dict[int, set[int]] = defaultdict(set)
    if not proposal_ids:
        return found
    rows = db.session.execute(
        select(Star.agenda_id, Star.proposal_id).where(Star.proposal_id.in_(list(proposal_ids)))
    )
    for agenda_id, proposal_id in rows:
        found[agenda_id].add(proposal_id)
    return found


def owner_email(agenda: Agenda) -> tuple[str | None, str]:
    """Where to write to the agenda's owner, and their name."""
    attendee = agenda.attendee
    if attendee is not None:
        email = attendee.email or attendee.guardian_email or attendee.booking.contact_email
        return email, attendee.name
    user = agenda.user
    if user is not None:
        return user.email, user.name or user.email
    return None, ""
