from datetime import date

import pytest

from summit.summits.taxonomy import FRAMEWORK_TRACKS


def test_list_summits_returns_items_newest_first(client, make_summit):
    make_summit("2026", starts_on=date(2026, 9, 24), ends_on=date(2026, 9, 25))
    make_summit("2027")

    response = client.get("/api/v1/summits")

    body = response.get_json()
    assert response.status_code == 200
    assert [s["slug"] for s in body["items"]] == ["2027", "2026"]
    assert body["next"] is None
    assert body["items"][0]["is_current"] is True


def test_get_summit_returns_details_and_21_tracks(client, make_summit):
    make_summit("2027", venue="Sacramento")

    body = client.get("/api/v1/summits/2027").get_json()

    assert body["name"] == "Community Schools Summit 2027"
    assert (body["starts_on"], body["ends_on"]) == ("2027-09-23", "2027-09-24")
    assert body["timezone"] == "America/Los_Angeles"
    assert len(body["tracks"]) == 21
    assert body["tracks"][0] == {
        "code": "pillar-supports",
        "kind": "pillar",
        "name": "Integrated student supports",
        "name_en": "Integrated student supports",
        "name_es": "Apoyos integrados para estudiantes",
        "description_en": "",
        "description_es": "",
        "colour": "#1F5F8B",
        "position": 0,
        "is_active": True,
    }


def test_get_tracks_in_spanish_names_them_in_spanish(client, make_summit):
    make_summit("2027")

    response = client.get("/api/v1/summits/2027/tracks", headers={"Accept-Language": "es"})

    names = [t["name"] for t in response.get_json()["items"]]
    assert names == [es for _code, _kind, _en, es, _colour in FRAMEWORK_TRACKS]


@pytest.mark.parametrize(
    "path", ["/api/v1/summits/1999", "/api/v1/summits/1999/tracks", "/api/v1/summits/%FF"]
)
def test_unknown_summit_answers_404_json(client, make_summit, path):
    make_summit("2027")

    response = client.get(path)

    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "code": "summit_not_found",
            "message": "There is no summit at this address.",
            "fields": {},
        }
    }
