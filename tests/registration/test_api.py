"""Registrations through the API: staff only, attendees with filters and paging, one
attendee with the household's booking, ticket types."""

from __future__ import annotations

import pytest

from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_api_token
from summit.extensions import db
from tests.registration.conftest import SLUG

API = f"/api/v1/summits/{SLUG}"


@pytest.fixture
def token_for(app, make_user):
    def factory(*roles: str) -> dict:
        email = make_user(roles=roles, slug=SLUG)
        with app.app_context():
            issued = create_api_token(get_user_by_email(email), "tests")
            db.session.commit()
        return {"Authorization": f"Bearer {issued.secret}"}

    return factory


@pytest.fixture
def household(registration_open, make_booking):
    return make_booking(
        {"name": "Ana Adult", "email": "ana@example.org", "age_band": "adult"},
        {"name": "Teo Teen", "email": None, "age_band": "13_17", "guardian_name": "Ana Adult",
         "guardian_email": "ana@example.org"},
    )  # fmt: skip


def test_attendees_staff_sees_everyone_with_the_booking(client, household, token_for):
    body = client.get(f"{API}/attendees", headers=token_for("staff")).get_json()

    people = {a["name"]: a for a in body["items"]}
    assert set(people) == {"Ana Adult", "Teo Teen"}
    assert people["Teo Teen"]["is_minor"] is True
    assert people["Teo Teen"]["guardian_email"] == "ana@example.org"
    assert people["Ana Adult"]["booking"]["code"] == household.code
    assert people["Ana Adult"]["state"] == "confirmed"
    assert body["next"] is None


def test_attendees_minors_filter_and_paging(client, household, token_for, make_booking):
    headers = token_for("staff")
    make_booking({"name": "Bo Second", "email": "bo@example.org"}, contact="bo@example.org")

    minors = client.get(f"{API}/attendees?minors=true", headers=headers).get_json()
    first = client.get(f"{API}/attendees?limit=2", headers=headers).get_json()
    rest = client.get(first["next"], headers=headers).get_json()

    assert [a["name"] for a in minors["items"]] == ["Teo Teen"]
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next"] is None


def test_attendees_unknown_filter_value_or_cursor_is_422(client, household, token_for):
    response = client.get(
        f"{API}/attendees?county=Atlantis&cursor=nope", headers=token_for("staff")
    )

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"county", "cursor"}


def test_attendee_by_code_and_unknown_code(client, household, token_for):
    headers = token_for("staff")

    found = client.get(f"{API}/attendees/{household.people[1]}", headers=headers)
    missing = client.get(f"{API}/attendees/NOPE1234", headers=headers)

    assert found.get_json()["name"] == "Teo Teen"
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "attendee_not_found"


def test_ticket_types_list_seats_taken(client, household, token_for):
    body = client.get(f"{API}/ticket-types", headers=token_for("staff")).get_json()

    taken = {t["code"]: (t["capacity"], t["taken"]) for t in body["items"]}
    assert taken == {"family": (3, 2), "youth": (1, 0), "vip": (5, 0)}


@pytest.mark.parametrize("path", ["attendees", "attendees/NOPE1234", "ticket-types"])
@pytest.mark.parametrize("role", ["door", "reviewer"])
def test_registration_api_is_staff_only(client, household, token_for, path, role):
    response = client.get(f"{API}/{path}", headers=token_for(role))

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_staff"


def test_registration_api_anonymous_is_401(client, household):
    response = client.get(f"{API}/attendees")

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
