import re

import pytest

from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_api_token, revoke_api_token
from summit.extensions import db
from tests.conftest import PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def issue_token(app):
    """Create a personal API token for ``email`` and return its secret."""

    def issue(email: str) -> str:
        with app.app_context():
            issued = create_api_token(get_user_by_email(email), "tests")
            db.session.commit()
        return issued.secret

    return issue


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# --- GET /api/v1/me --------------------------------------------------------------


def test_get_me_with_bearer_token_returns_own_profile(client, make_user, issue_token):
    email = make_user("ana@example.org", name="Ana Flores", county="Kern")
    secret = issue_token(email)

    response = client.get("/api/v1/me", headers=_bearer(secret))

    assert response.status_code == 200
    assert response.get_json() == {
        "email": "ana@example.org",
        "name": "Ana Flores",
        "pronouns": None,
        "organisation": None,
        "presenter_role": None,
        "county": "Kern",
        "age_band": None,
        "preferred_language": "en",
        "is_admin": False,
        "email_verified": True,
    }


def test_get_me_with_bearer_token_records_last_use(app, client, make_user, issue_token):
    email = make_user()
    secret = issue_token(email)

    client.get("/api/v1/me", headers=_bearer(secret))

    with app.app_context():
        [token] = get_user_by_email(email).api_tokens
        assert token.last_used_at is not None


def test_get_me_with_browser_session_returns_profile(client, login_as):
    email = login_as()

    response = client.get("/api/v1/me")

    assert response.get_json()["email"] == email


def test_get_me_with_revoked_token_answers_401_json(app, client, make_user, issue_token):
    email = make_user()
    secret = issue_token(email)
    with app.app_context():
        user = get_user_by_email(email)
        revoke_api_token(user, user.api_tokens[0].public_id)
        db.session.commit()

    response = client.get("/api/v1/me", headers=_bearer(secret))

    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


@pytest.mark.parametrize(
    "header",
    ["Bearer smt_not-a-real-token", "Bearer not-even-our-format", "Bearer ", "Basic YTpi", ""],
)
def test_get_me_with_bad_or_missing_token_answers_401_json(client, make_user, header):
    make_user()

    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})

    assert response.status_code == 401
    assert response.mimetype == "application/json"
    error = _error(response)
    assert error["code"] == "unauthorized"
    assert error["message"] == "Please log in to continue."


# --- PATCH /api/v1/me --------------------------------------------------------------


def test_patch_me_valid_changes_are_saved_and_returned(app, client, make_user, issue_token):
    email = make_user()
    secret = issue_token(email)

    response = client.patch(
        "/api/v1/me",
        json={"name": "Ana Flores", "county": "Fresno", "preferred_language": "es"},
        headers=_bearer(secret),
    )

    assert response.status_code == 200
    assert response.get_json()["county"] == "Fresno"
    with app.app_context():
        user = get_user_by_email(email)
        assert (user.name, user.county, user.preferred_language) == ("Ana Flores", "Fresno", "es")


@pytest.mark.parametrize("body", [b"{bad", b'{"name": "Ana"', b'"unterminated', b"{'name': 'Ana'}"])
def test_patch_me_malformed_json_answers_400_json_with_code(client, make_user, issue_token, body):
    secret = issue_token(make_user())

    response = client.patch(
        "/api/v1/me", data=body, content_type="application/json", headers=_bearer(secret)
    )

    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    assert error["fields"] == {"json": ["Invalid JSON body."]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"county": "Atlantis"}, "county"),
        ({"age_band": "42"}, "age_band"),
        ({"presenter_role": "wizard"}, "presenter_role"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"preferred_language": None}, "preferred_language"),
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"is_admin": True}, "is_admin"),
        ({"email": "other@example.org"}, "email"),
    ],
)
def test_patch_me_invalid_values_answer_422_with_fields(
    app, client, make_user, issue_token, payload, field
):
    email = make_user(name="Unchanged")
    secret = issue_token(email)

    response = client.patch("/api/v1/me", json=payload, headers=_bearer(secret))

    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]
    with app.app_context():
        user = get_user_by_email(email)
        assert (user.name, user.is_admin, user.email) == ("Unchanged", False, email)


def test_patch_me_not_an_object_answers_422(client, make_user, issue_token):
    secret = issue_token(make_user())

    response = client.patch("/api/v1/me", json=["name"], headers=_bearer(secret))

    assert response.status_code == 422
    assert _error(response)["code"] == "invalid"


def test_patch_me_blank_name_after_trimming_is_refused_with_field(client, make_user, issue_token):
    secret = issue_token(make_user(name="Unchanged"))

    response = client.patch("/api/v1/me", json={"name": "   "}, headers=_bearer(secret))

    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "name_required"
    assert "name" in error["fields"]


def test_patch_me_form_encoded_body_answers_415_json(client, make_user, issue_token):
    secret = issue_token(make_user())

    response = client.patch("/api/v1/me", data={"name": "Ana"}, headers=_bearer(secret))

    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_patch_me_anonymous_answers_401_json(client):
    response = client.patch("/api/v1/me", json={"name": "Ana"})

    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


# --- CSRF on the API --------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _login_with_csrf(client, email) -> str:
    token = CSRF_INPUT.search(client.get("/account/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return token


def test_patch_me_session_without_csrf_header_answers_400_csrf_failed(csrf_app, make_user):
    email = make_user(name="Unchanged")
    client = csrf_app.test_client()
    _login_with_csrf(client, email)

    response = client.patch("/api/v1/me", json={"name": "Changed"})

    assert response.status_code == 400
    assert _error(response)["code"] == "csrf_failed"
    assert client.get("/api/v1/me").get_json()["name"] == "Unchanged"


def test_patch_me_session_with_csrf_header_is_saved(csrf_app, make_user):
    email = make_user(name="Unchanged")
    client = csrf_app.test_client()
    token = _login_with_csrf(client, email)

    response = client.patch("/api/v1/me", json={"name": "Changed"}, headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert response.get_json()["name"] == "Changed"


def test_patch_me_bearer_token_needs_no_csrf_header(csrf_app, make_user):
    email = make_user()
    with csrf_app.app_context():
        secret = create_api_token(get_user_by_email(email), "script").secret
        db.session.commit()

    response = csrf_app.test_client().patch(
        "/api/v1/me", json={"name": "Changed"}, headers=_bearer(secret)
    )

    assert response.status_code == 200
    assert response.get_json()["name"] == "Changed"
