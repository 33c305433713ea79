from datetime import timedelta

import pytest

from summit.checkin import services
from summit.extensions import db
from summit.registration import services as registration
from tests.registration.conftest import NOW, make_registration_summit


def book(summit, ticket, *people, confirm=True, contact="contact@example.org"):
    """A household of ``people`` (dicts of person fields), confirmed unless told not to."""
    booking, secret = registration.register(
        summit,
        contact_name="Contact",
        contact_email=contact,
        people=[{"ticket_type": ticket, **p} for p in people],
        at=NOW,
    )
    if confirm:
        registration.confirm_booking(secret, at=NOW)
    db.session.flush()
    return booking


@pytest.fixture
def door(ctx):
    """Summit 2027 with 10 family seats, its entrances, and a token maker."""
    summit, ticket = make_registration_summit(capacity=10)
    entrances = services.ensure_entrances(summit)
    return summit, ticket, entrances


def token_of(summit, attendee) -> str:
    return registration.ticket_token(summit, attendee)


def scan(summit, token, checkpoint, scan_id, *, at=NOW + timedelta(days=145), **extra):
    return services.record_scan(
        summit, token=token, checkpoint=checkpoint, scan_id=scan_id, actor=None, at=at, **extra
    )
