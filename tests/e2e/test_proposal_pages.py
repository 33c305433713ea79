"""The call for proposals pages pass axe (WCAG 2.1 A/AA) in English and Spanish, at 390 and 1280.

Each test walks its pages in English, switches to Spanish with the header
button and walks them again; every page is checked at both widths by resizing
instead of reloading, and on a phone must not scroll sideways. Data comes from
the services, as the app's own pages create it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from summit.extensions import db
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    check_a11y,
    es,
    log_in,
    open_call_values,
    switch_language,
)

TITLE = "Family gardens that bring a school together"


@pytest.fixture
def summit_values():
    return open_call_values()


# --- data -------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    code: str
    invite_link: str
    consent_link: str | None


def _seed_proposal(server, lead_email: str, *, complete: bool, consent: bool) -> Seeded:
    """A proposal with an invited co-presenter and a student reached through a guardian."""
    from summit.accounts.queries import get_user_by_email
    from summit.proposals import services
    from summit.proposals.queries import get_format, list_questions
    from summit.summits.queries import get_summit_by_slug, get_track

    with server.app.app_context():
        summit = get_summit_by_slug("2027")
        services.ensure_call(summit)
        lead = get_user_by_email(lead_email)
        data = {"title": TITLE, "abstract": "Families and teachers plan the garden **together**."}
        if complete:
            data |= {
                "outcomes": "A garden calendar and three ways to invite families.",
                "format": get_format(summit, "workshop-60"),
                "track": get_track(summit, "pillar-family"),
                "language": "es",
                "lead_role": "family",
            }
        proposal = services.create_proposal(summit, actor=lead, data=data)
        invitation = services.invite_copresenter(
            proposal, actor=lead, email="luis@example.org", name="Luis Ortega"
        )
        student = services.add_presenter_without_email(
            proposal,
            actor=lead,
            name="Maya Méndez",
            role_type="student",
            age_band="13_17",
            guardian_name="Elena Méndez",
            guardian_email="elena@example.org",
        )
        if complete:
            services.submit_proposal(
                proposal, actor=lead, questions=list_questions(summit, active_only=True)
            )
        consent_secret = services.issue_consent_request(student) if consent else None
        db.session.commit()
        return Seeded(
            code=proposal.code,
            invite_link=server(f"/2027/invitations/{invitation.secret}"),
            consent_link=server(f"/2027/consent/{consent_secret}") if consent_secret else None,
        )


def _seed_call_extras(server, staff_email: str) -> str:
    """A custom question and an access code, so the staff call page lists both."""
    from summit.accounts.queries import get_user_by_email
    from summit.proposals import services
    from summit.summits.queries import get_summit_by_slug

    with server.app.app_context():
        summit = get_summit_by_slug("2027")
        staff = get_user_by_email(staff_email)
        question = services.save_question(
            summit,
            actor=staff,
            kind="single_choice",
            prompt_en="Have you presented before?",
            prompt_es="¿Ha presentado antes?",
            options=services.parse_options("Never | Nunca\nOnce or twice | Una o dos veces"),
            is_required=True,
        )
        services.create_access_code(summit, actor=staff, note="Late keynote team", max_uses=2)
        db.session.commit()
        return question.public_id


# --- walking the pages --------------------------------------------------------

Visit = Callable[[object, Callable[[str], str]], None]


def _english(msgid: str, **values) -> str:
    return msgid % values if values else msgid


def _check(page) -> None:
    """axe, and on a phone nothing wider than the screen (no sideways scrolling)."""
    check_a11y(page)
    if page.viewport_size == PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width} px wide on a phone"


def _walk(page, visits: list[Visit]) -> None:
    """Each visit in English, then in Spanish; checked at the current width, then the other."""
    for language in ("en", "es"):
        if language == "es":
            switch_language(page, "Español")
        for visit in visits:
            visit(page, es if language == "es" else _english)
            expect(page.locator("html")).to_have_attribute("lang", language)
            first = page.viewport_size
            _check(page)
            page.set_viewport_size(DESKTOP if first == PHONE else PHONE)
            _check(page)


def _goto(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"


def _post(page, button) -> None:
    """Press a submit button; the answer is the same form with its errors (422)."""
    with page.expect_navigation() as navigation:
        button.click()
    status = navigation.value.status
    assert status == 422, f"{page.url} answered {status}"


def _h1(page, text: str) -> None:
    expect(page.locator("main h1")).to_have_text(text)


# --- presenters ---------------------------------------------------------------


def test_lead_presenter_pages_accessible(live_server, browse, make_user):
    email = make_user(name="Rosa Méndez", presenter_role="family")
    seeded = _seed_proposal(live_server, email, complete=False, consent=False)
    page = browse(PHONE)
    log_in(page, live_server, email)

    def my_proposals_with_one(page, t):
        _goto(page, live_server("/2027/proposals/"))
        _h1(page, t("My proposals"))
        card = page.locator("main .card")
        expect(card).to_have_count(1)
        expect(card.locator(".state-badge")).to_have_text(t("Draft"))

    def new_form_with_field_errors(page, t):
        _goto(page, live_server("/2027/proposals/new"))
        page.locator("#title").fill("A title far too long " * 8)
        page.locator("#abstract").fill("palabra " * 301)
        expect(page.locator("#abstract-count")).to_have_class("form-text word-count over-limit")
        _post(page, page.locator('button[name="action"][value="draft"]'))
        expect(page.locator("#title-error")).to_be_visible()
        expect(page.locator("#abstract-error")).to_be_visible()
        expect(page.locator("#title")).to_have_value("A title far too long " * 8)  # as typed
        expect(page.locator("#abstract-count")).to_have_text(
            "301 de 300 palabras" if t is es else "301 of 300 words"
        )

    def edit_form_refused_submit(page, t):
        _goto(page, live_server(f"/2027/proposals/{seeded.code}/edit"))
        _post(page, page.locator('button[name="action"][value="submit"]'))
        expect(page.locator(".flash-messages")).to_contain_text(
            t("Your draft is saved. A few things are missing before you can submit it.")
        )
        for name in ("outcomes", "format", "track", "lead_role"):
            expect(page.locator(f"#{name}-error")).to_be_visible()
        expect(page.locator("fieldset:has(#format-0)")).to_have_attribute(
            "aria-describedby", re.compile(r"\bformat-error\b")
        )

    def detail_with_team(page, t):
        _goto(page, live_server(f"/2027/proposals/{seeded.code}"))
        _h1(page, TITLE)
        team = page.locator("#team .list-group-item")
        expect(team).to_have_count(3)
        expect(team.filter(has_text="Luis Ortega")).to_contain_text(t("Invitation sent"))
        expect(team.filter(has_text="Maya Méndez")).to_contain_text("Elena Méndez")
        page.locator("#team details summary").click()  # the guardian form, open
        expect(page.locator("#team details form")).to_be_visible()

    _walk(page, [my_proposals_with_one, new_form_with_field_errors, edit_form_refused_submit,
                 detail_with_team])  # fmt: skip


def test_visitor_guardian_and_invitee_pages_accessible(live_server, browse, make_user):
    lead_email = make_user(name="Rosa Méndez", presenter_role="family")
    seeded = _seed_proposal(live_server, lead_email, complete=True, consent=True)
    newcomer = make_user(name="Luis Ortega", presenter_role="community_partner")
    page = browse(PHONE)

    def call_page(page, t):
        _goto(page, live_server("/2027/call"))
        _h1(page, t("Call for proposals"))
        expect(page.locator("main .lead")).to_contain_text(
            t("The call is open until %(when)s.").split("%(when)s")[0]
        )

    def invitation(page, t):
        _goto(page, seeded.invite_link)
        _h1(page, t("Invitation to present"))
        expect(page.locator("main blockquote")).to_have_text(TITLE)

    def consent_form(page, t):
        _goto(page, seeded.consent_link)
        _h1(page, t("Guardian consent"))
        expect(page.locator("main")).to_contain_text("Maya Méndez")

    def consent_form_with_errors(page, t):
        _goto(page, seeded.consent_link)
        _post(page, page.locator("main form button[type=submit]"))
        expect(page.locator("#decision-error")).to_have_text(t("Please choose yes or no."))
        expect(page.locator("#signed_name")).to_have_attribute("aria-invalid", "true")

    _walk(page, [call_page, invitation, consent_form, consent_form_with_errors])

    # Logged in as someone with no proposals yet, back in English (the profile's language).
    log_in(page, live_server, newcomer)

    def my_proposals_empty(page, t):
        _goto(page, live_server("/2027/proposals/"))
        _h1(page, t("My proposals"))
        expect(page.locator("main .empty-state")).to_be_visible()

    def invitation_logged_in(page, t):
        invitation(page, t)
        expect(page.get_by_role("button", name=t("Accept and join"))).to_be_visible()

    _walk(page, [my_proposals_empty, invitation_logged_in])


# --- staff --------------------------------------------------------------------


def test_staff_call_and_proposal_pages_accessible(live_server, browse, make_user):
    staff = make_user(name="Sam Staff", roles=("staff",), slug="2027")
    lead = make_user(name="Rosa Méndez", presenter_role="family", county="Fresno")
    seeded = _seed_proposal(live_server, lead, complete=True, consent=True)
    question = _seed_call_extras(live_server, staff)
    filters = (
        "state=submitted&track=pillar-family&format=workshop-60&lead_role=family"
        "&county=Fresno&language=es&has_minors=1&q=garden"
    )
    page = browse(PHONE)
    log_in(page, live_server, staff)

    def filtered_list(page, t):
        _goto(page, live_server(f"/2027/staff/proposals?{filters}"))
        _h1(page, t("Proposals"))
        expect(page.locator("#f-minors")).to_be_checked()
        expect(page.locator("#f-county")).to_have_value("Fresno")
        expect(page.locator("main table tbody tr")).to_have_count(1)
        expect(page.locator("main table tbody")).to_contain_text(seeded.code)

    def proposal_detail(page, t):
        _goto(page, live_server(f"/2027/staff/proposals/{seeded.code}"))
        _h1(page, TITLE)
        expect(page.locator("main")).to_contain_text("Maya Méndez")
        expect(page.locator("#state")).to_be_visible()

    def call_settings(page, t):
        _goto(page, live_server("/2027/staff/call"))
        _h1(page, t("Call for proposals settings"))
        expect(page.locator("main")).to_contain_text("Have you presented before?")
        expect(page.locator("main table")).to_contain_text("Late keynote team")

    def form_page(path: str, title: str, *, translated: bool = True) -> Visit:
        def visit(page, t):
            _goto(page, live_server(path))
            _h1(page, t(title) if translated else title)
            expect(page.locator("main form button[type=submit]")).to_be_visible()

        return visit

    def group_email(page, t):
        _goto(page, live_server(f"/2027/staff/proposals/email?{filters}"))
        _h1(page, t("Email presenters"))
        expect(page.locator("main")).to_contain_text(
            t("%(num)d proposal matches your filters.", num=1)
        )

    _walk(
        page,
        [
            filtered_list,
            proposal_detail,
            call_settings,
            form_page("/2027/staff/call/formats/new", "Add a format"),
            form_page(
                f"/2027/staff/call/questions/{question}",
                "Have you presented before?",
                translated=False,
            ),
            form_page("/2027/staff/call/codes/new", "Create an access code"),
            group_email,
        ],
    )
