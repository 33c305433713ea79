from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from summit.extensions import db
from summit.registration import services
from summit.registration.models import Booking, TicketType
from summit.summits.services import create_summit

NOW = datetime(2027, 5, 1, 17, 0, tzinfo=UTC)


def make_registration_summit(capacity: int = 2):
    summit = create_summit(
        slug="2027",
        name="Community Schools Summit 2027",
        starts_on=date(2027, 9, 23),
        ends_on=date(2027, 9, 24),
        registration_opens_at=NOW - timedelta(days=10),
        registration_closes_at=NOW + timedelta(days=100),
        actor=None,
    )
    ticket = services.save_ticket_type(
        summit,
        actor=None,
        code="family",
        name_en="Family member",
        name_es="Familia",
        capacity=capacity,
    )
    db.session.flush()
    return summit, ticket


@pytest.fixture
def summit_and_ticket(ctx):
    return make_registration_summit()


def person(ticket, n: int, **extra) -> dict:
    return {"name": f"Person {n}", "email": f"p{n}@example.org", "ticket_type": ticket, **extra}


# --- HTTP-level fixtures: staff pages, public pages, the CLI --------------------------
# These never hold an app context across requests; each helper opens its own and
# returns plain values.

SLUG = "2027"
DAY_ONE, DAY_TWO = "2027-09-23", "2027-09-24"


def wall_now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def registration_open(app, make_summit):
    """Summit 2027 taking registrations around the real clock, with three ticket types:
    "family" (3 seats, every day), "youth" (1 seat, first day only) and "vip"
    (5 seats, staff approve each registration)."""
    from summit.summits.queries import get_summit_by_slug

    at = wall_now()
    make_summit(
        SLUG,
        registration_opens_at=at - timedelta(days=1),
        registration_closes_at=at + timedelta(days=30),
    )
    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        for code, name, capacity, extra in (
            ("family", "Family member", 3, {}),
            ("youth", "Youth day", 1, {"days": [DAY_ONE]}),
            ("vip", "Invited guest", 5, {"requires_approval": True}),
        ):
            services.save_ticket_type(
                summit,
                actor=None,
                code=code,
                name_en=name,
                name_es=f"{name} (es)",
                capacity=capacity,
                **extra,
            )
        db.session.commit()
    return SLUG


@dataclass
class Registered:
    code: str
    state: str
    people: list[str]  # attendee codes, in the order given
    confirm: str  # the confirmation secret (spent once confirmed)
    manage: str | None  # a tickets-page secret, when asked for


@pytest.fixture
def make_booking(app):
    """Register a household through the services (fast set-up), confirmed unless
    ``confirm=False``. People are dicts of person fields plus "ticket" (a code)."""
    from summit.summits.queries import get_summit_by_slug

    def factory(*people, contact="casey@example.org", confirm=True, manage=False, slug=SLUG):
        with app.app_context():
            summit = get_summit_by_slug(slug)
            types = {t.code: t for t in db.session.scalars(db.select(TicketType))}
            booking, secret = services.register(
                summit,
                contact_name="Casey Contact",
                contact_email=contact,
                people=[
                    {k: v for k, v in p.items() if k != "ticket"}
                    | {"ticket_type": types[p.get("ticket", "family")]}
                    for p in people
                ],
            )
            if confirm:
                services.confirm_booking(secret)
            link = services.issue_manage_link(booking) if manage else None
            db.session.commit()
            return Registered(
                booking.code, booking.state, [a.code for a in booking.attendees], secret, link
            )

    return factory


@pytest.fixture
def load_booking(app):
    """A booking's current row as plain values, or None."""

    def read(code: str):
        with app.app_context():
            booking = db.session.scalar(db.select(Booking).where(Booking.code == code))
            if booking is None:
                return None
            return {
                "state": booking.state,
                "is_comp": booking.is_comp,
                "contact_email": booking.contact_email,
                "people": [
                    {
                        "code": a.code,
                        "name": a.name,
                        "email": a.email,
                        "ticket_type": a.ticket_type.code,
                        "version": a.ticket_version,
                        "cancelled": a.cancelled_at is not None,
                        "county": a.county,
                        "accommodations": list(a.accommodations or []),
                        "dietary_needs": a.dietary_needs,
                        "wants_interpretation": a.wants_interpretation,
                        "media_consent": a.media_consent,
                    }
                    for a in booking.attendees
                ],
            }

    return read


@pytest.fixture
def seats(app):
    """Seats taken per ticket type code, as the database holds them now."""

    def read() -> dict[str, int]:
        with app.app_context():
            return dict(db.session.execute(db.select(TicketType.code, TicketType.taken)).all())

    return read


@pytest.fixture
def audit_log(app):
    """(action, object_id, actor email) of every audit entry, oldest first."""
    from summit.core.audit import AuditEntry

    def read() -> list[tuple]:
        with app.app_context():
            entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
            return [(e.action, e.object_id, e.actor.email if e.actor else None) for e in entries]

    return read


@pytest.fixture
def deliver(app):
    """Send every queued message to the loopback SMTP server."""
    from summit.core.outbox import deliver_pending

    def run():
        with app.app_context():
            return deliver_pending()

    return run


def link_in(mailbox, address: str, path: str) -> str | None:
    """The site-relative URL under ``path`` in the newest email to ``address``."""
    import re

    for message in reversed(mailbox.to(address)):
        found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", mailbox.body(message))
        if found:
            return found.group(1)
    return None
