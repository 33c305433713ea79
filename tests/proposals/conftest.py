from datetime import UTC, datetime, timedelta

import pytest

from summit.accounts.services import create_user
from summit.extensions import db
from summit.proposals import services
from summit.summits.services import create_summit

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


@pytest.fixture
def summit(ctx):
    """Summit 2027 with its call open around NOW, in an app context."""
    from datetime import date

    summit = create_summit(
        slug="2027",
        name="Community Schools Summit 2027",
        starts_on=date(2027, 9, 23),
        ends_on=date(2027, 9, 24),
        cfp_opens_at=NOW - timedelta(days=30),
        cfp_closes_at=NOW + timedelta(days=30),
        actor=None,
        make_current=True,
    )
    services.ensure_call(summit)
    db.session.flush()
    return summit


@pytest.fixture
def make_person(ctx):
    counter = {"n": 0}

    def factory(name="Presenter", **profile):
        counter["n"] += 1
        user = create_user(
            email=f"person{counter['n']}@example.org", password="long enough pw", name=name
        )
        for key, value in profile.items():
            setattr(user, key, value)
        db.session.flush()
        return user

    return factory


@pytest.fixture
def lead(make_person):
    return make_person("Lead Presenter", presenter_role="family", age_band="adult")


@pytest.fixture
def complete_data(summit):
    from summit.proposals.queries import get_format
    from summit.summits.queries import get_track

    return {
        "title": "Family nights that work",
        "abstract": "We share how we run family nights.",
        "outcomes": "Three practices to try.",
        "format": get_format(summit, "workshop-60"),
        "track": get_track(summit, "pillar-family"),
        "language": "bilingual",
        "lead_role": "family",
    }


@pytest.fixture
def draft(summit, lead, complete_data):
    return services.create_proposal(summit, actor=lead, data=complete_data, at=NOW)
