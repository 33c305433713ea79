import re
import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from summit.accounts import services
from summit.accounts.models import ApiToken, User
from summit.accounts.queries import get_user_by_email
from summit.core.clock import now
from summit.core.outbox import deliver_pending
from summit.core.tokens import hash_secret
from summit.extensions import db
from tests.conftest import PASSWORD, Auth

NEW_PASSWORD = "a brand new passphrase"
FLASH_DANGER = re.compile(r'<div class="alert alert-danger">(.*?)</div>', re.S)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _signup_form(email="ana@example.org", **overrides):
    form = {
        "name": "Ana Flores",
        "email": email,
        "password": PASSWORD,
        "preferred_language": "en",
        "pronouns": "",
        "organisation": "",
        "presenter_role": "",
        "county": "",
        "age_band": "",
    }
    return form | overrides


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def _second_client_as(app, email, password=PASSWORD):
    other = app.test_client()
    response = Auth(other).login(email, password)
    assert response.status_code == 302
    return other


# --- sign up and verification ----------------------------------------------


def test_signup_valid_form_mails_a_verification_link_over_smtp(client, mailbox, deliver):
    response = client.post("/account/signup", data=_signup_form())

    assert response.status_code == 200
    assert "We sent a confirmation link to ana@example.org" in _text(response)
    assert deliver()["sent"] == 1
    [message] = mailbox.to("ana@example.org")
    assert message["Subject"] == "Confirm your email for the Community Schools Summit"
    assert "Hello Ana Flores," in mailbox.body(message)
    assert "http://localhost/account/verify/" in mailbox.body(message)


