"""Headers, cookies, CSRF, body size and malformed input: bad requests get 4xx, never 500."""

import re

import pytest
from sqlalchemy import func, select

from summit.accounts.models import User
from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_api_token
from summit.extensions import db
from summit.summits.queries import get_summit_by_slug
from tests.conftest import PASSWORD

BAD_TEXT = "The text you sent contains characters we cannot accept."
FORM = "application/x-www-form-urlencoded"
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _text(response) -> str:
    return response.get_data(as_text=True)


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


# --- headers --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/account/login", "/healthz", "/api/v1/summits", "/nowhere"])
def test_security_headers_on_pages_json_and_errors(client, path):
    response = client.get(path)

    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_security_headers_static_files_are_nosniff(client):
    response = client.get("/static/vendor/bootstrap/bootstrap.min.css")

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_security_headers_hsts_only_over_https(client):
    plain = client.get("/account/login")
    secure = client.get("/account/login", base_url="https://localhost")

    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_security_headers_pages_are_not_cached(client):
    response = client.get("/account/login")

    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/account/login",
        "/account/signup",
        "/account/forgot",
        "/account/profile",
        "/account/tokens",
        "/2027/",
        "/2027/staff/settings",
        "/2027/staff/people",
        "/2027/staff/tracks",
        "/2027/staff/tracks/new",
        "/2027/staff/audit",
        "/api/v1/docs",
        "/nowhere",
    ],
)
def test_pages_have_no_inline_script_or_style_the_csp_would_block(client, login_as, path):
    login_as("staff", admin=True)

    response = client.get(path, follow_redirects=True)

    page = _text(response)
    assert response.status_code in (200, 404)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert not re.search(r"\sstyle\s*=", page)
    assert "javascript:" not in page


# --- cookies ------------------------------------------------------------------------


def _set_cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def test_cookies_session_and_language_are_httponly_and_samesite(client, make_user, auth):
    email = make_user()

    login = _set_cookies(auth.login(email, remember="y"))
    language = _set_cookies(client.post("/lang", data={"lang": "es"}))

    for cookie in (login["session"], login["remember_token"], language["summit_lang"]):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_cookies_are_secure_when_configured(make_app, make_user):
    app = make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    email = make_user()

    response = app.test_client().post(
        "/account/login", data={"email": email, "password": PASSWORD, "remember": "y"}
    )

    cookies = _set_cookies(response)
    assert "Secure" in cookies["session"]
    assert "Secure" in cookies["remember_token"]


# --- CSRF ------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/login", {"email": "a@example.org", "password": PASSWORD}),
        ("/account/signup", {"email": "a@example.org", "password": PASSWORD, "name": "A"}),
        ("/account/forgot", {"email": "a@example.org"}),
        ("/lang", {"lang": "es"}),
        ("/account/logout", {}),
    ],
)
def test_csrf_missing_token_gives_400_page_that_explains(csrf_client, path, data):
    response = csrf_client.post(path, data=data)

    assert response.status_code == 400
    assert "Your form expired or was sent from another page, so we did not save it." in _text(
        response
    )
    assert "reload the page and send it again" in _text(response)


