"""A family member proposes a session in Spanish on a phone, with a co-presenter who joins by email.

The lead saves a draft, invites a co-presenter, and submits once the co-presenter
(a new person, signing up through the invitation link and confirming their
email) has accepted. Mail goes through the real loopback SMTP server; Spanish
expectations come from the catalog read at test time. Every page passes axe.
"""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for
from tests.e2e.conftest import (
    PHONE,
    check_a11y,
    es,
    log_in,
    open_call_values,
    open_menu_if_collapsed,
    switch_language,
)

PASSWORD = "a long walk to the summit"
SUMMIT = "Community Schools Summit 2027"
LINK = re.compile(r"https?://\S+")
ABSTRACT = "Families and teachers plan the school garden together, every month."
TITLE = "Family gardens that bring a school together"


@pytest.fixture
def summit_values():
    return open_call_values()


def _mail(mailbox, address: str, subject: str, timeout: float = 10.0):
    """The message to ``address`` with this subject, waiting a bounded time for it."""

    def find():
        return [m for m in mailbox.to(address) if m["Subject"] == subject]

    found = wait_for(find, timeout=timeout)
    subjects = [m["Subject"] for m in mailbox.to(address)]
    assert found, f"no mail “{subject}” reached {address} within {timeout}s; got {subjects}"
    assert len(found) == 1, f"{len(found)} mails “{subject}” reached {address}"
    return found[0]


def _link(mailbox, message, path: str) -> str:
    links = [url for url in LINK.findall(mailbox.body(message)) if path in url]
    assert links, f"no {path} link in:\n{mailbox.body(message)}"
    return links[0]


def _nav(page, href: str) -> None:
    open_menu_if_collapsed(page)
    with page.expect_navigation():
        page.locator(f'header a[href="{href}"]').click()


def _flash(page):
    return page.locator(".flash-messages")


def _lead_starts_a_draft(page, server) -> str:
    """Call page → new proposal → a draft with a title and part of a description."""
    _nav(page, "/2027/call")
    expect(page.locator("h1")).to_have_text(es("Call for proposals"))
    expect(page.locator("main .lead")).to_contain_text(
        es("The call is open until %(when)s.").split("%(when)s")[0]
    )
    check_a11y(page)

    with page.expect_navigation():
        page.get_by_role("link", name=es("Start a proposal")).click()
    expect(page).to_have_url(server("/2027/proposals/new"))
    expect(page.locator("h1")).to_have_text(es("New proposal"))
    expect(page.locator("#lead_role")).to_have_value("family")  # from the profile
    check_a11y(page)

    # The live word count under the description, in Spanish, follows the typing.
    abstract = page.get_by_label(es("What is your session about?"))
    limit = page.locator("[data-word-limit]").filter(has=abstract).get_attribute("data-word-limit")
    count = page.locator("#abstract-count")
    expect(count).to_have_text(f"0 de {limit} palabras")
    expect(abstract).to_have_attribute("aria-describedby", re.compile(r"\babstract-count\b"))
    abstract.press_sequentially("Familias y maestros")
    expect(count).to_have_text(f"3 de {limit} palabras")
    abstract.fill(ABSTRACT)
    expect(count).to_have_text(f"{len(ABSTRACT.split())} de {limit} palabras")
    # Screen readers hear the count once typing pauses, not after every key.
    expect(page.locator("#abstract-count + [role=status]")).to_have_text(count.inner_text())

    page.get_by_label(es("Title of your session")).fill(TITLE)
    with page.expect_navigation():
        page.get_by_role("button", name=es("Save draft")).click()
    match = re.search(r"/2027/proposals/(PRO-[A-Z0-9]+)$", page.url)
    assert match, f"not on a proposal page after saving: {page.url}"
    expect(_flash(page)).to_have_text(
        es("Your draft is saved. You can come back and finish it any time.")
    )
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main .state-badge")).to_have_text(es("Draft"))
    expect(page.locator("#missing-list")).to_contain_text(es("what participants will take away"))
    check_a11y(page)
    return match.group(1)


def _lead_invites(page, email: str) -> None:
    team = page.locator("#team")
    team.get_by_label(es("Their email")).fill(email)
    team.get_by_label(es("Their name (optional)")).fill("Luis")
    with page.expect_navigation():
        team.get_by_role("button", name=es("Send invitation")).click()
    expect(_flash(page)).to_have_text(es("We sent an invitation to %(email)s.", email=email))
    invited = team.locator(".list-group-item").filter(has_text=email)
    expect(invited).to_contain_text(es("Invitation sent"))
    check_a11y(page)


