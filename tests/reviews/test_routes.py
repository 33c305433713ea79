"""Reviewers' pages: who may open them, the queue, the scoring form, conflicts, expertise."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.reviews import services
from summit.reviews.models import Conflict, Review, ReviewerProfile
from tests.reviews.conftest import CRITERIA, SLUG, review_form, scores

QUEUE = f"/{SLUG}/review/"
ALL = f"/{SLUG}/review/proposals"
EXPERTISE = f"/{SLUG}/review/expertise"
NEXT = f"/{SLUG}/review/next"
CODE = re.compile(r"PRO-[A-Z0-9]{5}")


def page(code: str) -> str:
    return f"/{SLUG}/review/{code}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _codes(response) -> list[str]:
    """Proposal codes on a page, in order, once each."""
    assert response.status_code == 200, _text(response)[:300]
    return list(dict.fromkeys(CODE.findall(_text(response))))


def _checked(html: str) -> dict[str, list[str]]:
    """Checked radio buttons and checkboxes: field name -> values, in page order."""
    found: dict[str, list[str]] = {}

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "input" and "checked" in values and values.get("type") != "hidden":
                found.setdefault(values["name"], []).append(values["value"])

    Finder().feed(html)
    return found


def _review(world, code: str, email: str) -> dict | None:
    def read(summit):
        row = db.session.scalar(
            select(Review).where(
                Review.proposal_id == world.find(summit, code).id,
                Review.reviewer_id == world.user(email).id,
            )
        )
        if row is None:
            return None
        return {
            "scores": dict(row.scores),
            "flags": list(row.flags),
            "comment_committee": row.comment_committee,
            "comment_presenters": row.comment_presenters,
            "is_abstained": row.is_abstained,
        }

    return world.run(read)


@pytest.fixture
def assigned(world):
    """(reviewer email, code): one proposal under review assigned to one reviewer."""
    email = world.reviewer("Rita Reviewer")
    code = world.proposal(title="Harvest suppers for families")
    world.assign(code, email)
    return email, code


# --- who may open reviewers' pages: role x page ----------------------------------------------

PAGES = ["queue", "all", "expertise", "next", "review"]


def _url(name: str, code: str) -> str:
    return {"queue": QUEUE, "all": ALL, "expertise": EXPERTISE, "next": NEXT}.get(name) or page(
        code
    )


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["staff", "door", "presenter", None])
def test_reviewer_pages_without_the_reviewer_role_are_forbidden(
    world, assigned, browse_as, name, role
):
    _email, code = assigned
    if role == "presenter":  # presents another proposal under review, holds no role
        outsider = world.person("Presenter")
        world.proposal(outsider)
    else:
        outsider = world.person("Outsider", roles=(role,) if role else ())

    response = browse_as(outsider).get(_url(name, code))

    assert response.status_code == 403
    assert "Not allowed" in _text(response)
    assert "Harvest suppers" not in _text(response)


@pytest.mark.parametrize("name", PAGES)
def test_reviewer_pages_site_admin_without_the_role_is_forbidden(world, assigned, browse_as, name):
    _email, code = assigned
    admin = world.person("Site Admin", is_admin=True)

    response = browse_as(admin).get(_url(name, code))

    assert response.status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_reviewer_pages_anonymous_is_sent_to_login_and_back(assigned, client, name):
    _email, code = assigned
    url = _url(name, code)

    response = client.get(url)

    assert response.status_code == 302
    location = unquote(response.headers["Location"])
    assert location.startswith("/account/login?next=")
    assert location.endswith(url)


@pytest.mark.parametrize(
    ("name", "status"),
    [("queue", 200), ("all", 200), ("expertise", 200), ("next", 302), ("review", 200)],
)
def test_reviewer_pages_reviewer_may_open_them(assigned, browse_as, name, status):
    email, code = assigned

    response = browse_as(email).get(_url(name, code))

    assert response.status_code == status
    if name == "next":
        assert response.headers["Location"] == page(code)
    else:
        assert "Not allowed" not in _text(response)


def test_reviewer_pages_reviewer_of_another_summit_is_forbidden(
    assigned, browse_as, make_summit, make_user
):
    _email, code = assigned
    make_summit("2028", name="Community Schools Summit 2028")
    other = make_user(roles=("reviewer",), slug="2028")

    responses = [browse_as(other).get(_url(name, code)) for name in PAGES]

    assert [r.status_code for r in responses] == [403] * len(PAGES)


# --- the review page by proposal state ---------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (ProposalState.UNDER_REVIEW, 200),
        (ProposalState.SUBMITTED, 404),
        (ProposalState.WAITLISTED, 404),
        (ProposalState.ACCEPTED, 404),
        (ProposalState.REJECTED, 404),
    ],
)
def test_review_page_opens_only_while_under_review(world, browse_as, state, status):
    email = world.reviewer()
    code = world.proposal(state=state)
    world.force_assign(code, email)

    response = browse_as(email).get(page(code))

    assert response.status_code == status
    assert ('name="score_clarity"' in _text(response)) is (status == 200)


def test_review_page_unknown_code_is_404(assigned, browse_as):
    email, _code = assigned

    response = browse_as(email).get(page("PRO-ZZZZZ"))

    assert response.status_code == 404


def test_review_page_unassigned_proposal_is_404_and_post_saves_nothing(world, assigned, browse_as):
    email, _code = assigned
    other = world.proposal(title="Someone else's proposal")
    reviewer = browse_as(email)

    shown = reviewer.get(page(other))
    posted = reviewer.post(page(other), data=review_form(4))

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert "Someone else" not in _text(shown)
    assert world.review_count(other) == 0


# --- the queue ---------------------------------------------------------------------------------


def test_queue_lists_assigned_proposals_unreviewed_first_with_counts(world, browse_as):
    me, a, b = world.reviewer("Me"), world.reviewer("A"), world.reviewer("B")
    done, busy, fresh = world.proposal(), world.proposal(), world.proposal()
    unassigned = world.proposal()
    for code in (done, busy, fresh):
        world.assign(code, me, a, b)
    world.review(done, me)
    world.review(busy, a)
    world.review(busy, b)

    response = browse_as(me).get(QUEUE)

    assert _codes(response) == [fresh, busy, done]
    assert unassigned not in _text(response)
    assert "1 of 3 reviewed." in _text(response)


def test_queue_nothing_assigned_says_so(world, browse_as):
    email = world.reviewer()
    world.proposal()

    response = browse_as(email).get(QUEUE)

    assert _codes(response) == []
    assert "No proposals are assigned to you yet." in _text(response)
    assert "0 of 0 reviewed." in _text(response)


def test_queue_shows_the_review_deadline(world, assigned, browse_as):
    email, _code = assigned
    # 05:00 UTC on 2 March is still 1 March in the summit's time zone (Los Angeles).
    world.run(lambda s: setattr(s, "review_deadline_at", datetime(2027, 3, 2, 5, 0, tzinfo=UTC)))

    text = _text(browse_as(email).get(QUEUE))

    assert re.search(r"Reviews close on March 1, 2027\D+9:00", text)
    assert "March 2" not in text


def test_all_proposals_lists_everything_under_review_except_conflicts(world, browse_as):
    me = world.reviewer()
    open_one, conflicted = world.proposal(), world.proposal()
    draft = world.proposal(state=ProposalState.DRAFT)
    accepted = world.proposal(state=ProposalState.ACCEPTED)
    world.conflict(conflicted, me)

    codes = _codes(browse_as(me).get(ALL))

    assert codes == [open_one]
    assert {conflicted, draft, accepted}.isdisjoint(codes)


# --- a conflicted reviewer never sees the proposal ----------------------------------------------


@pytest.mark.parametrize("source", ["declared", "staff", "organisation", "email_domain"])
def test_conflicted_reviewer_never_sees_the_proposal_on_any_page(world, browse_as, source):
    me = world.reviewer()
    hidden = world.proposal(title="The hidden proposal")
    shown = world.proposal(title="The visible proposal")
    world.assign(hidden, me)
    world.assign(shown, me)
    world.conflict(hidden, me, source)
    reviewer = browse_as(me)

    queue = reviewer.get(QUEUE)
    listing = reviewer.get(ALL)
    direct = reviewer.get(page(hidden))
    posted = reviewer.post(page(hidden), data=review_form(4))
    after_next = reviewer.get(NEXT)

    assert _codes(queue) == [shown]
    assert "0 of 1 reviewed." in _text(queue)
    assert _codes(listing) == [shown]
    assert (direct.status_code, posted.status_code) == (404, 404)
    assert "The hidden proposal" not in _text(direct)
    assert after_next.headers["Location"] == page(shown)
    assert world.review_count(hidden) == 0


def test_declare_conflict_from_the_review_page_removes_it_everywhere(assigned, world, browse_as):
    email, code = assigned
    reviewer = browse_as(email)

    response = reviewer.post(f"{page(code)}/conflict", data={"reason": "My cousin presents"})

    assert response.headers["Location"] == QUEUE
    assert code not in _codes(reviewer.get(QUEUE))
    assert code not in _codes(reviewer.get(ALL))
    assert reviewer.get(page(code)).status_code == 404

    def stored(summit):
        conflict = db.session.scalar(select(Conflict))
        return conflict.source, conflict.reason, world.find(summit, code).id == conflict.proposal_id

    assert world.run(stored) == ("declared", "My cousin presents", True)


def test_declare_conflict_reason_too_long_is_not_stored(assigned, world, browse_as):
    email, code = assigned

    browse_as(email).post(f"{page(code)}/conflict", data={"reason": "x" * 301})

    assert world.run(lambda s: db.session.scalar(select(Conflict))) is None


# --- scoring -----------------------------------------------------------------------------------


def test_review_post_valid_scores_saves_and_returns_to_the_page(assigned, world, browse_as):
    email, code = assigned

    response = browse_as(email).post(
        page(code),
        data=review_form(
            3,
            score_equity="4",
            flags_=["family-led", "nonsense"],
            comment_committee="Strong family voice.",
            comment_presenters="Lovely idea.",
        ),
    )

    assert response.headers["Location"] == page(code)
    assert _review(world, code, email) == {
        "scores": {
            "alignment": 3,
            "community-voice": 3,
            "practical-value": 3,
            "equity": 4,
            "clarity": 3,
        },
        "flags": ["family-led"],
        "comment_committee": "Strong family voice.",
        "comment_presenters": "Lovely idea.",
        "is_abstained": False,
    }


def test_review_page_shows_the_saved_review_again(assigned, world, browse_as):
    email, code = assigned
    world.review(code, email, value=2, comment_committee="Needs more detail.")

    html = _text(browse_as(email).get(page(code)))

    assert _checked(html) == {f"score_{c}": ["2"] for c in CRITERIA}
    assert "Needs more detail." in html


def test_review_page_shows_a_saved_lowest_score_of_zero(assigned, world, browse_as):
    email, code = assigned

    def zero_based(summit):
        services.save_criterion(
            summit, actor=None, code="depth", name_en="Depth", name_es="Profundidad",
            scale_min=0, scale_max=3,
        )  # fmt: skip

    world.run(zero_based)
    world.review(code, email, scores=scores(2) | {"depth": 0})

    html = _text(browse_as(email).get(page(code)))

    assert _checked(html)["score_depth"] == ["0"]


@pytest.mark.parametrize("bad", ["0", "5", "abc"])
def test_review_post_score_outside_the_scale_shows_a_field_error(assigned, world, browse_as, bad):
    email, code = assigned

    response = browse_as(email).post(page(code), data=review_form(3, score_equity=bad))

    assert response.status_code == 422
    assert "Choose a score from 1 to 4." in _text(response)
    assert _review(world, code, email) is None


def test_review_post_missing_scores_asks_for_them(assigned, world, browse_as):
    email, code = assigned

    response = browse_as(email).post(page(code), data=review_form(None))

    assert response.status_code == 422
    assert _text(response).count("Choose a score.") == 5
    assert _review(world, code, email) is None


def test_review_post_abstain_without_scores_is_saved(assigned, world, browse_as):
    email, code = assigned

    response = browse_as(email).post(
        page(code), data=review_form(None, abstain="y", comment_committee="I know them well.")
    )

    assert response.status_code == 302
    saved = _review(world, code, email)
    assert (saved["is_abstained"], saved["scores"], saved["comment_committee"]) == (
        True,
        {},
        "I know them well.",
    )


def test_review_post_after_the_deadline_is_refused_with_a_clear_message(assigned, world, browse_as):
    email, code = assigned
    world.run(lambda s: setattr(s, "review_deadline_at", datetime.now(UTC) - timedelta(minutes=1)))

    response = browse_as(email).post(page(code), data=review_form(4))

    assert response.status_code == 409
    assert "The review deadline has passed; reviews are locked." in _text(response)
    assert _review(world, code, email) is None


def test_review_post_after_the_deadline_leaves_an_earlier_review_alone(assigned, world, browse_as):
    email, code = assigned
    world.review(code, email, value=2, comment_committee="before")
    world.run(lambda s: setattr(s, "review_deadline_at", datetime.now(UTC) - timedelta(minutes=1)))

    browse_as(email).post(page(code), data=review_form(4, comment_committee="after"))

    assert _review(world, code, email)["comment_committee"] == "before"


def test_review_post_same_form_twice_keeps_one_review_with_the_latest_values(
    assigned, world, browse_as
):
    email, code = assigned
    reviewer = browse_as(email)

    first = reviewer.post(page(code), data=review_form(2, comment_committee="First thoughts"))
    second = reviewer.post(page(code), data=review_form(4, comment_committee="Second thoughts"))

    assert (first.status_code, second.status_code) == (302, 302)
    assert world.review_count(code) == 1
    saved = _review(world, code, email)
    assert (saved["scores"]["clarity"], saved["comment_committee"]) == (4, "Second thoughts")


def test_review_post_save_and_next_goes_to_fewest_reviews_first(world, browse_as):
    me, a, b = world.reviewer("Me"), world.reviewer("A"), world.reviewer("B")
    two, one, none = world.proposal(), world.proposal(), world.proposal()
    for code in (two, one, none):
        world.assign(code, me, a, b)
    world.review(two, a)
    world.review(two, b)
    world.review(one, a)
    reviewer = browse_as(me)
    visited = []

    location = reviewer.get(NEXT).headers["Location"]
    for _ in range(3):
        visited.append(location)
        saved = reviewer.post(location, data=review_form(3, action="next"))
        assert saved.headers["Location"] == NEXT
        location = reviewer.get(NEXT).headers["Location"]

    assert visited == [page(none), page(one), page(two)]
    assert location == QUEUE
    finished = reviewer.get(QUEUE)
    assert "You have reviewed every proposal assigned to you." in _text(finished)
    assert "3 of 3 reviewed." in _text(finished)


# --- other reviews -----------------------------------------------------------------------------


@pytest.fixture
def colleague_reviewed(world, assigned):
    """A second reviewer has reviewed the proposal with a distinctive comment."""
    email, code = assigned
    colleague = world.reviewer("Omar Colleague")
    world.assign(code, colleague)
    world.review(code, colleague, comment_committee="Colleague says: clear outcomes.")
    return email, code


def test_other_reviews_hidden_before_submitting_your_own(colleague_reviewed, browse_as):
    email, code = colleague_reviewed

    html = _text(browse_as(email).get(page(code)))

    assert "Colleague says" not in html
    assert "Other reviews" not in html


def test_other_reviews_shown_after_submitting_your_own_without_names(colleague_reviewed, browse_as):
    email, code = colleague_reviewed
    reviewer = browse_as(email)
    reviewer.post(page(code), data=review_form(3))

    html = _text(reviewer.get(page(code)))

    assert "Colleague says: clear outcomes." in html
    assert "Reviewer 1" in html
    assert "Omar Colleague" not in html


def test_other_reviews_hidden_after_submitting_when_the_setting_is_off(
    colleague_reviewed, world, browse_as
):
    email, code = colleague_reviewed
    world.settings(show_reviews_after_submit=False)
    reviewer = browse_as(email)
    reviewer.post(page(code), data=review_form(3))

    html = _text(reviewer.get(page(code)))

    assert "Colleague says" not in html


# --- a presenter who also reviews ---------------------------------------------------------------


@pytest.mark.parametrize("as_lead", [True, False])
def test_presenting_reviewer_never_sees_reviews_of_their_own_proposal(world, browse_as, as_lead):
    me = world.reviewer("Presenting Reviewer")
    other = world.reviewer("Other Reviewer")
    own = (
        world.proposal(me, title="My own session")
        if as_lead
        else world.proposal(copresenters=[me], title="My own session")
    )
    mine_to_review = world.proposal(title="Someone else's session")
    world.assign(own, other)
    world.review(own, other, comment_committee="Secret: weak outcomes.")
    world.assign(mine_to_review, me)
    world.force_assign(own, me)  # assigned by mistake before conflicts were refreshed
    reviewer = browse_as(me)

    own_page = reviewer.get(page(own))
    posted = reviewer.post(page(own), data=review_form(4))
    queue = reviewer.get(QUEUE)
    listing = reviewer.get(ALL)
    next_location = reviewer.get(NEXT).headers["Location"]

    assert (own_page.status_code, posted.status_code) == (404, 404)
    assert _codes(queue) == [mine_to_review]
    assert _codes(listing) == [mine_to_review]
    assert next_location == page(mine_to_review)
    for response in (own_page, posted, queue, listing):
        assert "Secret: weak outcomes." not in _text(response)
    assert world.review_count(own) == 1


def test_presenting_reviewer_conflicts_refreshed_drop_the_mistaken_assignment(world, browse_as):
    me = world.reviewer()
    own = world.proposal(me)
    world.force_assign(own, me)

    world.refresh_conflicts()

    assert world.run(
        lambda s: [(c.source, c.user.email) for c in db.session.scalars(select(Conflict))]
    ) == [("own", me)]
    assert _codes(browse_as(me).get(QUEUE)) == []


# --- expertise ---------------------------------------------------------------------------------


def test_expertise_post_saves_known_topics_only(world, browse_as):
    email = world.reviewer()
    reviewer = browse_as(email)

    response = reviewer.post(
        EXPERTISE, data={"tracks": ["pillar-family", "pillar-supports", "no-such-topic"]}
    )

    assert response.headers["Location"] == QUEUE

    def saved(summit):
        profile = db.session.scalar(select(ReviewerProfile))
        return sorted(t.code for t in profile.expertise)

    assert world.run(saved) == ["pillar-family", "pillar-supports"]
    assert _checked(_text(reviewer.get(EXPERTISE))) == {
        "tracks": ["pillar-supports", "pillar-family"]
    }
