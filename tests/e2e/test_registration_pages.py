"""Registration in a browser: a household of three in Spanish at phone width, axe clean."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from summit.extensions import db
from summit.registration import services
from summit.summits.queries import get_summit_by_slug
from tests.e2e.conftest import (
    check_a11y,
    es,
    log_in,
    open_menu_if_collapsed,
    switch_language,
    wait_for_mail,
)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def summit_values():
    now = datetime.now(UTC)
    return {
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=30),
    }


def test_household_registers_in_spanish_confirms_and_sees_tickets(live_server, browse, mailbox):
    with live_server.app.app_context():
        services.save_ticket_type(
            get_summit_by_slug("2027"),
            actor=None,
            code="family",
            name_en="Family member",
            name_es="Familiar",
            capacity=10,
        )
        db.session.commit()
    page = browse(PHONE)
    page.goto(live_server("/2027/register"))
    open_menu_if_collapsed(page)
    switch_language(page, "Español")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check_a11y(page)

    page.fill("#contact_name", "Rosa Pérez")
    page.fill("#contact_email", "rosa@example.org")
    page.fill("#people-0-name", "Rosa Pérez")
    page.get_by_role("button", name=es("Add another person")).click()
    page.fill("#people-1-name", "Ana Pérez")
    page.select_option("#people-1-age_band", "13_17")
    page.get_by_role("button", name=es("Add another person")).click()
    page.fill("#people-2-name", "Luis Pérez")
    page.select_option("#people-2-age_band", "under_13")
    page.fill("#people-2-guardian_name", "Rosa Pérez")
    page.fill("#people-2-guardian_email", "rosa.guardian@example.org")
    page.get_by_role("button", name=es("Register"), exact=True).click()
    expect(page.locator("#people-1-guardian_email-error")).to_be_visible()  # guardian needed
    check_a11y(page)
    page.fill("#people-1-guardian_name", "Rosa Pérez")
    page.fill("#people-1-guardian_email", "rosa.guardian@example.org")
    page.get_by_role("button", name=es("Register"), exact=True).click()
    expect(page.locator("h1")).to_have_text(es("Check your email"))
    check_a11y(page)

    message = wait_for_mail(mailbox, "rosa@example.org")
    link = re.search(r"http://\S+/register/confirm/\S+", mailbox.body(message)).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_have_text(es("Confirm your registration"))
    check_a11y(page)
    page.get_by_role("button", name=es("Confirm my registration")).click()

    expect(page.locator("h1")).to_have_text(es("Your tickets"))
    expect(page.locator(".ticket-qr")).to_have_count(3)
    expect(page.locator(".ticket-code")).to_have_count(3)
    check_a11y(page)


def _seed_household_needing_approval(live_server) -> str:
    """A confirmed family with needs, and a presenter waiting for staff approval."""
    with live_server.app.app_context():
        summit = get_summit_by_slug("2027")
        family = services.save_ticket_type(
            summit, actor=None, code="family", name_en="Family member", name_es="Familiar",
            capacity=10,
        )  # fmt: skip
        presenter = services.save_ticket_type(
            summit, actor=None, code="presenter", name_en="Presenter", name_es="Presentador(a)",
            capacity=5, requires_approval=True,
        )  # fmt: skip
        _booking, secret = services.register(
            summit,
            contact_name="Rosa Pérez",
            contact_email="rosa@example.org",
            people=[
                {
                    "name": "Rosa Pérez",
                    "email": "rosa@example.org",
                    "ticket_type": family,
                    "accommodations": ["asl"],
                    "county": "Fresno",
                },
                {
                    "name": "Ana Pérez",
                    "ticket_type": family,
                    "age_band": "13_17",
                    "guardian_name": "Rosa Pérez",
                    "guardian_email": "rosa@example.org",
                    "wants_interpretation": True,
                },
            ],
        )
        services.confirm_booking(secret)
        waiting, secret = services.register(
            summit,
            contact_name="Luis Ortega",
            contact_email="luis@example.org",
            people=[{"name": "Luis Ortega", "email": "luis@example.org", "ticket_type": presenter}],
        )
        services.confirm_booking(secret)
        db.session.commit()
        return waiting.code


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_registration_pages_accessible_and_approve(
    live_server, browse, make_user, mailbox, language
):
    staff = make_user("sam@summit.example.org", name="Sam Staff", roles=("staff",), slug="2027")
    code = _seed_household_needing_approval(live_server)
    t = es if language == "es" else (lambda text, **values: text % values if values else text)
    page = browse({"width": 1280, "height": 900})
    log_in(page, live_server, staff)
    if language == "es":
        page.goto(live_server("/2027/staff/registrations"))
        open_menu_if_collapsed(page)
        switch_language(page, "Español")

    page.goto(live_server("/2027/staff/registrations"))
    expect(page.locator("h1")).to_have_text(t("Registrations"))
    expect(page.locator("main table tbody tr")).to_have_count(3)
    check_a11y(page)
    page.select_option("#f-need", "interpretation")
    page.get_by_role("button", name=t("Filter"), exact=True).click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table tbody")).to_contain_text("Ana Pérez")

    page.goto(live_server("/2027/staff/registrations/needs"))
    expect(page.locator("h1")).to_have_text(t("Accommodations summary"))
    check_a11y(page)

    page.goto(live_server("/2027/staff/registrations/comp"))
    page.get_by_role("button", name=t("Add the ticket")).click()
    expect(page.locator("#name-error")).to_be_visible()  # required, kept on the page
    check_a11y(page)

    page.goto(live_server(f"/2027/staff/registrations/{code}"))
    expect(page.locator("main")).to_contain_text(t("Waiting for staff approval"))
    check_a11y(page)
    page.get_by_role("button", name=t("Approve")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        t("Approved. We emailed the registration.")
    )
    expect(page.locator("main")).to_contain_text(t("Confirmed"))
    check_a11y(page)
    assert wait_for_mail(mailbox, "luis@example.org") is not None
