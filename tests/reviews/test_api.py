"""The reviewing API: the blind queue and writing your own review."""

from datetime import UTC, datetime, timedelta

import pytest

from summit.extensions import db
from summit.proposals.enums import ProposalState
from tests.reviews.conftest import REVIEW_API, scores

QUEUE = f"{REVIEW_API}/queue"


def put(code: str) -> str:
    return f"{REVIEW_API}/{code}"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def _queue_codes(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [item["proposal"]["code"] for item in response.get_json()["items"]]


@pytest.fixture
def assigned(world):
    email = world.reviewer("Api Reviewer")
    code = world.proposal(
        title="Harvest suppers for families",
        abstract="Monthly suppers where families plan the next term.",
        outcomes="A planning kit.",
        lead_role="family",
        language="es",
    )
    world.assign(code, email)
    return email, code


@pytest.fixture
def bearer(app):
    from summit.accounts.queries import get_user_by_email
    from summit.accounts.services import create_api_token

    def factory(email: str) -> dict:
        with app.app_context():
            issued = create_api_token(get_user_by_email(email), "tests")
            db.session.commit()
            return {"Authorization": f"Bearer {issued.secret}"}

    return factory


# --- who may call it ------------------------------------------------------------------------


def test_queue_anonymous_is_401_json(assigned, client):
    _error(client.get(QUEUE), 401, "unauthorized")


def test_put_anonymous_is_401_and_saves_nothing(assigned, world, client):
    _email, code = assigned

    _error(client.put(put(code), json={"scores": scores()}), 401, "unauthorized")

    assert world.review_count(code) == 0


@pytest.mark.parametrize("role", ["staff", "door", None])
def test_queue_without_the_reviewer_role_is_403(assigned, world, browse_as, role):
    outsider = world.person("Outsider", roles=(role,) if role else ())

    error = _error(browse_as(outsider).get(QUEUE), 403, "not_reviewer")

    assert error["message"] == "You are not a reviewer of this summit."


def test_put_without_the_reviewer_role_is_403_and_saves_nothing(assigned, world, browse_as):
    _email, code = assigned
    staff = world.person("Staff", roles=("staff",))

    _error(browse_as(staff).put(put(code), json={"scores": scores()}), 403, "not_reviewer")

    assert world.review_count(code) == 0


def test_queue_unknown_summit_is_404(assigned, browse_as):
    email, _code = assigned

    _error(browse_as(email).get("/api/v1/summits/1999/review/queue"), 404, "summit_not_found")


def test_queue_with_a_bearer_token_works_without_a_session(assigned, app, bearer):
    email, code = assigned

    response = app.test_client().get(QUEUE, headers=bearer(email))

    assert _queue_codes(response) == [code]


# --- the queue ------------------------------------------------------------------------------


def test_queue_item_holds_only_blind_fields_and_no_review_yet(assigned, browse_as):
    email, code = assigned

    body = browse_as(email).get(QUEUE).get_json()

    assert body == {
        "items": [
            {
                "proposal": {
                    "code": code,
                    "title": "Harvest suppers for families",
                    "abstract": "Monthly suppers where families plan the next term.",
                    "outcomes": "A planning kit.",
                    "format": "workshop-60",
                    "track": "pillar-family",
                    "language": "es",
                    "lead_role": "family",
                },
                "review": None,
            }
        ],
        "next": None,
    }


def test_queue_orders_unreviewed_fewest_reviews_first_and_shows_own_review(world, browse_as):
    me, a, b = world.reviewer("Me"), world.reviewer("A"), world.reviewer("B")
    done, busy, fresh = world.proposal(), world.proposal(), world.proposal()
    for code in (done, busy, fresh):
        world.assign(code, me, a, b)
    world.review(done, me, value=4, comment_committee="Mine")
    world.review(busy, a)
    world.review(busy, b, comment_committee="Not mine")

    items = browse_as(me).get(QUEUE).get_json()["items"]

    assert [i["proposal"]["code"] for i in items] == [fresh, busy, done]
    assert [i["review"] for i in items[:2]] == [None, None]
    own = items[2]["review"]
    assert (own["scores"], own["comment_committee"], own["is_abstained"]) == (
        scores(4),
        "Mine",
        False,
    )


@pytest.mark.parametrize("source", ["declared", "staff", "co_presenter"])
def test_queue_leaves_out_conflicted_even_if_still_assigned(world, browse_as, source):
    me = world.reviewer()
    hidden, shown = world.proposal(), world.proposal()
    world.assign(hidden, me)
    world.assign(shown, me)
    world.conflict(hidden, me, source)

    assert _queue_codes(browse_as(me).get(QUEUE)) == [shown]


def test_queue_leaves_out_own_proposal_assigned_by_mistake(world, browse_as):
    me = world.reviewer()
    own = world.proposal(me)
    world.force_assign(own, me)

    assert _queue_codes(browse_as(me).get(QUEUE)) == []


def test_queue_leaves_out_proposals_no_longer_under_review(assigned, world, browse_as):
    email, code = assigned
    world.change(code, ProposalState.WAITLISTED)

    assert _queue_codes(browse_as(email).get(QUEUE)) == []


# --- writing a review -------------------------------------------------------------------------


def test_put_review_saves_and_returns_it(assigned, world, browse_as):
    email, code = assigned

    response = browse_as(email).put(
        put(code),
        json={
            "scores": scores(3, equity=4),
            "flags": ["family-led", "made-up"],
            "comment_committee": "Strong.",
            "comment_presenters": "Thank you!",
        },
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["scores"], body["flags"], body["comment_committee"]) == (
        scores(3, equity=4),
        ["family-led"],
        "Strong.",
    )
    assert (body["comment_presenters"], body["is_abstained"]) == ("Thank you!", False)
    assert datetime.fromisoformat(body["updated_at"]).tzinfo is not None
    assert world.review_count(code) == 1


@pytest.mark.parametrize("bad", [0, 5, -3, 100])
def test_put_review_score_outside_the_scale_is_422_with_the_field(assigned, world, browse_as, bad):
    email, code = assigned

    response = browse_as(email).put(put(code), json={"scores": scores(3, clarity=bad)})

    error = _error(response, 422, "invalid_scores")
    assert error["fields"] == {"score_clarity": ["Choose a score from 1 to 4."]}
    assert world.review_count(code) == 0


def test_put_review_missing_scores_is_422_naming_each(assigned, browse_as):
    email, code = assigned

    error = _error(browse_as(email).put(put(code), json={}), 422, "invalid_scores")

    assert sorted(error["fields"]) == [
        "score_alignment",
        "score_clarity",
        "score_community-voice",
        "score_equity",
        "score_practical-value",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"scores": {"clarity": "high"}},
        {"scores": scores(), "unexpected": True},
        {"scores": scores(), "comment_committee": "x" * 5001},
        {"scores": scores(), "abstain": "maybe"},
    ],
)
def test_put_review_malformed_body_is_422_invalid(assigned, world, browse_as, body):
    email, code = assigned

    _error(browse_as(email).put(put(code), json=body), 422, "invalid")

    assert world.review_count(code) == 0


