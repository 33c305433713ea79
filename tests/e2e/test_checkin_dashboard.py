"""Check-in pages in a browser: staff read the dashboard, door staff look someone up and
check them in by hand; at phone and desktop widths, in English and Spanish, axe clean."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from summit.checkin import services as checkin
from summit.extensions import db
from summit.proposals.models import Proposal
from summit.registration import services
from summit.summits.queries import get_summit_by_slug
from summit.summits.services import set_regions
from tests.checkin.conftest import DAY_ONE, local
from tests.e2e.conftest import VIEWPORTS, check_a11y, es, log_in, switch_language
from tests.scheduling.conftest import ProgrammeBuilder


@pytest.fixture
def summit_values():
    now = datetime.now(UTC)
    return {
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=30),
    }


def _seed(live_server) -> None:
    """Two households, a morning of arrivals at the day-one entrance (one of them an
    offline double admission) and a released session with a scanner at its door."""
    app = live_server.app
    build = ProgrammeBuilder(app)
    hall = build.room("Hall A", capacity=2)
    slot = build.slot(DAY_ONE, "10:00", "11:00")
    nights = build.proposal("Family nights that work", track=None, format=None)
    build.release({nights: (slot, hall)})
    with app.app_context():
        summit = get_summit_by_slug("2027")
        family = services.save_ticket_type(
            summit, actor=None, code="family", name_en="Family member", name_es="Familiar",
            capacity=10,
        )  # fmt: skip
        set_regions(summit, {"Fresno": "Region 7"}, actor=None)
        people = []
        for contact, members in (
            ("rosa@example.org", [("Rosa Pérez", "rosa@example.org"), ("Luis Pérez", None)]),
            ("ben@example.org", [("Ben Brooks", "ben@example.org")]),
        ):
            booking, secret = services.register(
                summit,
                contact_name=members[0][0],
                contact_email=contact,
                people=[
                    {"name": name, "email": email, "ticket_type": family, "county": "Fresno",
                     "role_type": "family", "accommodations": ["asl"] if email else []}
                    for name, email in members
                ],
            )  # fmt: skip
            services.confirm_booking(secret)
            people += booking.attendees
        rosa, _luis, ben = people
        entrance = checkin.ensure_entrances(summit)[0]
        room = checkin.ensure_session_checkpoint(
            summit, db.session.scalar(db.select(Proposal).where(Proposal.code == nights)),
            capacity=None,
        )  # fmt: skip
        scans = [
            (rosa, entrance, "09:05", "North door", False),
            (ben, entrance, "09:20", "Phone A", True),
            (ben, entrance, "09:25", "Phone B", True),
            (rosa, room, "10:01", "Hall A door", False),
        ]
        for i, (attendee, checkpoint, hhmm, device, offline) in enumerate(scans):
            checkin.record_scan(
                summit,
                token=services.ticket_token(summit, attendee),
                checkpoint=checkpoint,
                scan_id=f"e2e-{i}",
                actor=None,
                at=local(DAY_ONE, hhmm),
                device=device,
                was_offline=offline,
            )
        db.session.commit()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_dashboard_and_manual_check_in_in_both_languages(live_server, browse, make_user, viewport):
    _seed(live_server)
    staff = make_user("sam@summit.example.org", name="Sam Staff", roles=("staff",), slug="2027")
    door = make_user("dora@summit.example.org", name="Dora Door", roles=("door",), slug="2027")
    dashboard = live_server(f"/2027/staff/checkin?day={DAY_ONE.isoformat()}")

    page = browse(viewport)
    log_in(page, live_server, staff)
    page.goto(dashboard)
    expect(page.locator("h1")).to_have_text("Check-in")
    expect(page.locator("main")).to_contain_text("2 of 3 confirmed people checked in")
    expect(page.locator("svg.arrivals-chart rect.chart-bar")).to_have_count(2)
    expect(page.locator("#session-attendance")).to_contain_text("Family nights that work")
    check_a11y(page)
    page.goto(live_server("/2027/staff/checkin/conflicts"))
    expect(page.locator("main")).to_contain_text("Ben Brooks")
    check_a11y(page)
    switch_language(page, "Español")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check_a11y(page)
    page.goto(dashboard)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check_a11y(page)

    page = browse(viewport)
    log_in(page, live_server, door)
    page.goto(live_server("/2027/door/lookup?q=perez"))
    expect(page.locator("main section.card")).to_have_count(1)  # one household, two people
    expect(page.locator("main section.card tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="Undo check-in Rosa Pérez")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Check in Luis Pérez").click()
    expect(page.locator(".checkin-result")).to_contain_text("Checked in: Luis Pérez")
    expect(page.locator(".checkin-result")).to_contain_text("Welcome them in.")
    check_a11y(page)
    switch_language(page, "Español")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    undo = es("Undo check-in")
    expect(page.get_by_role("button", name=f"{undo} Luis Pérez")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name=f"{undo} Luis Pérez").click()
    expect(page.locator(".checkin-result")).to_contain_text(es("Check-in undone"))
    check_a11y(page)
