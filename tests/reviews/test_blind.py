"""Blind review: presenters' names, emails and organisations never reach a reviewer."""

import pytest

from summit.proposals import services as proposal_services
from tests.reviews.conftest import REVIEW_API, SLUG

# Everything that identifies the team of the proposal under review.
SECRETS = (
    "Zyxwv Quokka",
    "zq@quokka-school.example",
    "quokka-school",
    "Quokka Unified",
    "Wombat Xylo",
    "wx@xylo-partners.example",
    "Xylo Partners",
    "Pangolin Pending",
    "pp@pangolin-invite.example",
    "Tulare",
)

READER_PAGES = [
    f"/{SLUG}/review/",
    f"/{SLUG}/review/proposals",
    f"/{SLUG}/review/expertise",
    f"/{SLUG}/review/next",
    "review-page",
    f"{REVIEW_API}/queue",
]


@pytest.fixture
def team(world):
    """A proposal whose lead, accepted co-presenter and invitee are easy to spot."""
    lead = world.person(
        "Zyxwv Quokka",
        email="zq@quokka-school.example",
        organisation="Quokka Unified",
        county="Tulare",
    )
    partner = world.person(
        "Wombat Xylo", email="wx@xylo-partners.example", organisation="Xylo Partners"
    )
    code = world.proposal(
        lead,
        copresenters=[partner],
        title="Family nights that work",
        abstract="Our district runs family nights every month.",
        outcomes="Three practices to try.",
    )

    def invite(summit):
        proposal = world.find(summit, code)
        proposal_services.invite_copresenter(
            proposal,
            actor=proposal.owner,
            email="pp@pangolin-invite.example",
            name="Pangolin Pending",
        )

    world.run(invite)
    return code


@pytest.fixture
def reviewers(world, team):
    """(me, colleague): both assigned; the colleague has already reviewed with comments."""
    me, colleague = world.reviewer("Rita Reviewer"), world.reviewer("Omar Colleague")
    world.assign(team, me, colleague)
    world.review(team, colleague, comment_committee="Good.", comment_presenters="Keep going.")
    return me, colleague


def _get(client, url: str, code: str):
    if url == "review-page":
        url = f"/{SLUG}/review/{code}"
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("reviewed", [False, True], ids=["before-reviewing", "after-reviewing"])
@pytest.mark.parametrize("url", READER_PAGES)
def test_blind_reviewer_facing_pages_never_show_the_team(
    world, team, reviewers, browse_as, url, reviewed
):
    me, _colleague = reviewers
    if reviewed:
        world.review(team, me)
    reviewer = browse_as(me)

    text = _get(reviewer, url, team)

    assert team in text or url.endswith("/expertise")  # the proposal itself is there
    leaked = [secret for secret in SECRETS if secret.lower() in text.lower()]
    assert leaked == []


def test_blind_review_page_shows_reviewers_only_as_numbers(world, team, reviewers, browse_as):
    me, _colleague = reviewers
    world.review(team, me)

    text = _get(browse_as(me), "review-page", team)

    assert "Reviewer 1" in text
    assert "Omar Colleague" not in text


# --- the anonymised text --------------------------------------------------------------------


@pytest.fixture
def named_in_text(world, reviewers):
    """A proposal whose own text names its school and lead; staff stored a blind copy."""
    me, _colleague = reviewers
    code = world.proposal(
        title="Quokka Unified family nights",
        abstract="Zyxwv Quokka tells how Quokka Unified runs family nights.",
        outcomes="Visit Quokka Unified.",
    )
    world.assign(code, me)
    world.blind_text(
        code,
        title="A district's family nights",
        abstract="A family liaison tells how their district runs family nights.",
        outcomes="Visit a partner district.",
    )
    return me, code


def _views(browse_as, email: str, code: str) -> dict[str, str]:
    reviewer = browse_as(email)
    api = reviewer.get(f"{REVIEW_API}/queue").get_json()["items"]
    return {
        "page": _get(reviewer, "review-page", code),
        "listing": _get(reviewer, f"/{SLUG}/review/proposals", code),
        "queue": _get(reviewer, f"/{SLUG}/review/", code),
        "api": repr(next(i["proposal"] for i in api if i["proposal"]["code"] == code)),
    }


def test_blind_text_replaces_the_original_for_reviewers(named_in_text, browse_as):
    me, code = named_in_text

    views = _views(browse_as, me, code)

    assert "A family liaison tells how their district runs family nights." in views["page"]
    assert "Visit a partner district." in views["page"]
    assert "A district&#39;s family nights" in views["page"]
    assert "A district&#39;s family nights" in views["listing"]
    assert "A district&#39;s family nights" in views["queue"]
    assert "A family liaison tells" in views["api"]
    for text in views.values():
        assert "Quokka" not in text


def test_blind_text_empty_field_falls_back_to_the_original(world, reviewers, browse_as):
    me, _colleague = reviewers
    code = world.proposal(title="Harvest suppers", abstract="Named: Zyxwv Quokka.")
    world.assign(code, me)
    world.blind_text(code, abstract="Named: a parent leader.")

    page = _get(browse_as(me), "review-page", code)

    assert "Harvest suppers" in page
    assert "Named: a parent leader." in page
    assert "Zyxwv" not in page


def test_blind_off_shows_the_original_text_again(world, named_in_text, browse_as):
    me, code = named_in_text
    world.settings(is_blind=False)

    views = _views(browse_as, me, code)

    assert "Zyxwv Quokka tells how Quokka Unified runs family nights." in views["page"]
    assert "Quokka Unified family nights" in views["listing"]
    assert "Quokka Unified family nights" in views["queue"]
    assert "Zyxwv Quokka tells how" in views["api"]
    blind = ("A district", "A family liaison", "a partner district")
    assert [name for name, text in views.items() if any(b in text for b in blind)] == []


def test_blind_off_still_shows_no_presenter_details(world, team, reviewers, browse_as):
    me, _colleague = reviewers
    world.settings(is_blind=False)

    text = _get(browse_as(me), "review-page", team)

    assert [s for s in ("zq@quokka-school.example", "Wombat Xylo", "Tulare") if s in text] == []