def test_csrf_wrong_token_gives_400_and_does_not_sign_up(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get("/account/signup")

    response = client.post(
        "/account/signup",
        data={"email": "a@example.org", "password": PASSWORD, "name": "A", "csrf_token": "forged"},
    )

    assert response.status_code == 400
    assert _user_count(app) == 0


def test_csrf_token_from_the_page_is_accepted(csrf_client, make_user):
    email = make_user()
    token = CSRF_INPUT.search(_text(csrf_client.get("/account/login"))).group(1)

    response = csrf_client.post(
        "/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 302


def test_csrf_missing_on_logout_keeps_the_person_logged_in(csrf_client, make_user):
    email = make_user()
    token = CSRF_INPUT.search(_text(csrf_client.get("/account/login"))).group(1)
    csrf_client.post(
        "/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )

    csrf_client.post("/account/logout")

    assert csrf_client.get("/account/profile").status_code == 200


# --- body size -----------------------------------------------------------------------


@pytest.fixture(params=[False, True], ids=["csrf-off", "csrf-on"])
def small_app(make_app, request):
    return make_app(MAX_CONTENT_LENGTH=1024, WTF_CSRF_ENABLED=request.param)


def test_oversized_form_body_gives_413_page(small_app):
    response = small_app.test_client().post(
        "/account/login", data={"email": "a@example.org", "password": "x" * 5000}
    )

    assert response.status_code == 413
    assert "What you sent is too large. Please send something smaller." in _text(response)


def test_oversized_multipart_body_gives_413_page(small_app):
    response = small_app.test_client().post(
        "/account/signup",
        data={"email": "a@example.org", "name": "x" * 5000},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    assert "<h1>Too large</h1>" in _text(response)


def test_oversized_json_body_gives_413_json(small_app):
    response = small_app.test_client().patch(
        "/api/v1/me", data=b'{"name": "' + b"x" * 5000 + b'"}', content_type="application/json"
    )

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_body_under_the_limit_is_accepted(make_app, make_user):
    small = make_app(MAX_CONTENT_LENGTH=1024)
    email = make_user()

    response = small.test_client().post(
        "/account/login", data={"email": email, "password": PASSWORD}
    )

    assert response.status_code == 302


# --- NUL bytes and invalid UTF-8 -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/account/login", "/account/signup", "/account/forgot"])
@pytest.mark.parametrize(
    "body",
    [
        b"email=a%00b&password=x",
        b"name=%ff%fe",
        b"email=%c0%80%40example.org",
        b"email=ana%40example.org&password=\xff\xfe",
        b"name=Ana&email=ana%40example.org&password=correct+horse+battery%00",
        b"na%00me=Ana",
        b"name=%ed%a0%80",
    ],
)
def test_form_with_nul_or_invalid_utf8_gives_400_page(app, client, path, body):
    response = client.post(path, data=body, content_type=FORM)

    assert response.status_code == 400
    assert BAD_TEXT in _text(response)
    assert _user_count(app) == 0


def test_signup_complete_form_with_nul_in_name_creates_no_account(app, client):
    body = (
        b"name=Ana%00Flores&email=ana%40example.org&password=correct+horse+battery"
        b"&preferred_language=en&pronouns=&organisation=&presenter_role=&county=&age_band="
    )

    response = client.post("/account/signup", data=body, content_type=FORM)

    assert response.status_code == 400
    assert _user_count(app) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"email": "a\x00b@example.org", "password": "x"},
        {"email": "a@example.org", "password": "\x00"},
    ],
)
def test_multipart_form_with_nul_gives_400_page(client, data):
    response = client.post("/account/login", data=data, content_type="multipart/form-data")

    assert response.status_code == 400
    assert BAD_TEXT in _text(response)


def test_multipart_form_with_invalid_utf8_gives_400_page(client):
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n'.encode()
        + b"\xff\xfe@example.org\r\n"
        + f"--{boundary}--\r\n".encode()
    )

    response = client.post(
        "/account/login", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 400
    assert BAD_TEXT in _text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/account/login?next=%00",
        "/account/login?next=%ff",
        "/account/login?next=%c3%28",
        "/2027/?q=a%00b",
        "/api/v1/summits?x=%ff",
        "/account/reset/abc?%00=1",
    ],
)
def test_query_string_with_nul_or_invalid_utf8_gives_400(client, make_summit, path):
    make_summit("2027")

    response = client.get(path)

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/20%0027/", "/account/reset/a%00b", "/api/v1/summits/20%0027"])
def test_path_with_nul_gives_400(client, make_summit, path):
    make_summit("2027")

    response = client.get(path)

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/%ff/", "/%ff%fe/staff/settings", "/api/v1/summits/%c3%28"])
def test_path_with_invalid_utf8_gives_404_not_500(client, make_summit, path):
    make_summit("2027")

    response = client.get(path)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "Ana\\u0000"}',
        b'{"name": "Ana\x00"}',
        b'{"name": "\xff\xfe"}',
        b'{"name": "x\\ud800y"}',
        b'{"\\udfff": "x"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "escaped-nul",
        "raw-nul",
        "invalid-utf8",
        "lone-surrogate",
        "surrogate-key",
        "deep-nesting",
    ],
)
def test_json_with_nul_invalid_utf8_or_unstorable_text_gives_400_json(app, client, make_user, body):
    email = make_user(name="Unchanged")
    with app.app_context():
        secret = create_api_token(get_user_by_email(email), "script").secret
        db.session.commit()

    response = client.patch(
        "/api/v1/me",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    with app.app_context():
        assert get_user_by_email(email).name == "Unchanged"


def test_json_with_escaped_emoji_is_accepted(app, client, make_user):
    email = make_user()
    with app.app_context():
        secret = create_api_token(get_user_by_email(email), "script").secret
        db.session.commit()

    response = client.patch(
        "/api/v1/me",
        data=b'{"name": "Ana \\ud83c\\udf3b Flores"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 200
    assert response.get_json()["name"] == "Ana \U0001f33b Flores"


def test_staff_form_with_nul_changes_nothing(app, client, login_as):
    login_as("staff")
    body = b"name=Summit%00&timezone=UTC&starts_on=2027-09-23&ends_on=2027-09-24"

    response = client.post("/2027/staff/settings", data=body, content_type=FORM)

    assert response.status_code == 400
    with app.app_context():
        assert get_summit_by_slug("2027").name == "Community Schools Summit 2027"