def _copresenter_joins(page, server, mailbox, email: str, invitation_link: str, code: str):
    """A new person: invitation → sign up → confirm by email → back at the invitation → accept."""
    page.goto(invitation_link)
    expect(page.locator("h1")).to_have_text("Invitation to present")
    expect(page.locator("main blockquote")).to_have_text(TITLE)
    check_a11y(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Create an account").click()
    expect(page.locator("h1")).to_have_text("Create an account")
    check_a11y(page)
    page.get_by_label("Full name").fill("Luis Ortega")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    check_a11y(page)

    confirm = _mail(mailbox, email, "Confirm your email for the Community Schools Summit")
    page.goto(_link(mailbox, confirm, "/account/verify/"))
    expect(page).to_have_url(invitation_link)  # brought back to the invitation
    expect(_flash(page)).to_contain_text("your email is confirmed")
    expect(page.locator("main")).to_contain_text(f"You are logged in as {email}.")
    check_a11y(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Accept and join").click()
    expect(page).to_have_url(server(f"/2027/proposals/{code}"))
    expect(_flash(page)).to_have_text(
        "Welcome to the team! You are now a presenter on this proposal."
    )
    expect(page.locator("#team")).to_contain_text("Luis Ortega")
    check_a11y(page)


def _lead_completes_and_submits(page, server, code: str) -> None:
    page.reload()
    team = page.locator("#team .list-group-item").filter(has_text="Luis Ortega")
    expect(team).to_contain_text(es("Accepted"))
    check_a11y(page)

    with page.expect_navigation():
        page.get_by_role("link", name=es("Edit proposal")).click()
    expect(page.locator("h1")).to_have_text(es("Edit proposal"))
    expect(page.get_by_label(es("Title of your session"))).to_have_value(TITLE)
    expect(page.locator("#abstract-count")).to_contain_text(f"{len(ABSTRACT.split())} de ")
    check_a11y(page)
    page.get_by_label(es("What will participants take away?")).fill(
        "Un calendario de huerto escolar y tres maneras de invitar a las familias."
    )
    page.get_by_label(re.compile(r"^Taller \(60 minutos\)")).check()  # the format's own name
    page.get_by_label(es("Main topic")).select_option("pillar-family")
    page.get_by_label(es("Spanish"), exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name=es("Save and submit")).click()

    expect(page).to_have_url(server(f"/2027/proposals/{code}"))
    expect(_flash(page)).to_have_text(
        es("Your proposal %(code)s is submitted. We sent you a receipt.", code=code)
    )
    expect(page.locator("main .state-badge")).to_have_text(es("Submitted"))
    expect(page.locator(".next-step")).to_contain_text(
        es(
            "We have your proposal. You can still edit it until the call closes. "
            "Reviewers read it after that."
        )
    )
    expect(page.locator("#missing-list")).to_have_count(0)
    check_a11y(page)

    _nav(page, "/2027/proposals/")
    expect(page.locator("h1")).to_have_text(es("My proposals"))
    card = page.locator("main .card").filter(has_text=code)
    expect(card.locator(".state-badge")).to_have_text(es("Submitted"))
    expect(card.get_by_role("link")).to_have_text(TITLE)
    check_a11y(page)


def test_family_member_proposes_in_spanish_with_a_copresenter_on_a_phone(
    live_server, browse, make_user, mailbox
):
    lead_email = make_user(name="Rosa Méndez", presenter_role="family")
    guest_email = f"luis-{secrets.token_hex(3)}@example.org"
    lead = browse(PHONE)

    lead.goto(live_server("/account/login"))
    check_a11y(lead)
    log_in(lead, live_server, lead_email)
    check_a11y(lead)
    switch_language(lead, "Español")
    expect(lead.locator("html")).to_have_attribute("lang", "es")
    check_a11y(lead)

    code = _lead_starts_a_draft(lead, live_server)
    _lead_invites(lead, guest_email)

    # The invitation is written in the lead's language, over real SMTP.
    invitation = _mail(
        mailbox,
        guest_email,
        es("%(name)s invites you to present at %(summit)s", name="Rosa Méndez", summit=SUMMIT),
    )
    link = _link(mailbox, invitation, "/2027/invitations/")
    assert link.startswith(live_server("/2027/invitations/"))

    guest = browse(PHONE)  # a second browser context: nobody is logged in there
    _copresenter_joins(guest, live_server, mailbox, guest_email, link, code)

    _lead_completes_and_submits(lead, live_server, code)

    # The receipt, in the lead's language (the profile took the header's choice).
    receipt = _mail(mailbox, lead_email, es("We received your proposal %(code)s", code=code))
    body = mailbox.body(receipt)
    assert es("Hello %(name)s,", name="Rosa Méndez") in body
    assert es(
        "Thank you for submitting “%(title)s” to %(summit)s.", title=TITLE, summit=SUMMIT
    ) in (" ".join(body.split()))
    assert live_server(f"/2027/proposals/{code}") in body
