"""Report dashboards in a browser: staff and a region lead read the program and
participation reports, at phone and desktop widths, in English and Spanish, axe clean."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from summit.checkin import services as checkin
from summit.extensions import db
from summit.registration import services
from summit.summits.queries import get_summit_by_slug
from summit.summits.services import grant_role, set_regions
from tests.checkin.conftest import DAY_ONE, local
from tests.e2e.conftest import (
    VIEWPORTS,
    check_a11y,
    es,
    log_in,
    open_menu_if_collapsed,
    switch_language,
)
from tests.scheduling.conftest import ProgrammeBuilder


@pytest.fixture
def summit_values():
    now = datetime.now(UTC)
    return {
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=30),
    }


def _seed(live_server) -> None:
    """Two proposals (one released as a session), three people from two regions, two of
    them checked in at the day-one entrance and one at the session."""
    app = live_server.app
    build = ProgrammeBuilder(app)
    hall = build.room("Hall A", capacity=20)
    slot = build.slot(DAY_ONE, "10:00", "11:00")
    nights = build.proposal("Family nights that work", lead_role="family", language="es")
    build.proposal("Calm rooms", track="topic-mental-health", format="panel")
    build.release({nights: (slot, hall)})
    with app.app_context():
        summit = get_summit_by_slug("2027")
        family = services.save_ticket_type(
            summit, actor=None, code="family", name_en="Family member", name_es="Familiar",
            capacity=10,
        )  # fmt: skip
        set_regions(summit, {"Fresno": "Central Valley", "Los Angeles": "Greater LA"},
                    actor=None)  # fmt: skip
        people = []
        for name, email, county in (
            ("Rosa Pérez", "rosa@example.org", "Fresno"),
            ("Ben Brooks", "ben@example.org", "Los Angeles"),
            ("Ana Ortiz", "ana@example.org", "Fresno"),
        ):
            booking, secret = services.register(
                summit, contact_name=name, contact_email=email,
                people=[{"name": name, "email": email, "ticket_type": family, "county": county,
                         "role_type": "family", "accommodations": ["asl"]}],
            )  # fmt: skip
            services.confirm_booking(secret)
            people += booking.attendees
        rosa, ben, _ana = people
        entrance = checkin.ensure_entrances(summit)[0]
        from summit.proposals.models import Proposal

        proposal = db.session.scalar(db.select(Proposal).where(Proposal.code == nights))
        room = checkin.ensure_session_checkpoint(summit, proposal, capacity=None)
        for i, (attendee, checkpoint, hhmm) in enumerate(
            [(rosa, entrance, "09:05"), (ben, entrance, "09:20"), (rosa, room, "10:01")]
        ):
            checkin.record_scan(
                summit, token=services.ticket_token(summit, attendee), checkpoint=checkpoint,
                scan_id=f"e2e-{i}", actor=None, at=local(DAY_ONE, hhmm),
            )  # fmt: skip
        db.session.commit()


def _grant_lead(app, email: str) -> None:
    from summit.accounts.queries import get_user_by_email

    with app.app_context():
        summit = get_summit_by_slug("2027")
        grant_role(summit, get_user_by_email(email), "region_lead", actor=None,
                   region="Central Valley")  # fmt: skip
        db.session.commit()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_report_dashboards_for_staff_and_region_lead(live_server, browse, make_user, viewport):
    _seed(live_server)
    staff = make_user("sam@summit.example.org", name="Sam Staff", roles=("staff",), slug="2027")
    lead = make_user("lee@summit.example.org", name="Lee Lead")
    _grant_lead(live_server.app, lead)

    page = browse(viewport)
    log_in(page, live_server, staff)
    page.goto(live_server("/2027/staff/reports/programme"))
    expect(page.locator("h1")).to_have_text("Program report")
    expect(page.locator("svg.report-chart").first).to_be_visible()
    expect(page.locator("#table-programme-lead-roles")).to_contain_text("Family-led")
    check_a11y(page)
    page.goto(live_server("/2027/staff/reports/participation?day=2027-09-23"))
    expect(page.locator("#table-participation-regions")).to_contain_text("Greater LA")
    expect(page.locator("#table-sessions")).to_contain_text("Family nights that work")
    check_a11y(page)
    switch_language(page, "Español")
    expect(page.locator("h1")).to_have_text(es("Participation report"))
    check_a11y(page)
    page.goto(live_server("/2027/staff/reports/programme"))
    expect(page.locator("h1")).to_have_text(es("Program report"))
    check_a11y(page)

    page = browse(viewport)
    log_in(page, live_server, lead)
    page.goto(live_server("/2027/"))
    open_menu_if_collapsed(page)
    page.locator("header").get_by_role("link", name="Reports").click()
    expect(page.locator("h1")).to_have_text("Reports")
    expect(page.locator("main")).to_contain_text("You see the reports of Central Valley")
    check_a11y(page)
    page.get_by_role("link", name="Participation", exact=True).click()
    expect(page.locator("#table-participation-regions")).to_contain_text("Central Valley")
    expect(page.locator("#table-participation-regions")).not_to_contain_text("Greater LA")
    expect(page.locator("#filter-region")).to_have_count(0)
    check_a11y(page)
