"""Site-wide pages: the front door, the language switch and the mail outbox."""

import pytest

from summit.accounts.queries import get_user_by_email
from summit.core.outbox import queue_email
from summit.extensions import db


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_index_no_summit_shows_welcome_page_in_english(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="en">' in _text(response)


def test_lang_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = client.post("/lang", data={"lang": "es", "next": "/account/login"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    page = _text(client.get("/account/login"))
    assert '<html lang="es">' in page
    assert 'lang="en">English</button>' in page


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil"])
def test_lang_switch_next_off_site_goes_home(client, target):
    response = client.post("/lang", data={"lang": "es", "next": target})

    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["fr", "", "xx-YY"])
def test_lang_switch_unknown_language_is_400(client, lang):
    response = client.post("/lang", data={"lang": lang})

    assert response.status_code == 400
    assert "Choose English or Español." in _text(response)
    assert "summit_lang" not in response.headers.get("Set-Cookie", "")


def test_lang_switch_logged_in_is_remembered_on_the_profile(app, client, make_user, auth):
    email = make_user()
    auth.login(email)

    client.post("/lang", data={"lang": "es"})

    with app.app_context():
        assert get_user_by_email(email).preferred_language == "es"
    fresh = app.test_client()
    fresh.post("/account/login", data={"email": email, "password": "correct horse battery"})
    assert '<html lang="es">' in _text(fresh.get("/account/profile"))


def test_language_profile_choice_wins_over_cookie_and_browser(app, client, make_user, auth):
    email = make_user(preferred_language="es")
    auth.login(email)
    client.set_cookie("summit_lang", "en")

    page = _text(client.get("/account/profile", headers={"Accept-Language": "en-US"}))

    assert '<html lang="es">' in page


def test_language_browser_preference_used_for_visitors(client):
    page = _text(client.get("/account/login", headers={"Accept-Language": "es-MX,es;q=0.9"}))

    assert '<html lang="es">' in page


def test_outbox_page_admin_sees_queued_mail(app, client, login_as):
    login_as(admin=True)
    with app.app_context():

        class Person:
            name = "Ana"

        queue_email(
            "ana@example.org", "accounts/emails/verify", user=Person(), link="https://x.test/1"
        )
        db.session.commit()

    response = client.get("/admin/outbox")

    assert response.status_code == 200
    assert "ana@example.org" in _text(response)


def test_outbox_page_staff_without_admin_flag_403(client, login_as):
    login_as("staff")

    response = client.get("/admin/outbox")

    assert response.status_code == 403


def test_outbox_page_anonymous_redirects_to_login(client):
    response = client.get("/admin/outbox")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/admin/outbox"
