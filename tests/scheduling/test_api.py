"""The released schedule through the API: public, newest version only, filters that
refuse unknown values, paging, and presenters under 18 reduced to a first name."""

from __future__ import annotations

import pytest

from tests.scheduling.conftest import DAY_ONE, DAY_TWO, SLUG

API = f"/api/v1/summits/{SLUG}/schedule"
MINOR = {"age_band": "13_17", "guardian_email": "guardian@example.org", "invite_status": "none"}


@pytest.fixture
def released(build):
    """Redwood Hall: day one 9:00 "Family nights" (a presenter under 18 with consent),
    10:15 "Círculos" (Spanish); day two 9:00 "Day two workshop" (cancelled). Two versions."""
    redwood = build.room("Redwood Hall", capacity=120, features=["step_free"], position=0)
    nine = build.slot(DAY_ONE, "09:00", "10:00")
    late = build.slot(DAY_ONE, "10:15", "11:15")
    day_two = build.slot(DAY_TWO, "09:00", "10:00")
    family = build.proposal(
        "Family nights",
        presenters=[
            ("Rosa Pérez", {"role_type": "family", "age_band": "adult"}),
            ("Maya Lopez", {**MINOR, "role_type": "student", "consent_status": "granted"}),
            ("Nico Quiet", {**MINOR, "consent_status": "requested"}),
        ],
    )
    circles = build.proposal("Círculos de familias", language="es")
    workshop = build.proposal("Day two workshop")
    build.release({family: (late, redwood)})
    build.release(
        {family: (nine, redwood), circles: (late, redwood), workshop: (day_two, redwood)},
        cancelled=(workshop,),
        changelog=[{"code": family, "title": "Family nights", "kind": "moved"}],
    )
    return {"family": family, "circles": circles, "workshop": workshop}


def _ok(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_schedule_lists_newest_version_in_time_order_without_signing_in(client, released):
    body = _ok(client.get(API))

    assert body["version"]["number"] == 2
    assert body["timezone"] == "America/Los_Angeles"
    assert [(s["title"], s["day"], s["cancelled"]) for s in body["items"]] == [
        ("Family nights", DAY_ONE.isoformat(), False),
        ("Círculos de familias", DAY_ONE.isoformat(), False),
        ("Day two workshop", DAY_TWO.isoformat(), True),
    ]
    assert body["items"][0]["room"]["name"] == "Redwood Hall"
    assert body["next"] is None


def test_schedule_presenter_under_18_shows_first_name_only_and_no_role(client, released):
    family = _ok(client.get(f"{API}/sessions/{released['family']}"))

    presenters = {p["name"]: p for p in family["presenters"]}
    assert set(presenters) == {"Rosa Pérez", "Maya"}  # Nico: no guardian consent yet
    assert presenters["Maya"]["role_type"] is None
    assert set(presenters["Maya"]) == {"public_id", "name", "role_type"}


def test_schedule_pages_with_limit_and_the_next_link(client, released):
    first = _ok(client.get(f"{API}?limit=2"))
    second = _ok(client.get(first["next"]))

    assert [s["code"] for s in first["items"]] == [released["family"], released["circles"]]
    assert [s["code"] for s in second["items"]] == [released["workshop"]]
    assert second["next"] is None


def test_schedule_filters_by_day_and_refuses_unknown_values(client, released):
    day_two = _ok(client.get(f"{API}?day={DAY_TWO.isoformat()}"))
    refused = client.get(f"{API}?track=no-such-track&day=2001-01-01")

    assert [s["code"] for s in day_two["items"]] == [released["workshop"]]
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"track", "day"}


def test_schedule_versions_newest_first_with_changes(client, released):
    body = _ok(client.get(f"{API}/versions"))

    assert [v["number"] for v in body["items"]] == [2, 1]
    assert body["items"][0]["changes"][0]["code"] == released["family"]
    assert body["items"][0]["changes"][0]["kind"] == "moved"


def test_schedule_rooms_lists_rooms_with_sessions(client, released):
    body = _ok(client.get(f"{API}/rooms"))

    assert [(r["name"], r["capacity"], r["features"]) for r in body["items"]] == [
        ("Redwood Hall", 120, ["step_free"])
    ]


def test_schedule_before_the_first_release_answers_404_not_published(client, build):
    for path in ("", "/rooms", "/versions", "/sessions/PRO-AAAAA"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_published"


def test_schedule_unknown_session_answers_404(client, released):
    response = client.get(f"{API}/sessions/PRO-NOPE")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "session_not_found"
