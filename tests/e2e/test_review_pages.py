"""The review pages pass axe (WCAG 2.1 A/AA) in English and Spanish, at 390 and 1280.

Each test logs in once, walks its pages in English, switches to Spanish with
the header button and walks them again; every page is checked at both widths
by resizing instead of reloading. Data comes from the services, like the app's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
from tests.e2e.test_review_flow import CRITERIA, PROPOSALS, REVIEWER, seed_review

SECOND_REVIEWER = "sol.reviewer@reviewers.example.net"
NEWCOMER = "nia.newcomer@reviewers.example.net"
BLIND_TITLE = "A family garden that brings a school together"


@pytest.fixture
def summit_values():
    return open_call_values()


# --- data -------------------------------------------------------------------


def _add_reviews(server, reviews: list[tuple[str, str, int]]) -> None:
    """(reviewer email, proposal code, one score for every criterion) → submitted reviews."""
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.queries import get_proposal
    from summit.reviews import services
    from summit.summits.queries import get_summit_by_slug

    with server.app.app_context():
        summit = get_summit_by_slug("2027")
        for email, code, score in reviews:
            services.submit_review(
                get_proposal(summit, code),
                reviewer=get_user_by_email(email),
                scores=dict.fromkeys(CRITERIA, score),
                comment_committee=f"Scored {score} on every criterion.",
                comment_presenters="Thank you for the clear plan.",
            )
        db.session.commit()


def _anonymize_title(server, code: str, title: str) -> None:
    """Staff's anonymized title, which reviewers see instead of the presenter's."""
    from summit.proposals.queries import get_proposal
    from summit.reviews import services
    from summit.summits.queries import get_summit_by_slug

    with server.app.app_context():
        proposal = get_proposal(get_summit_by_slug("2027"), code)
        services.save_blind_text(proposal, actor=None, title=title, abstract="", outcomes="")
        db.session.commit()


def _staff_extras(server, staff_email: str, codes: tuple[str, ...]) -> None:
    """Decisions marked, a capacity, a conflict, an anonymized text, normalization on."""
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.queries import get_proposal
    from summit.reviews import services
    from summit.reviews.enums import ConflictSource
    from summit.summits.queries import get_summit_by_slug, get_track

    with server.app.app_context():
        summit = get_summit_by_slug("2027")
        staff = get_user_by_email(staff_email)
        services.update_settings(summit, actor=staff, min_reviews_to_normalise=2)
        first, second, _third = (get_proposal(summit, code) for code in codes)
        services.set_pending_decision(first, "accepted", actor=staff)
        services.set_pending_decision(second, "waitlisted", actor=staff)
        services.set_capacity(get_track(summit, "pillar-family"), 2, actor=staff)
        services.declare_conflict(
            first,
            reviewer=get_user_by_email(NEWCOMER),
            actor=staff,
            reason="Former colleague",
            source=ConflictSource.STAFF,
        )
        services.save_blind_text(
            first,
            actor=staff,
            title="",
            abstract="A family network plans a school garden together.",
            outcomes="",
        )
        db.session.commit()


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


def _goto(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, f"{url} answered {response.status}"


def _post(page, button, status: int = 422) -> None:
    """Press a submit button; the answer is the same page with its errors (422)."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    assert answer.value.status == status, f"{page.url} answered {answer.value.status}"
    page.wait_for_load_state()


def _h1(page, text: str) -> None:
    expect(page.locator("main h1")).to_have_text(text)


# --- reviewers ----------------------------------------------------------------


def test_reviewer_pages_accessible(live_server, browse, make_user):
    seeded = seed_review(live_server, make_user, reviewers=(REVIEWER, SECOND_REVIEWER))
    make_user(NEWCOMER, name="Nia Newcomer", roles=("reviewer",), slug="2027")
    first, second, _third = seeded.codes
    _add_reviews(live_server, [(SECOND_REVIEWER, first, 2), (REVIEWER, first, 4)])
    _anonymize_title(live_server, first, BLIND_TITLE)

    # Nothing is assigned to a reviewer who joined after the review started.
    page = browse(PHONE)
    log_in(page, live_server, NEWCOMER)

    def queue_empty(page, t):
        _goto(page, live_server("/2027/review/"))
        _h1(page, t("My reviews"))
        expect(page.locator("main .empty-state")).to_have_text(
            t(
                "No proposals are assigned to you yet. Staff assign them when the review starts; "
                "you will find them here."
            )
        )
        expect(page.locator("main p[role=status]")).to_contain_text(
            t("%(done)d of %(total)d reviewed.", done=0, total=0)
        )

    _walk(page, [queue_empty])

    page = browse(DESKTOP)
    log_in(page, live_server, REVIEWER)

    def queue_with_items(page, t):
        _goto(page, live_server("/2027/review/"))
        _h1(page, t("My reviews"))
        expect(page.locator("main p[role=status]")).to_contain_text(
            t("%(done)d of %(total)d reviewed.", done=1, total=3)
        )
        expect(page.locator("main ol li")).to_have_count(3)
        expect(page.get_by_role("link", name=t("Review the next proposal"))).to_be_visible()
        page.locator("main details summary").click()  # how the total is calculated, open
        expect(page.locator("main details ul li")).to_have_count(len(CRITERIA))

    def all_proposals(page, t):
        _goto(page, live_server("/2027/review/proposals"))
        _h1(page, t("Proposals under review"))
        items = page.locator("main .list-group-item")
        expect(items).to_have_count(3)
        expect(items.first).to_contain_text(BLIND_TITLE)  # blind: staff's title, not theirs
        expect(page.locator("main")).not_to_contain_text(PROPOSALS[0][2])
        conflict = page.get_by_role("button", name=f"{t('Declare a conflict')} {first}")
        expect(conflict).to_be_visible()

    def expertise(page, t):
        _goto(page, live_server("/2027/review/expertise"))
        _h1(page, t("Topics you know well"))
        expect(page.locator("main fieldset input[type=checkbox]").first).to_be_visible()

    def reviewed_with_other_reviews(page, t):
        _goto(page, live_server(f"/2027/review/{first}"))
        _h1(page, BLIND_TITLE)
        expect(page.locator(f'input[name="score_{CRITERIA[0]}"]:checked')).to_have_value("4")
        expect(page.locator("main")).to_contain_text(t("Other reviews"))
        expect(page.locator("main")).to_contain_text("Scored 2 on every criterion.")
        page.locator("main details summary").click()  # the conflict form, open
        expect(page.locator("#reason")).to_be_visible()

    def review_form_with_errors(page, t):
        _goto(page, live_server(f"/2027/review/{second}"))
        page.locator(f'input[name="score_{CRITERIA[0]}"][value="3"]').check()
        _post(page, page.locator('button[name=action][value="stay"]'))
        expect(page.locator("main .alert-danger")).to_contain_text(
            t("Please check the highlighted fields.")
        )
        for code in CRITERIA[1:]:
            expect(page.locator(f"#score_{code}-error")).to_have_text(t("Choose a score."))
            expect(page.locator(f"fieldset:has(#score_{code}-0)")).to_have_attribute(
                "aria-describedby", re.compile(rf"\bscore_{code}-error\b")
            )
        expect(page.locator(f'input[name="score_{CRITERIA[0]}"]:checked')).to_have_value("3")

    _walk(
        page,
        [queue_with_items, all_proposals, expertise, reviewed_with_other_reviews,
         review_form_with_errors],
    )  # fmt: skip


