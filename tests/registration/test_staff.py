"""Staff set up ticket types: saved, audited, validated, staff only."""

from summit.extensions import db
from summit.registration.models import TicketType


def _form(**overrides):
    data = {
        "code": "family",
        "name_en": "Family member",
        "name_es": "Familiar",
        "capacity": "120",
        "position": "0",
        "is_active": "y",
    }
    return {**data, **overrides}


def test_new_ticket_type_is_saved_and_audited(app, client, login_as):
    login_as("staff")

    response = client.post("/2027/staff/tickets/new", data=_form(access_code="comp2027"))

    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(db.select(TicketType).where(TicketType.code == "family"))
        assert (saved.capacity, saved.taken, saved.access_code) == (120, 0, "COMP2027")
    page = client.get("/2027/staff/tickets").get_data(as_text=True)
    assert "Family member" in page and "0 / 120" in page
    assert "ticket_type.create" in client.get("/2027/staff/audit").get_data(as_text=True)


def test_edit_ticket_type_keeps_code_and_changes_seats(app, client, login_as):
    login_as("staff")
    client.post("/2027/staff/tickets/new", data=_form())

    response = client.post("/2027/staff/tickets/family", data=_form(capacity="80"))

    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(TicketType.capacity)) == 80


def test_new_ticket_type_bad_input_shows_field_errors_and_keeps_text(client, login_as):
    login_as("staff")
    client.post("/2027/staff/tickets/new", data=_form())

    duplicate = client.post("/2027/staff/tickets/new", data=_form(name_en="Typed name"))
    no_seats = client.post("/2027/staff/tickets/new", data=_form(code="other", capacity="0"))

    assert duplicate.status_code == 422
    assert "Another ticket type uses this code." in duplicate.get_data(as_text=True)
    assert 'value="Typed name"' in duplicate.get_data(as_text=True)
    assert no_seats.status_code == 422


def test_ticket_type_pages_unknown_code_is_404_and_reviewer_is_forbidden(client, login_as):
    login_as("reviewer")

    assert client.get("/2027/staff/tickets").status_code == 403
    assert client.get("/2027/staff/tickets/new").status_code == 403


def test_ticket_type_unknown_code_is_404_for_staff(client, login_as):
    login_as("staff")

    assert client.get("/2027/staff/tickets/nope").status_code == 404
