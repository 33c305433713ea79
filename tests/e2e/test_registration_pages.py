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