def test_put_review_abstain_needs_no_scores(assigned, browse_as):
    email, code = assigned

    response = browse_as(email).put(put(code), json={"abstain": True})

    assert response.status_code == 200
    assert (response.get_json()["is_abstained"], response.get_json()["scores"]) == (True, {})


def test_put_review_twice_keeps_one_review_with_the_latest_values(assigned, world, browse_as):
    email, code = assigned
    reviewer = browse_as(email)

    reviewer.put(put(code), json={"scores": scores(1), "comment_committee": "first"})
    second = reviewer.put(put(code), json={"scores": scores(4), "comment_committee": "second"})

    assert second.status_code == 200
    assert world.review_count(code) == 1
    review = reviewer.get(QUEUE).get_json()["items"][0]["review"]
    assert (review["scores"], review["comment_committee"]) == (scores(4), "second")


def test_put_review_unassigned_is_404_like_an_unknown_code(world, assigned, browse_as):
    email, _code = assigned
    other = world.proposal()
    reviewer = browse_as(email)

    unassigned = _error(
        reviewer.put(put(other), json={"scores": scores()}), 404, "proposal_not_found"
    )
    unknown = _error(
        reviewer.put(put("PRO-ZZZZZ"), json={"scores": scores()}), 404, "proposal_not_found"
    )

    assert unassigned == unknown
    assert world.review_count(other) == 0


@pytest.mark.parametrize("source", ["declared", "staff", "organisation"])
def test_put_review_conflicted_is_404_and_saves_nothing(assigned, world, browse_as, source):
    email, code = assigned
    world.conflict(code, email, source)

    _error(browse_as(email).put(put(code), json={"scores": scores()}), 404, "proposal_not_found")

    assert world.review_count(code) == 0


