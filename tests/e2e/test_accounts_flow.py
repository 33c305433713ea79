"""A visitor signs up, confirms the email, logs in, switches to Spanish, edits the profile.

The Spanish expectations come from the catalog itself (the .po file read at
test time), so they follow the translators' wording instead of copying it.
"""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    VIEWPORTS,
    check_a11y,
    es,
    open_menu_if_collapsed,
    switch_language,
    wait_for_mail,
)

PASSWORD = "a long walk to the summit"
VERIFY_LINK = re.compile(r"https?://\S+/account/verify/\S+")


def _click_in_header(page, selector: str) -> None:
    open_menu_if_collapsed(page)
    with page.expect_navigation():
        page.locator(f"header {selector}").click()


def _main_text(page) -> str:
    return page.locator("main").inner_text()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_visitor_signs_up_confirms_switches_to_spanish_and_edits_profile(
    live_server, browse, mailbox, viewport
):
    email = f"ana-{secrets.token_hex(3)}@example.org"
    page = browse(viewport)

    # Home: / sends the visitor to the current summit.
    page.goto(live_server("/"))
    expect(page).to_have_url(live_server("/2027/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Community Schools Summit 2027")
    check_a11y(page)

    # Sign up with name, email and password only.
    _click_in_header(page, 'a[href="/account/signup"]')
    expect(page.locator("h1")).to_have_text("Create an account")
    check_a11y(page)
    page.get_by_label("Full name").fill("Ana Ramírez")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    expect(page.locator("main .lead")).to_contain_text(email)
    check_a11y(page)

    # The confirmation mail arrives over real SMTP; its link opens the account.
    mail = wait_for_mail(mailbox, email)
    assert mail["Subject"] == "Confirm your email for the Community Schools Summit"
    link = VERIFY_LINK.search(mailbox.body(mail)).group(0)
    assert link.startswith(live_server("/account/verify/"))
    page.goto(link)
    expect(page).to_have_url(live_server("/account/profile"))
    expect(page.locator(".flash-messages")).to_contain_text("your email is confirmed")
    expect(page.locator("#name")).to_have_value("Ana Ramírez")
    check_a11y(page)

    # Confirming logs the visitor in: log out, then log in with the password.
    _click_in_header(page, 'form[action="/account/logout"] button')
    expect(page.locator(".flash-messages")).to_contain_text("You are logged out on every device.")
    check_a11y(page)
    _click_in_header(page, 'a[href="/account/login"]')
    expect(page.locator("h1")).to_have_text("Log in")
    check_a11y(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server("/2027/"))
    open_menu_if_collapsed(page)
    expect(page.locator('header a[href="/account/profile"]')).to_have_text("My profile")
    english_home = _main_text(page)
    check_a11y(page)

    # Español from the header button.
    switch_language(page, "Español")
    expect(page).to_have_url(live_server("/2027/"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    open_menu_if_collapsed(page)
    expect(page.locator("header form.lang-switch button")).to_have_text("English")
    expect(page.locator('header a[href="/account/profile"]')).to_have_text(es("My profile"))
    assert _main_text(page) != english_home, "the summit home is still in English"
    check_a11y(page)

    # Edit the profile in Spanish.
    _click_in_header(page, 'a[href="/account/profile"]')
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text(es("My profile"))
    expect(page.locator('label[for="pronouns"]')).to_have_text(es("Pronouns"))
    expect(page.locator("#preferred_language")).to_have_value("es")
    check_a11y(page)
    page.get_by_label(es("Pronouns")).fill("ella")
    page.get_by_label(es("County"), exact=True).select_option("Fresno")
    with page.expect_navigation():
        page.get_by_role("button", name=es("Save profile")).click()
    expect(page).to_have_url(live_server("/account/profile"))
    expect(page.locator(".flash-messages")).to_have_text(es("Your profile is saved."))
    expect(page.locator("#pronouns")).to_have_value("ella")
    expect(page.locator("#county")).to_have_value("Fresno")
    expect(page.locator("#name")).to_have_value("Ana Ramírez")
    check_a11y(page)

    # Log out: the language stays, the profile is closed.
    _click_in_header(page, 'form[action="/account/logout"] button')
    expect(page).to_have_url(live_server("/2027/"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".flash-messages")).to_have_text(es("You are logged out on every device."))
    open_menu_if_collapsed(page)
    expect(page.locator('header a[href="/account/login"]')).to_have_text(es("Log in"))
    check_a11y(page)
    page.goto(live_server("/account/profile"))
    expect(page).to_have_url(re.compile(re.escape(live_server("/account/login"))))
