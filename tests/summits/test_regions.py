"""County → region mapping: staff edit it; proposals filter and selection count by it."""

from datetime import date

import pytest

from summit.core.errors import DomainError
from summit.extensions import db
from summit.summits.queries import counties_in_region, regions_by_county
from summit.summits.services import create_summit, set_regions


@pytest.fixture
def summit(ctx):
    summit = create_summit(
        slug="2027", name="S", starts_on=date(2027, 9, 23), ends_on=date(2027, 9, 24), actor=None
    )
    db.session.flush()
    return summit


def test_set_regions_keeps_named_counties_and_drops_empty_ones(summit):
    set_regions(summit, {"Ventura": " Central  Coast ", "Fresno": ""}, actor=None)

    assert regions_by_county(summit) == {"Ventura": "Central Coast"}
    assert counties_in_region(summit, "Central Coast") == ["Ventura"]


def test_set_regions_replaces_the_previous_mapping(summit):
    set_regions(summit, {"Ventura": "A", "Kern": "B"}, actor=None)

    set_regions(summit, {"Kern": "C"}, actor=None)

    assert regions_by_county(summit) == {"Kern": "C"}


def test_set_regions_unknown_county_is_refused(summit):
    with pytest.raises(DomainError) as caught:
        set_regions(summit, {"Atlantis": "Sea"}, actor=None)

    assert caught.value.code == "bad_county"


def test_regions_page_staff_saves_and_audit_records_it(app, client, login_as):
    login_as("staff")

    response = client.post("/2027/staff/regions", data={"region-Ventura": "Central Coast R-TAC"})

    assert response.status_code == 302
    page = client.get("/2027/staff/regions").get_data(as_text=True)
    assert 'value="Central Coast R-TAC"' in page
    assert "regions.update" in client.get("/2027/staff/audit").get_data(as_text=True)


def test_regions_page_too_long_name_keeps_what_was_typed(client, login_as):
    login_as("staff")
    long_name = "R" * 81

    response = client.post("/2027/staff/regions", data={"region-Kern": long_name})

    assert response.status_code == 422
    assert long_name in response.get_data(as_text=True)


def test_regions_page_reviewer_is_forbidden(client, login_as):
    login_as("reviewer")

    assert client.get("/2027/staff/regions").status_code == 403