def test_put_review_own_proposal_assigned_by_mistake_is_404(world, browse_as):
    me = world.reviewer()
    own = world.proposal(me)
    world.force_assign(own, me)

    _error(browse_as(me).put(put(own), json={"scores": scores(4)}), 404, "proposal_not_found")

    assert world.review_count(own) == 0


def test_put_review_proposal_no_longer_under_review_is_404(assigned, world, browse_as):
    email, code = assigned
    world.change(code, ProposalState.REJECTED)

    _error(browse_as(email).put(put(code), json={"scores": scores()}), 404, "proposal_not_found")


def test_put_review_after_the_deadline_is_409_review_closed(assigned, world, browse_as):
    email, code = assigned
    world.run(lambda s: setattr(s, "review_deadline_at", datetime.now(UTC) - timedelta(seconds=1)))

    error = _error(browse_as(email).put(put(code), json={"scores": scores()}), 409, "review_closed")

    assert error["message"] == "The review deadline has passed; reviews are locked."
    assert world.review_count(code) == 0


def test_put_review_through_another_summit_is_403(assigned, world, browse_as, make_summit):
    email, code = assigned
    make_summit("2028", name="Community Schools Summit 2028")

    response = browse_as(email).put(
        f"/api/v1/summits/2028/review/{code}", json={"scores": scores()}
    )

    _error(response, 403, "not_reviewer")
    assert world.review_count(code) == 0


# --- staff: reviews, assignments, scores ------------------------------------------------------

STAFF_API = REVIEW_API.removesuffix("/review")


@pytest.fixture
def reviewed(world, assigned):
    """Two reviewers on one proposal; one has reviewed (all 4s), one has not."""
    email, code = assigned
    other = world.reviewer("Second Reviewer")
    world.assign(code, other)
    world.review(code, email, value=4, comment_committee="Strong family voice.")
    staff = world.person("Staff Person", roles=("staff",))
    return {"code": code, "reviewer": email, "other": other, "staff": staff}


def test_staff_lists_reviews_with_reviewer_and_scores(reviewed, bearer, client):
    headers = bearer(reviewed["staff"])

    body = client.get(f"{STAFF_API}/reviews", headers=headers).get_json()
    one = client.get(f"{STAFF_API}/proposals/{reviewed['code']}/reviews", headers=headers)

    assert [(r["proposal"], r["reviewer"]["email"]) for r in body["items"]] == [
        (reviewed["code"], reviewed["reviewer"])
    ]
    assert set(body["items"][0]["scores"].values()) == {4}
    assert body["items"][0]["comment_committee"] == "Strong family voice."
    assert one.get_json()["items"] == body["items"]


def test_staff_lists_assignments_narrowed_to_a_reviewer(reviewed, bearer, client):
    headers = bearer(reviewed["staff"])

    everyone = client.get(f"{STAFF_API}/reviews/assignments", headers=headers).get_json()
    narrowed = client.get(
        f"{STAFF_API}/reviews/assignments?reviewer={reviewed['other']}", headers=headers
    ).get_json()

    assert {a["reviewer"]["email"] for a in everyone["items"]} == {
        reviewed["reviewer"],
        reviewed["other"],
    }
    assert [a["reviewer"]["email"] for a in narrowed["items"]] == [reviewed["other"]]


def test_staff_scores_aggregate_the_reviews(reviewed, bearer, client):
    body = client.get(f"{STAFF_API}/reviews/scores", headers=bearer(reviewed["staff"])).get_json()

    score = next(s for s in body["items"] if s["proposal"] == reviewed["code"])
    assert (score["count"], score["mean"], score["state"]) == (1, 100.0, "under_review")


def test_staff_review_lists_unknown_proposal_or_reviewer_are_422(reviewed, bearer, client):
    response = client.get(
        f"{STAFF_API}/reviews?proposal=PRO-NONE&reviewer=nobody@example.org",
        headers=bearer(reviewed["staff"]),
    )

    error = _error(response, 422, "invalid")
    assert set(error["fields"]) == {"proposal", "reviewer"}


@pytest.mark.parametrize(
    "path", ["reviews", "reviews/assignments", "reviews/scores", "proposals/{code}/reviews"]
)
def test_staff_review_lists_refuse_reviewers_with_403(reviewed, bearer, client, path):
    response = client.get(
        f"{STAFF_API}/{path.format(code=reviewed['code'])}", headers=bearer(reviewed["reviewer"])
    )

    _error(response, 403, "not_staff")
