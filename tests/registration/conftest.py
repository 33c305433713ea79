from datetime import UTC, date, datetime, timedelta

import pytest

from summit.extensions import db
from summit.registration import services
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
