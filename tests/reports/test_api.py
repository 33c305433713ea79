"""Report tables over the API: the dashboards' numbers, scoped like the pages."""

from __future__ import annotations

API = "/api/v1/summits/2027/reports"


def test_reports_api_lists_every_table_for_staff(client, summit_data, login):
    login("staff")

    response = client.get(API)

    assert response.status_code == 200
    names = {item["name"]: item["dashboard"] for item in response.get_json()["items"]}
    assert names["programme-regions"] == "programme"
    assert names["participation-regions"] == "participation"


def test_reports_api_table_has_the_pages_numbers_by_stable_column(client, summit_data, login):
    login("staff")

    body = client.get(f"{API}/programme-regions?topic=pillar-family").get_json()

    assert [c["key"] for c in body["columns"]][:3] == ["key", "label", "proposals"]
    rows = {row["key"]: row for row in body["items"]}
    assert (rows["Central Valley"]["proposals"], rows["Central Valley"]["accepted"]) == (2, 1)
    assert rows["Greater LA"]["proposals"] == 1
    assert body["filters"] == {"topic": "pillar-family"}
    assert body["region"] is None


def test_reports_api_region_lead_sees_their_region_and_is_refused_another(
    client, summit_data, login
):
    login("lead")

    own = client.get(f"{API}/participation-regions").get_json()
    other = client.get(f"{API}/participation-regions?region=Greater+LA")

    assert [row["key"] for row in own["items"]] == ["Central Valley"]
    assert own["region"] == "Central Valley"
    assert other.status_code == 422
    assert "Central Valley only" in other.get_json()["error"]["fields"]["region"][0]


def test_reports_api_unknown_day_or_topic_is_422_naming_it(client, summit_data, login):
    login("staff")

    response = client.get(f"{API}/participation-days?day=2020-01-01&topic=nope")

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"day", "topic"}


def test_reports_api_unknown_table_is_404(client, summit_data, login):
    login("staff")

    response = client.get(f"{API}/nope")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_report"


def test_reports_api_reviewer_is_403_and_anonymous_401(client, summit_data, login):
    assert client.get(API).status_code == 401
    login("reviewer")
    response = client.get(API)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_allowed"


def test_reports_api_pages_long_tables(client, summit_data, login):
    login("staff")

    first = client.get(f"{API}/programme-counties?limit=1").get_json()

    assert len(first["items"]) == 1 and first["next"]
    second = client.get(first["next"]).get_json()
    assert second["items"] and second["items"][0]["key"] != first["items"][0]["key"]
