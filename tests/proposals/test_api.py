"""The proposals API: owners create, read, update and submit; staff list and read."""

from datetime import timedelta

import pytest

from summit.extensions import db
from summit.proposals import services
from tests.proposals.conftest import wall_now

LIST = "/api/v1/summits/2027/proposals"

DRAFT = {
    "title": "Family nights that work",
    "abstract": "We share how we run family nights.",
    "outcomes": "Three practices to try.",
    "format": "workshop-60",
    "track": "pillar-family",
    "secondary_tracks": ["pillar-supports"],
    "language": "bilingual",
    "lead_role": "family",
    "audience_roles": ["family", "educator"],
}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def bearer(app):
    """An API token for ``email``, as an Authorization header."""
    from summit.accounts.queries import get_user_by_email
    from summit.accounts.services import create_api_token

    def factory(email: str) -> dict:
        with app.app_context():
            issued = create_api_token(get_user_by_email(email), "tests")
            db.session.commit()
            return {"Authorization": f"Bearer {issued.secret}"}

    return factory


# --- owners ---------------------------------------------------------------------------------


def test_create_proposal_returns_201_with_draft_and_code(client, open_call, login_as):
    email = login_as()

    response = client.post(LIST, json=DRAFT)

    assert response.status_code == 201
    body = response.get_json()
    assert body["code"].startswith("PRO-") and len(body["code"]) == 9
    assert (body["state"], body["summit"], body["title"], body["format"], body["track"]) == (
        "draft",
        "2027",
        "Family nights that work",
        "workshop-60",
        "pillar-family",
    )
    assert body["secondary_tracks"] == ["pillar-supports"]
    assert body["submitted_at"] is None
    assert [(p["is_lead"], p["invite_status"]) for p in body["presenters"]] == [(True, "none")]
    assert email not in response.get_data(as_text=True)  # presenters' emails are not exposed


def test_update_proposal_changes_only_the_fields_sent(client, open_call, login_as):
    login_as()
    code = client.post(LIST, json=DRAFT).get_json()["code"]

    response = client.patch(f"/api/v1/proposals/{code}", json={"title": "Better title"})

    assert response.status_code == 200
    body = client.get(f"/api/v1/proposals/{code}").get_json()
    assert (body["title"], body["abstract"], body["track"], body["secondary_tracks"]) == (
        "Better title",
        "We share how we run family nights.",
        "pillar-family",
        ["pillar-supports"],
    )


def test_submit_proposal_complete_is_submitted(client, app, open_call, login_as):
    from summit.core.outbox import OutboxMessage

    email = login_as()
    code = client.post(LIST, json=DRAFT).get_json()["code"]

    response = client.post(f"/api/v1/proposals/{code}/submit", json={})

    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "submitted"
    assert body["submitted_at"] is not None
    with app.app_context():
        receipts = db.session.query(OutboxMessage.to_email, OutboxMessage.subject).all()
        assert receipts == [(email, f"We received your proposal {code}")]


def test_submit_proposal_incomplete_lists_missing_fields_and_stays_draft(
    client, open_call, login_as
):
    login_as()
    code = client.post(LIST, json={"title": "Just an idea"}).get_json()["code"]

    response = client.post(f"/api/v1/proposals/{code}/submit", json={})

    error = _error(response, 400, "incomplete")
    assert set(error["fields"]) == {"abstract", "outcomes", "lead_role", "format", "track"}
    assert client.get(f"/api/v1/proposals/{code}").get_json()["state"] == "draft"


def test_submit_proposal_after_close_needs_valid_access_code(client, app, closed_call, login_as):
    from summit.summits.queries import get_summit_by_slug

    login_as()
    code = client.post(LIST, json=DRAFT).get_json()["code"]
    with app.app_context():
        access = services.create_access_code(
            get_summit_by_slug("2027"), actor=None, max_uses=1
        ).code
        expired = services.create_access_code(
            get_summit_by_slug("2027"), actor=None, expires_at=wall_now() - timedelta(hours=1)
        ).code
        db.session.commit()

    closed = client.post(f"/api/v1/proposals/{code}/submit", json={})
    too_late = client.post(f"/api/v1/proposals/{code}/submit", json={"access_code": expired})
    accepted = client.post(f"/api/v1/proposals/{code}/submit", json={"access_code": access})

    assert _error(closed, 400, "cfp_closed")["fields"] == {
        "access_code": ["Needed while the call is closed."]
    }
    assert _error(too_late, 400, "code_expired")["fields"] == {"access_code": ["Expired."]}
    assert accepted.status_code == 200
    assert accepted.get_json()["state"] == "submitted"


def test_create_proposal_title_over_limit_is_refused_with_field_error(client, open_call, login_as):
    login_as()

    response = client.post(LIST, json=DRAFT | {"title": "x" * 121})

    error = _error(response, 400, "invalid_proposal")
    assert error["fields"]["title"] == ["Use at most 120 characters (now 121)."]
    assert client.get(LIST).get_json()["items"] == []


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", LIST),
        ("patch", "/api/v1/proposals/{code}"),
    ],
)
def test_unknown_fields_are_refused_with_422_and_named(
    client, open_call, login_as, make_proposal, method, url
):
    code = make_proposal(login_as())

    response = getattr(client, method)(
        url.format(code=code), json={"title": "Fine", "colour": "red", "owner_id": 1}
    )

    error = _error(response, 422, "invalid")
    assert set(error["fields"]) == {"colour", "owner_id"}