# --- staff --------------------------------------------------------------------


def test_staff_review_pages_accessible(live_server, browse, make_user):
    staff = make_user("sam@summit.example.org", name="Sam Staff", roles=("staff",), slug="2027")
    seeded = seed_review(live_server, make_user, reviewers=(REVIEWER, SECOND_REVIEWER))
    make_user(NEWCOMER, name="Nia Newcomer", roles=("reviewer",), slug="2027")
    first, second, third = seeded.codes
    _add_reviews(
        live_server,
        [(REVIEWER, code, 4) for code in seeded.codes]
        + [(SECOND_REVIEWER, first, 1), (SECOND_REVIEWER, second, 2), (SECOND_REVIEWER, third, 1)],
    )
    _staff_extras(live_server, staff, seeded.codes)
    page = browse(DESKTOP)
    log_in(page, live_server, staff)

    def overview(page, t):
        _goto(page, live_server("/2027/staff/review"))
        _h1(page, t("Review"))
        expect(page.locator("#progress-heading + div table tbody tr")).to_have_count(3)
        expect(page.locator("#reviews_per_proposal")).to_have_value("3")
        rubric = page.locator("section[aria-labelledby=rubric-heading] li")
        expect(rubric.first).to_contain_text(  # criteria named in the page's language
            "Alineación con el marco" if t is es else "Alignment with the framework"
        )

    def selection(page, t):
        _goto(page, live_server("/2027/staff/selection"))
        _h1(page, t("Selection"))
        expect(page.locator("main table tbody tr")).to_have_count(3)
        expect(page.locator(f"#row-{first} [aria-pressed=true]")).to_contain_text(t("Accept"))
        expect(page.locator(f"#row-{second} [aria-pressed=true]")).to_contain_text(
            t("Waiting list")
        )
        expect(page.locator(f"#row-{third} [aria-pressed=false]")).to_have_count(3)
        expect(page.locator("main table .badge.text-bg-warning").first).to_be_visible()
        harsh_or_lenient = t("Reviewers who score differently from most:")
        expect(page.locator("main")).to_contain_text(harsh_or_lenient)

    def selection_one_track(page, t):
        _goto(page, live_server("/2027/staff/selection?track=pillar-family"))
        _h1(page, t("Selection"))
        expect(page.locator("#s-track")).to_have_value("pillar-family")
        expect(page.locator("main table tbody tr")).to_have_count(1)
        expect(page.locator("#slots")).to_have_value("2")

    def proposal_reviews(page, t):
        _goto(page, live_server(f"/2027/staff/review/proposals/{first}"))
        _h1(page, PROPOSALS[0][2])
        expect(page.locator("main .card")).to_have_count(2)
        expect(page.locator("main")).to_contain_text("Former colleague")
        expect(page.locator("#blind-abstract")).to_have_value(
            "A family network plans a school garden together."
        )

    def criterion_new_with_errors(page, t):
        _goto(page, live_server("/2027/staff/review/criteria/new"))
        _h1(page, t("Add a criterion"))
        page.locator("#code").fill("Not A Code")
        _post(page, page.locator("main form button[type=submit]"))
        expect(page.locator("#code-error")).to_have_text(t("Lowercase letters, digits, hyphens."))
        expect(page.locator("#name_en-error")).to_have_text(t("This field is required."))
        expect(page.locator("#name_en")).to_have_attribute("aria-invalid", "true")

    _walk(
        page,
        [overview, selection, selection_one_track, proposal_reviews, criterion_new_with_errors],
    )