def test_signup_verification_link_confirms_email_and_logs_in(app, client, link_from):
    client.post("/account/signup", data=_signup_form())
    link = link_from("ana@example.org")

    response = client.get(link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    profile = client.get("/account/profile")
    assert profile.status_code == 200
    assert "Signed in as ana@example.org." in _text(profile)
    with app.app_context():
        assert get_user_by_email("ana@example.org").is_verified


def test_signup_spanish_preference_queues_mail_in_spanish(client, mailbox, deliver):
    client.post("/account/signup", data=_signup_form(preferred_language="es"))

    deliver()

    [message] = mailbox.to("ana@example.org")
    assert message["Content-Language"] == "es"


def test_signup_verification_link_reused_shows_400_link_used(client, link_from):
    client.post("/account/signup", data=_signup_form())
    link = link_from("ana@example.org")
    client.get(link)
    client.post("/account/logout")

    response = client.get(link)

    assert response.status_code == 400
    assert "This link has already been used." in _text(response)


@pytest.mark.parametrize("again", ["ana@example.org", "ANA@Example.ORG"])
def test_signup_existing_email_any_case_shows_message_and_no_second_account(
    app, client, make_user, again
):
    make_user("ana@example.org")

    response = client.post("/account/signup", data=_signup_form(again))

    assert response.status_code == 422
    assert "An account with this email already exists." in _text(response)
    assert "This email already has an account." in _text(response)
    assert _user_count(app) == 1


def test_signup_short_password_shows_field_error_and_creates_nothing(app, client):
    response = client.post("/account/signup", data=_signup_form(password="short"))

    assert response.status_code == 422
    assert "Use at least 10 characters." in _text(response)
    assert 'value="Ana Flores"' in _text(response)
    assert _user_count(app) == 0


def test_signup_while_logged_in_redirects_home(client, login_as):
    login_as()

    response = client.get("/account/signup")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- log in / log out --------------------------------------------------------


def test_login_right_password_redirects_home_with_httponly_session(client, make_user, auth):
    email = make_user()

    response = auth.login(email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.get("/account/profile").status_code == 200


def test_login_remember_me_sets_httponly_remember_cookie(make_user, auth):
    email = make_user()

    response = auth.login(email, remember="y")

    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie


def test_login_wrong_password_and_unknown_email_show_the_same_message(client, make_user, auth):
    email = make_user("ana@example.org")

    wrong_password = auth.login(email, "not the password")
    unknown_email = auth.login("nobody@example.org", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert FLASH_DANGER.findall(_text(wrong_password)) == FLASH_DANGER.findall(_text(unknown_email))
    assert FLASH_DANGER.findall(_text(wrong_password)) == [
        "That email and password do not match an account."
    ]


def test_login_unverified_account_is_refused_and_gets_a_new_link(client, mailbox, deliver, auth):
    client.post("/account/signup", data=_signup_form())
    deliver()
    mailbox.clear()

    response = auth.login("ana@example.org")

    assert response.status_code == 401
    assert "Please confirm your email first." in _text(response)
    deliver()
    [message] = mailbox.to("ana@example.org")
    assert "/account/verify/" in mailbox.body(message)
    assert client.get("/account/profile").status_code == 302


def test_login_next_local_path_redirects_there(make_user, auth):
    email = make_user()

    response = auth.login(email, next="/account/tokens?tab=1")

    assert response.headers["Location"] == "/account/tokens?tab=1"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https:evil",
        "/\\evil",
        "http://evil.example",
        "///evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_next_pointing_off_site_is_ignored(make_user, auth, target):
    email = make_user()

    response = auth.login(email, next=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_page_carries_next_from_query_into_form(client):
    response = client.get("/account/login?next=/account/tokens")

    assert re.search(r'name="next" type="hidden" value="/account/tokens"', _text(response))


def test_protected_page_anonymous_redirects_to_login_with_next(client):
    response = client.get("/account/profile")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/profile"


def test_login_after_being_sent_to_log_in_returns_to_the_page_asked_for(client, make_user):
    email = make_user()
    sent_to = client.get("/account/tokens").headers["Location"]
    form_page = client.get(sent_to).get_data(as_text=True)
    next_value = re.search(r'name="next" type="hidden" value="([^"]*)"', form_page).group(1)

    response = client.post(sent_to, data={"email": email, "password": PASSWORD, "next": next_value})

    assert response.headers["Location"] == "/account/tokens"


def test_logout_ends_every_session_of_the_user(app, client, make_user, auth):
    email = make_user()
    auth.login(email)
    other = _second_client_as(app, email)

    response = auth.logout()

    assert response.headers["Location"] == "/"
    assert client.get("/account/profile").status_code == 302
    assert other.get("/account/profile").status_code == 302
    assert other.get("/account/profile").headers["Location"].startswith("/account/login")


def test_logout_leaves_other_people_logged_in(app, make_user, auth):
    mine, theirs = make_user(), make_user()
    auth.login(mine)
    other = _second_client_as(app, theirs)

    auth.logout()

    assert other.get("/account/profile").status_code == 200


def test_logout_also_ends_remember_me_logins_elsewhere(app, make_user, auth):
    email = make_user()
    auth.login(email)
    remembered = app.test_client()
    Auth(remembered).login(email, remember="y")
    remembered.delete_cookie("session")
    assert remembered.get("/account/profile").status_code == 200
    remembered.delete_cookie("session")

    auth.logout()

    assert remembered.get("/account/profile").status_code == 302


def test_deactivated_account_is_logged_out_on_next_request(app, client, login_as):
    email = login_as()
    with app.app_context():
        get_user_by_email(email).is_active_account = False
        db.session.commit()

    response = client.get("/account/profile")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


# --- password change ---------------------------------------------------------


def _change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": new, "confirm": confirm or new},
    )


def test_password_change_ends_other_sessions_and_keeps_this_one(
    app, client, make_user, auth, mailbox, deliver
):
    email = make_user()
    auth.login(email)
    other = _second_client_as(app, email)

    response = _change_password(client)

    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 200
    assert other.get("/account/profile").status_code == 302
    assert auth.login(email, NEW_PASSWORD).status_code == 302
    deliver()
    [message] = mailbox.to(email)
    assert message["Subject"] == "Your Community Schools Summit password was changed"


def test_password_change_wrong_current_password_422_and_nothing_changes(
    app, client, make_user, auth
):
    email = make_user()
    auth.login(email)
    other = _second_client_as(app, email)

    response = _change_password(client, current="not my password")

    assert response.status_code == 422
    assert 'id="current_password-error"' in _text(response)
    assert other.get("/account/profile").status_code == 200


def test_password_change_mismatched_confirmation_422(client, login_as):
    login_as()

    response = _change_password(client, confirm="something else entirely")

    assert response.status_code == 422
    assert "The passwords do not match." in _text(response)


# --- forgot / reset ----------------------------------------------------------


def _without_noise(html: str, email: str) -> str:
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return html.replace(email, "EMAIL")


def test_forgot_known_and_unknown_email_give_same_page_and_only_known_gets_mail(
    client, make_user, mailbox, deliver
):
    known = make_user("ana@example.org")

    for_known = client.post("/account/forgot", data={"email": known})
    for_unknown = client.post("/account/forgot", data={"email": "nobody@example.org"})

    assert for_known.status_code == for_unknown.status_code == 200
    assert _without_noise(_text(for_known), known) == _without_noise(
        _text(for_unknown), "nobody@example.org"
    )
    assert deliver()["sent"] == 1
    assert len(mailbox.to(known)) == 1
    assert mailbox.to("nobody@example.org") == []


def test_reset_link_sets_new_password_and_ends_every_session(
    app, client, make_user, link_from, auth
):
    email = make_user("ana@example.org")
    logged_in_elsewhere = _second_client_as(app, email)
    client.post("/account/forgot", data={"email": email})
    link = link_from(email)
    assert client.get(link).status_code == 200

    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert logged_in_elsewhere.get("/account/profile").status_code == 302
    assert auth.login(email, PASSWORD).status_code == 401
    assert auth.login(email, NEW_PASSWORD).status_code == 302


def test_reset_link_reused_shows_400_with_clear_message(client, make_user, link_from):
    email = make_user()
    client.post("/account/forgot", data={"email": email})
    link = link_from(email)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    opened = client.get(link)
    posted = client.post(
        link, data={"password": "yet another passphrase", "confirm": "yet another passphrase"}
    )

    for response in (opened, posted):
        assert response.status_code == 400
        assert "This link has already been used." in _text(response)
        assert 'href="/account/forgot"' in _text(response)


def test_reset_link_expired_shows_400_with_clear_message(app, client, make_user):
    email = make_user()
    with app.app_context():
        user = get_user_by_email(email)
        _user, issued = services.request_password_reset(email, at=now() - timedelta(hours=2))
        db.session.commit()
        old_hash = user.password_hash

    opened = client.get(f"/account/reset/{issued.secret}")
    posted = client.post(
        f"/account/reset/{issued.secret}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    for response in (opened, posted):
        assert response.status_code == 400
        assert "This link has expired." in _text(response)
    with app.app_context():
        assert get_user_by_email(email).password_hash == old_hash


def test_reset_link_unknown_token_shows_400(client):
    response = client.get("/account/reset/not-a-real-token")

    assert response.status_code == 400
    assert "This link is not valid." in _text(response)


def test_reset_link_short_password_keeps_link_usable(client, make_user, link_from):
    email = make_user()
    client.post("/account/forgot", data={"email": email})
    link = link_from(email)

    response = client.post(link, data={"password": "short", "confirm": "short"})

    assert response.status_code == 422
    assert "Use at least 10 characters." in _text(response)
    assert client.get(link).status_code == 200


# --- rate limit ----------------------------------------------------------------


def test_login_more_attempts_than_the_limit_answers_429(make_app, make_user):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    form = {"email": "nobody@example.org", "password": "wrong password"}

    statuses = [client.post("/account/login", data=form).status_code for _ in range(3)]
    blocked = client.post("/account/login", data=form)

    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429
    assert "Too many attempts. Please wait a minute and try again." in _text(blocked)
    assert "Retry-After" in blocked.headers
    assert client.get("/account/login").status_code == 200


def test_login_rate_limit_falls_back_to_memory_when_redis_is_down(make_app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    limited = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed}",
    )
    client = limited.test_client()
    form = {"email": "nobody@example.org", "password": "wrong password"}

    statuses = [client.post("/account/login", data=form).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]


# --- profile -------------------------------------------------------------------


def _profile_form(**overrides):
    form = {
        "name": "Ana Flores",
        "pronouns": "she/her",
        "organisation": "Oakland Unified",
        "presenter_role": "educator",
        "county": "Alameda",
        "age_band": "adult",
        "preferred_language": "es",
    }
    return form | overrides


def test_profile_edit_saves_every_field(app, client, login_as):
    email = login_as()

    response = client.post("/account/profile", data=_profile_form())

    assert response.status_code == 302
    with app.app_context():
        user = get_user_by_email(email)
        saved = {key: getattr(user, key) for key in _profile_form()}
    assert saved == _profile_form()


def test_profile_page_shows_saved_values(client, login_as):
    login_as()
    client.post("/account/profile", data=_profile_form())

    page = _text(client.get("/account/profile"))

    assert 'value="she/her"' in page
    assert 'value="Oakland Unified"' in page
    assert '<option selected value="Alameda">' in page


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"county": "Atlantis"}, "Not a valid choice"),
        ({"pronouns": "x" * 41}, "Field cannot be longer than 40 characters."),
    ],
)
def test_profile_invalid_input_keeps_typed_values_and_saves_nothing(
    app, client, login_as, bad, message
):
    email = login_as()

    response = client.post("/account/profile", data=_profile_form(**bad))

    page = _text(response)
    assert response.status_code == 422
    assert message in page
    assert "Nothing you typed has been lost." in page
    assert 'value="Oakland Unified"' in page
    with app.app_context():
        assert get_user_by_email(email).organisation is None