def test_unknown_track_is_refused_with_422_and_named(client, open_call, login_as):
    login_as()

    response = client.post(LIST, json=DRAFT | {"track": "no-such-topic"})

    assert _error(response, 422, "invalid")["fields"] == {"track": ["Unknown topic."]}


def test_malformed_json_is_a_400_json_error(client, open_call, login_as):
    login_as()

    response = client.post(LIST, data='{"title": "unfinished', content_type="application/json")

    assert _error(response, 400, "invalid")["fields"] == {"json": ["Invalid JSON body."]}


def test_non_json_body_is_refused(client, open_call, login_as):
    login_as()

    response = client.post(LIST, data={"title": "form post"})

    _error(response, 415, "unsupported_media_type")


# --- somebody else's proposal, and nobody -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/proposals/{code}", None),
        ("patch", "/api/v1/proposals/{code}", {"title": "Hijacked"}),
        ("post", "/api/v1/proposals/{code}/submit", {}),
        ("get", "/api/v1/proposals/PRO-ZZZZZ", None),
    ],
)
def test_other_persons_proposal_is_a_404_json_error(
    client, open_call, login_as, make_user, make_proposal, load_proposal, method, url, body
):
    code = make_proposal(make_user())
    login_as()

    response = getattr(client, method)(url.format(code=code), json=body)

    error = _error(response, 404, "proposal_not_found")
    assert error["message"] == "There is no proposal with that code."
    assert (load_proposal(code)["title"], load_proposal(code)["state"]) == (
        "Family nights that work",
        "draft",
    )


def test_copresenter_can_read_but_not_update_via_api(
    client, app, open_call, make_user, make_proposal, login_as
):
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.queries import get_proposal
    from summit.summits.queries import get_summit_by_slug

    code = make_proposal(make_user())
    co = login_as()
    with app.app_context():
        proposal = get_proposal(get_summit_by_slug("2027"), code)
        invitation = services.invite_copresenter(proposal, actor=proposal.owner, email=co)
        services.accept_invitation(invitation.presenter, user=get_user_by_email(co))
        db.session.commit()

    read = client.get(f"/api/v1/proposals/{code}")
    update = client.patch(f"/api/v1/proposals/{code}", json={"title": "Mine now"})

    assert read.status_code == 200 and read.get_json()["code"] == code
    _error(update, 404, "proposal_not_found")


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST), ("post", LIST), ("get", "/api/v1/proposals/{code}")],
)
def test_anonymous_gets_401_json(client, open_call, make_user, make_proposal, method, url):
    code = make_proposal(make_user())

    response = getattr(client, method)(url.format(code=code), json={} if method == "post" else None)

    _error(response, 401, "unauthorized")


def test_invalid_bearer_token_gets_401(client, open_call):
    response = client.get(LIST, headers={"Authorization": "Bearer smt_not-a-real-token"})

    _error(response, 401, "unauthorized")


# --- lists --------------------------------------------------------------------------------


def test_list_for_presenter_shows_only_own_proposals_including_drafts(
    client, open_call, login_as, make_user, make_proposal
):
    mine = make_proposal(login_as(), title="Mine")
    make_proposal(make_user(), submit=True, title="Theirs")

    response = client.get(f"{LIST}?state=submitted")

    assert response.status_code == 200
    body = response.get_json()
    assert [(p["code"], p["state"]) for p in body["items"]] == [(mine, "draft")]
    assert body["next"] is None


def test_list_for_staff_is_filtered_and_paginated_with_next_link(
    client, open_call, login_as, make_user, make_proposal
):
    owner = make_user()
    family = {make_proposal(owner, submit=True, track_code="pillar-family") for _ in range(51)}
    make_proposal(owner, submit=True, track_code="pillar-supports")
    make_proposal(owner, track_code="pillar-family")  # a draft: not listed
    login_as("staff")

    first = client.get(f"{LIST}?track=pillar-family").get_json()
    second = client.get(first["next"]).get_json()

    assert len(first["items"]) == 50
    assert first["next"].startswith(LIST + "?")
    assert "track=pillar-family" in first["next"] and "cursor=" in first["next"]
    assert len(second["items"]) == 1 and second["next"] is None
    assert {p["code"] for p in first["items"] + second["items"]} == family
    assert {p["track"] for p in first["items"] + second["items"]} == {"pillar-family"}


def test_list_with_bearer_token_needs_no_session(app, open_call, make_user, make_proposal, bearer):
    owner = make_user()
    code = make_proposal(owner)
    fresh = app.test_client()

    response = fresh.get(LIST, headers=bearer(owner))

    assert response.status_code == 200
    assert [p["code"] for p in response.get_json()["items"]] == [code]


def test_create_and_update_with_bearer_token(app, open_call, make_user, bearer, load_proposal):
    owner = make_user()
    headers = bearer(owner)
    api = app.test_client()

    created = api.post(LIST, json=DRAFT, headers=headers)
    code = created.get_json()["code"]
    updated = api.patch(f"/api/v1/proposals/{code}", json={"language": "es"}, headers=headers)

    assert created.status_code == 201
    assert updated.status_code == 200 and updated.get_json()["language"] == "es"
    assert load_proposal(code)["owner"] == owner


# --- the OpenAPI document -----------------------------------------------------------------


def test_openapi_lists_the_proposal_operations(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/summits/{slug}/proposals"])
    assert {"get", "patch"} <= set(paths["/api/v1/proposals/{code}"])
    assert "post" in paths["/api/v1/proposals/{code}/submit"]
    create = paths["/api/v1/summits/{slug}/proposals"]["post"]
    assert "201" in create["responses"]
    assert {"bearerAuth": []} in create["security"]
