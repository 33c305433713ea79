"""Registering over HTTP: a household, the confirmation email, tickets, QR, cancel."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from summit.core.outbox import deliver_pending
from summit.extensions import db
from summit.registration import services
from summit.registration.models import Attendee, Booking, TicketType
from summit.registration.tickets import verify_ticket
from summit.summits.queries import get_summit_by_slug


@pytest.fixture
def open_registration(app, make_summit):
    now = datetime.now(UTC)
    make_summit(
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=30),
    )
    with app.app_context():
        summit = get_summit_by_slug("2027")
        ticket = services.save_ticket_type(
            summit,
            actor=None,
            code="family",
            name_en="Family member",
            name_es="Familiar",
            capacity=2,
        )
        db.session.commit()
        return ticket.id


def household(ticket_id, *names, **extra):
    data = {
        "contact_name": "Rosa Pérez",
        "contact_email": "rosa@example.org",
        "action": "register",
        **extra,
    }
    for i, name in enumerate(names):
        data[f"people-{i}-name"] = name
        data[f"people-{i}-ticket_type"] = str(ticket_id)
        data[f"people-{i}-age_band"] = "adult"
        data[f"people-{i}-preferred_language"] = "es"
    return data


def link_in(mailbox, address, path):
    for message in mailbox.to(address):
        found = re.search(rf"http://\S+{path}\S+", mailbox.body(message))
        if found:
            return found.group(0).replace("http://localhost", "")
    return None


def test_register_household_confirm_and_see_tickets_with_verifiable_qr(
    app, client, mailbox, open_registration
):
    response = client.post("/2027/register", data=household(open_registration, "Rosa", "Ana"))
    assert response.status_code == 200
    assert "rosa@example.org" in response.get_data(as_text=True)
    with app.app_context():
        deliver_pending()
    confirm = link_in(mailbox, "rosa@example.org", "/2027/register/confirm/")
    button = client.get(confirm)  # opening the link (or a mail scanner) changes nothing
    assert button.status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(Booking)).state == "pending_email"

    tickets_page = client.post(confirm)

    assert tickets_page.status_code == 302
    page = client.get(tickets_page.headers["Location"]).get_data(as_text=True)
    assert "Rosa" in page and "Ana" in page
    qr_url = re.search(r'src="(/2027/tickets/[^"]+\.svg)"', page).group(1)
    svg = client.get(qr_url)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    with app.app_context():
        booking = db.session.scalar(db.select(Booking))
        assert booking.state == "confirmed"
        attendee = booking.attendees[0]
        key = services.ensure_summit_key(get_summit_by_slug("2027"))
        token = services.ticket_token(get_summit_by_slug("2027"), attendee)
        assert verify_ticket(token, {"2027": key.public_key}).code == attendee.code


def test_register_add_person_keeps_what_was_typed(client, open_registration):
    data = household(open_registration, "Rosa")
    data["action"] = "add"

    response = client.post("/2027/register", data=data)

    page = response.get_data(as_text=True)
    assert 'value="Rosa"' in page
    assert 'name="people-1-name"' in page


def test_register_minor_without_guardian_shows_error_on_that_person(client, open_registration):
    data = household(open_registration, "Rosa", "Ana")
    data["people-1-age_band"] = "13_17"

    response = client.post("/2027/register", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="people-1-guardian_email-error"', page)
    assert 'value="Ana"' in page


def test_register_when_full_goes_to_waitlist_and_cancel_offers_the_seat(
    app, client, mailbox, open_registration
):
    with app.app_context():
        summit = get_summit_by_slug("2027")
        ticket = db.session.get(TicketType, open_registration)
        first, first_secret = services.register(
            summit,
            contact_name="A",
            contact_email="a@example.org",
            people=[{"name": "A1", "ticket_type": ticket}, {"name": "A2", "ticket_type": ticket}],
        )
        services.confirm_booking(first_secret)
        manage = services.issue_manage_link(first)
        waiting, waiting_secret = services.register(
            summit,
            contact_name="W",
            contact_email="w@example.org",
            people=[{"name": "W1", "ticket_type": ticket}],
        )
        services.confirm_booking(waiting_secret)
        code = first.attendees[0].code
        db.session.commit()
        assert waiting.state == "waitlisted"

    response = client.post(f"/2027/tickets/{manage}/cancel/{code}")

    assert response.status_code == 302
    with app.app_context():
        deliver_pending()
        assert (
            db.session.scalar(
                db.select(Booking.state).where(Booking.contact_email == "w@example.org")
            )
            == "offered"
        )
    claim = link_in(mailbox, "w@example.org", "/2027/register/claim/")
    assert client.post(claim).status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(Booking.state).where(Booking.contact_email == "w@example.org")
            )
            == "confirmed"
        )


def test_tickets_of_another_person_or_bad_link_are_404(client, open_registration):
    assert client.get("/2027/tickets/not-a-real-link").status_code == 404
    assert client.get("/2027/register/confirm/not-a-real-link").status_code == 404


def test_register_same_email_twice_says_so_and_creates_no_duplicate(app, client, open_registration):
    data = household(open_registration, "Rosa")
    data["people-0-email"] = "rosa@example.org"
    client.post("/2027/register", data=data)

    again = client.post("/2027/register", data=data)

    assert again.status_code == 422
    assert "already registered" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attendee)) == 1


def test_confirmation_email_carries_each_persons_working_calendar_feed(
    app, client, mailbox, open_registration
):
    client.post("/2027/register", data=household(open_registration, "Rosa", "Ana"))
    with app.app_context():
        deliver_pending()
    client.post(link_in(mailbox, "rosa@example.org", "/2027/register/confirm/"))
    with app.app_context():
        deliver_pending()
    bodies = [mailbox.body(m) for m in mailbox.to("rosa@example.org")]
    feeds = re.findall(r"webcal://localhost(/2027/agenda/feed/\S+\.ics)", "\n".join(bodies))
    assert len(set(feeds)) == 2  # one per person
    for path in set(feeds):
        response = client.get(path)
        assert response.status_code == 200
        assert response.data.startswith(b"BEGIN:VCALENDAR")
