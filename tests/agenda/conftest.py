"""A released programme with a capacity-limited workshop, registered attendees with
their agendas, for agenda service, route and feed tests.

Rooms: "Hall A" (building North, 200 seats), "Room B" (North, 30) and "Room C" (building
South, 30). Day one: 9:00–10:00 and 10:05–11:00; day two: 9:00–10:00.
Sessions: KEYNOTE in Hall A at 9:00 (panel, no seats to reserve), WORKSHOP in Room B at
9:00 (seats limited), OTHER in Room C at 10:05 (panel), LATER on day two.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from summit.extensions import db
from tests.scheduling.conftest import DAY_ONE, DAY_TWO, SLUG, ProgrammeBuilder

NOW = datetime(2027, 8, 10, 17, 0, tzinfo=UTC)


@dataclass
class Programme:
    builder: ProgrammeBuilder
    codes: dict[str, str]
    slots: dict[str, str]
    rooms: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.codes[name]


def set_seat_limit(app, fmt: str, limit: int | None) -> None:
    from summit.proposals.queries import get_format
    from summit.summits.queries import get_summit_by_slug

    with app.app_context():
        get_format(get_summit_by_slug(SLUG), fmt).seat_limit = limit
        db.session.commit()


@pytest.fixture
def released(app, make_summit):
    make_summit(
        SLUG,
        registration_opens_at=datetime(2026, 1, 1, tzinfo=UTC),
        registration_closes_at=datetime(2027, 9, 20, tzinfo=UTC),
        venue="Sacramento Convention Center",
    )
    return make_released(app)


def make_released(app) -> Programme:
    """The rooms, grid and sessions above, released as version 1 (summit 2027 exists)."""
    b = ProgrammeBuilder(app)
    rooms = {
        "hall": b.room("Hall A", capacity=200, building="North", floor="1"),
        "b": b.room("Room B", capacity=30, building="North", floor="1"),
        "c": b.room("Room C", capacity=30, building="South", floor="2"),
    }
    slots = {
        "d1_9": b.slot(DAY_ONE, "9:00", "10:00"),
        "d1_10": b.slot(DAY_ONE, "10:05", "11:00"),
        "d2_9": b.slot(DAY_TWO, "9:00", "10:00"),
    }
    codes = {
        "KEYNOTE": b.proposal("Opening talk on family partnership", format="panel"),
        "WORKSHOP": b.proposal("Hands-on asset mapping workshop", format="workshop-60"),
        "OTHER": b.proposal("Student voice panel", format="panel"),
        "LATER": b.proposal("Day two session", format="panel"),
    }
    set_seat_limit(app, "workshop-60", 2)
    b.release(
        {
            codes["KEYNOTE"]: (slots["d1_9"], rooms["hall"]),
            codes["WORKSHOP"]: (slots["d1_9"], rooms["b"]),
            codes["OTHER"]: (slots["d1_10"], rooms["c"]),
            codes["LATER"]: (slots["d2_9"], rooms["hall"]),
        },
        released_at=datetime(2027, 8, 1, 17, 0, tzinfo=UTC),
    )
    return Programme(b, codes, slots, rooms)


def register_person(
    app, name: str, *, email: str | None = None, locale: str = "en", at: datetime | None = None
):
    """A confirmed ticket holder; returns (attendee code, tickets-page secret)."""
    from summit.registration import services
    from summit.registration.models import TicketType
    from summit.summits.queries import get_summit_by_slug

    at = at or NOW - timedelta(days=1)
    email = email or f"{name.lower().replace(' ', '.')}-{secrets.token_hex(2)}@example.org"
    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        ticket = db.session.scalar(db.select(TicketType).where(TicketType.code == "general"))
        if ticket is None:
            ticket = services.save_ticket_type(
                summit, actor=None, code="general", name_en="General", name_es="General",
                capacity=500,
            )  # fmt: skip
        booking, secret = services.register(
            summit,
            contact_name=name,
            contact_email=email,
            people=[{"name": name, "email": email, "ticket_type": ticket,
                     "preferred_language": locale}],
            locale=locale,
            at=at,
        )  # fmt: skip
        services.confirm_booking(secret, at=at)
        manage = services.issue_manage_link(booking, at=at)
        code = booking.attendees[0].code
        db.session.commit()
        return code, manage


@pytest.fixture
def attendee_agenda(app, released):
    """A factory: a registered attendee's agenda id (inside an app context per call)."""

    def factory(name: str = "Ana Attendee", **extra) -> int:
        from summit.agenda import services
        from summit.registration.models import Attendee

        code, _manage = register_person(app, name, **extra)
        with app.app_context():
            attendee = db.session.scalar(db.select(Attendee).where(Attendee.code == code))
            agenda = services.agenda_for_attendee(attendee, at=NOW)
            db.session.commit()
            return agenda.id

    return factory
