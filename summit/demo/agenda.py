"""Demo agendas: stars from about 300 attendees on the released programme, seats in the
90-minute workshops (one of them full, with people waiting), and an agenda with a
calendar feed for the demo login presenter@summit.example, who holds a ticket."""

from __future__ import annotations

import contextlib
import random

from sqlalchemy import func, insert, select

from summit.agenda import services
from summit.agenda.models import Agenda, Star
from summit.core.clock import now
from summit.core.errors import DomainError
from summit.extensions import db
from summit.proposals.queries import get_format
from summit.registration import services as registration
from summit.registration.enums import BookingState
from summit.registration.models import Attendee, Booking, TicketType
from summit.scheduling import programme
from summit.summits.models import Summit

STARRERS = 300
WORKSHOP_SEATS = 20
DEMO_ATTENDEE = "presenter@summit.example"


def seed_agendas(summit: Summit) -> int:
    """Nothing when agendas exist or nothing is released. Returns the stars made."""
    if db.session.scalar(select(func.count(Agenda.id)).where(Agenda.summit_id == summit.id)):
        return 0
    sessions = [s for s in programme.list_released(summit) if not s.is_cancelled]
    if not sessions:
        return 0
    workshop = get_format(summit, "workshop-90")
    if workshop is not None:
        workshop.seat_limit = WORKSHOP_SEATS
    rng = random.Random(824)
    attendees = db.session.scalars(
        select(Attendee)
        .join(Booking, Attendee.booking_id == Booking.id)
        .where(
            Attendee.summit_id == summit.id,
            Attendee.cancelled_at.is_(None),
            Booking.state == BookingState.CONFIRMED.value,
        )
        .order_by(Attendee.id)
        .limit(STARRERS)
    ).all()
    popular = rng.sample(sessions, k=min(12, len(sessions)))
    at = now()
    rows = []
    for attendee in attendees:
        agenda = services.agenda_for_attendee(attendee, at=at)
        chosen = set(rng.sample(sessions, k=rng.randint(3, 8)))
        chosen |= set(rng.sample(popular, k=2))  # some sessions draw a crowd
        rows += [
            {"agenda_id": agenda.id, "proposal_id": s.proposal_id, "summit_id": summit.id,
             "created_at": at}
            for s in chosen
        ]  # fmt: skip
    db.session.execute(insert(Star), rows)
    limited = [s for s in sessions if services.seat_capacity(s)]
    if limited:
        full = limited[0]
        for attendee in attendees[: WORKSHOP_SEATS + 4]:  # four people wait for a seat
            agenda = services.agenda_for_attendee(attendee, at=at)
            try:
                services.reserve_seat(agenda, summit, full.code, waitlist=True, at=at)
            except DomainError:
                continue
    _demo_attendee(summit, sessions, limited, at=at)
    db.session.flush()
    return len(rows)


def _demo_attendee(summit: Summit, sessions, limited, *, at) -> None:
    """presenter@summit.example holds a ticket, so logging in shows a full agenda."""
    ticket = db.session.scalar(
        select(TicketType).where(TicketType.summit_id == summit.id, TicketType.code == "educator")
    )
    if ticket is None or summit.registration_opens_at is None:
        return
    opened = summit.registration_opens_at
    try:
        booking, secret = registration.register(
            summit,
            contact_name="Pat Presenter",
            contact_email=DEMO_ATTENDEE,
            people=[{"name": "Pat Presenter", "email": DEMO_ATTENDEE, "ticket_type": ticket}],
            at=opened,
        )
        registration.confirm_booking(secret, at=opened)
    except DomainError:
        return
    agenda = services.agenda_for_attendee(booking.attendees[0], at=at)
    first_day = [s for s in sessions if s.day == summit.starts_on]
    for session in first_day[:1] + first_day[len(first_day) // 2 : len(first_day) // 2 + 2]:
        services.star_session(agenda, summit, session.code, at=at)
    for session in limited[1:2]:
        with contextlib.suppress(DomainError):
            services.reserve_seat(agenda, summit, session.code, at=at)
    services.ensure_feed(agenda, at=at)
