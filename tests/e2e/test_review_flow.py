"""A reviewer scores three proposals with the keyboard only, and every page passes axe.

The reviewer logs in, starts from the queue, follows "Review the next proposal"
and scores each criterion with number keys, arrow keys or the space bar, then
"Save and next" carries them to the following proposal. Nothing is clicked.
Each page is checked by axe (WCAG 2.1 A/AA) at 1280 and 390 pixels; the width
alternates, so proposals are scored both on a desktop and on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from summit.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, open_call_values

REVIEWER = "rhea.reviewer@reviewers.example.net"
CRITERIA = ("alignment", "community-voice", "practical-value", "equity", "clarity")

# Lead presenters (name, email, organization, role type), a track and a title each.
PROPOSALS = (
    (
        ("Rosa Méndez", "rosa@fresno-families.example.org", "Fresno Family Network", "family"),
        "pillar-family",
        "Family gardens that bring a school together",
    ),
    (
        ("Jamal Okafor", "jamal@oakland-youth.example.org", "Oakland Youth Voices", "student"),
        "topic-student-voice",
        "Students run the school climate survey",
    ),
    (
        ("Mei Lin Chen", "mei@valley-usd.example.org", "Valley Unified", "educator"),
        "pillar-supports",
        "One front door for student supports",
    ),
)
PRESENTER_DETAILS = [detail for (lead, _track, _title) in PROPOSALS for detail in lead[:3]]


@pytest.fixture
def summit_values():
    return open_call_values()


# --- data -------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    codes: tuple[str, ...]  # in the order the queue hands them out


def seed_review(server, make_user, *, reviewers: tuple[str, ...] = (REVIEWER,)) -> Seeded:
    """Three submitted proposals, moved to review and assigned to ``reviewers``."""
    from summit.accounts.queries import get_user_by_email
    from summit.proposals import services as proposal_services
    from summit.proposals.queries import get_format, list_questions
    from summit.reviews import services
    from summit.summits.queries import get_summit_by_slug, get_track

    for email in reviewers:
        name = email.split("@")[0].replace(".", " ").title()
        make_user(email, name=name, roles=("reviewer",), slug="2027")
    for (name, email, org, role), _track, _title in PROPOSALS:
        make_user(email, name=name, organisation=org, presenter_role=role)
    with server.app.app_context():
        summit = get_summit_by_slug("2027")
        proposal_services.ensure_call(summit)
        questions = list_questions(summit, active_only=True)
        codes = []
        for (_name, email, _org, role), track, title in PROPOSALS:
            lead = get_user_by_email(email)
            proposal = proposal_services.create_proposal(
                summit,
                actor=lead,
                data={
                    "title": title,
                    "abstract": f"{title}: what we tried, what worked, what we would change.",
                    "outcomes": "A plan for the first month and a checklist to adapt.",
                    "format": get_format(summit, "workshop-60"),
                    "track": get_track(summit, track),
                    "language": "en",
                    "lead_role": role,
                },
            )
            proposal_services.submit_proposal(proposal, actor=lead, questions=questions)
            codes.append(proposal.code)
        assert services.start_review(summit, actor=None) == len(PROPOSALS)
        db.session.commit()
    return Seeded(codes=tuple(codes))


# --- the keyboard -------------------------------------------------------------


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement?.matches(s) ?? false", selector)


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector``; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            assert _focused(page, ":focus-visible"), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector} on {page.url}")


def _check_both_widths(page) -> None:
    """axe at the current width, then at the other one (the page stays at the other)."""
    first = page.viewport_size
    check_a11y(page)
    page.set_viewport_size(DESKTOP if first == PHONE else PHONE)
    check_a11y(page)


# How each proposal is scored: (keys pressed in each criterion's group, the score expected).
# A group is entered on its first radio button; digits choose directly (review-keys.js),
# arrows move and check, the space bar checks the focused button.
SCORING = (
    (("4",), 4, ("3",), 3, ("4",), 4, ("2",), 2, ("3",), 3),
    (("ArrowRight",), 2, ("Space",), 1, ("ArrowRight", "ArrowRight"), 3, ("ArrowLeft",), 4,
     ("ArrowDown",), 2),
    (("1",), 1, ("ArrowRight", "ArrowRight", "ArrowRight"), 4, ("2", "ArrowRight"), 3,
     ("Space",), 1, ("4", "ArrowLeft"), 3),
)  # fmt: skip


def _score(page, plan) -> dict[str, int]:
    """Score every criterion; from one group, a single Tab reaches the next."""
    expected = {}
    for index, code in enumerate(CRITERIA):
        keys, score = plan[2 * index], plan[2 * index + 1]
        group = f'input[type=radio][name="score_{code}"]'
        if index == 0:
            tab_to(page, group)
        else:
            page.keyboard.press("Tab")
            assert _focused(page, group), f"Tab did not move to the {code} scores"
        for key in keys:
            page.keyboard.press(key)
        expect(page.locator(f"{group}:checked")).to_have_value(str(score))
        assert _focused(page, f"{group}:checked"), "focus left the chosen score"
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert ring == "solid", f"the focused {code} score has no focus ring"
        expected[code] = score
    return expected


# --- the test -----------------------------------------------------------------


def test_reviewer_scores_three_proposals_with_the_keyboard_only(live_server, browse, make_user):
    seeded = seed_review(live_server, make_user)
    page = browse(DESKTOP)

    # Log in with the keyboard, landing on the queue.
    page.goto(live_server("/account/login?next=/2027/review/"))
    tab_to(page, "#email")
    page.keyboard.type(REVIEWER)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server("/2027/review/")
    expect(page.locator("main [role=status]").first).to_contain_text("0 of 3 reviewed.")
    expect(page.locator("main ol li")).to_have_count(3)
    _check_both_widths(page)

    tab_to(page, 'main a[href$="/2027/review/next"]')
    expect(page.locator(":focus")).to_have_text("Review the next proposal")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    stored = {}
    for number, (code, plan) in enumerate(zip(seeded.codes, SCORING, strict=True), start=1):
        assert page.url == live_server(f"/2027/review/{code}"), f"proposal {number} not next"
        expect(page.locator("main h1")).to_have_text(PROPOSALS[number - 1][2])
        if number > 1:
            expect(page.locator(".flash-messages")).to_contain_text("Review saved.")
        html = page.content()
        leaked = [detail for detail in PRESENTER_DETAILS if detail in html]
        assert not leaked, f"blind review shows {leaked} on {page.url}"
        _check_both_widths(page)

        stored[code] = _score(page, plan)
        tab_to(page, "#comment_committee")
        page.keyboard.type(f"Clear plan, proposal {number}.")
        tab_to(page, 'button[name=action][value="next"]')
        with page.expect_navigation():
            page.keyboard.press("Enter")

    assert page.url == live_server("/2027/review/")
    expect(page.locator(".flash-messages")).to_contain_text(
        "You have reviewed every proposal assigned to you. Thank you!"
    )
    expect(page.locator("main p[role=status]")).to_contain_text("3 of 3 reviewed.")
    expect(page.locator("main ol .badge")).to_contain_text(["Reviewed ·"] * 3)
    expect(page.get_by_role("link", name="Review the next proposal")).to_have_count(0)
    _check_both_widths(page)

    from summit.accounts.queries import get_user_by_email
    from summit.reviews.queries import list_reviews
    from summit.summits.queries import get_summit_by_slug

    with live_server.app.app_context():
        reviewer = get_user_by_email(REVIEWER)
        reviews = list_reviews(get_summit_by_slug("2027"))
        assert {r.proposal.code: r.scores for r in reviews} == stored
        assert {r.reviewer_id for r in reviews} == {reviewer.id}
        assert not any(r.is_abstained for r in reviews)
        assert sorted(r.comment_committee for r in reviews) == [
            f"Clear plan, proposal {n}." for n in (1, 2, 3)
        ]