# --- API tokens page -------------------------------------------------------------


def test_tokens_page_shows_new_secret_once_and_stores_only_its_hash(app, client, login_as):
    login_as()

    created = client.post("/account/tokens", data={"name": "spreadsheet"})

    secret = re.search(r'<code class="token-secret">([^<]+)</code>', _text(created)).group(1)
    assert created.status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash == hash_secret(secret)
    later = _text(client.get("/account/tokens"))
    assert secret not in later
    assert "spreadsheet" in later
    assert f"{secret[:10]}…" in later


def test_tokens_page_blank_name_422(client, login_as):
    login_as()

    response = client.post("/account/tokens", data={"name": ""})

    assert response.status_code == 422
    assert "This field is required." in _text(response)


def test_tokens_revoke_stops_the_token_working(app, client, login_as):
    email = login_as()
    with app.app_context():
        issued = services.create_api_token(get_user_by_email(email), "script")
        public_id = issued.record.public_id
        db.session.commit()

    response = client.post(f"/account/tokens/{public_id}/revoke")

    assert response.headers["Location"] == "/account/tokens"
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {issued.secret}"})
    assert api.status_code == 401
    assert "Revoked" in _text(client.get("/account/tokens"))


def test_tokens_revoke_someone_elses_token_404_and_token_keeps_working(
    app, client, make_user, login_as
):
    owner = make_user()
    with app.app_context():
        issued = services.create_api_token(get_user_by_email(owner), "script")
        public_id = issued.record.public_id
        db.session.commit()
    login_as()

    response = client.post(f"/account/tokens/{public_id}/revoke")

    assert response.status_code == 404
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {issued.secret}"})
    assert api.get_json()["email"] == owner


# --- links in mail and the Host header ------------------------------------------------


def test_reset_mail_link_uses_server_name_not_the_request_host(make_app, make_user, mailbox):
    site = make_app(SERVER_NAME="summit.example.org")
    email = make_user()

    site.test_client().post(
        "/account/forgot", data={"email": email}, headers={"Host": "evil.example"}
    )

    with site.app_context():
        deliver_pending()
    [message] = mailbox.to(email)
    assert "http://summit.example.org/account/reset/" in mailbox.body(message)
    assert "evil.example" not in mailbox.body(message)


def test_untrusted_host_header_is_refused_when_trusted_hosts_is_set(make_app, make_user, mailbox):
    site = make_app(TRUSTED_HOSTS=["summit.example.org"])
    email = make_user()

    response = site.test_client().post(
        "/account/forgot", data={"email": email}, headers={"Host": "evil.example"}
    )

    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("400 ")
    with site.app_context():
        assert deliver_pending()["sent"] == 0


def test_untrusted_host_header_on_the_api_gets_the_json_error(make_app):
    site = make_app(TRUSTED_HOSTS=["summit.example.org"])

    response = site.test_client().get("/api/v1/me", headers={"Host": "evil.example"})

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
