"""Agenda pages over HTTP: the emailed link, stars from the programme, overlaps and walk
hints, seats, the calendar page, and who may see what."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from summit.agenda.models import Agenda, Star
from summit.extensions import db
from tests.agenda.conftest import register_person
from tests.scheduling.conftest import SLUG


def text(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True).replace("\u202f", " ")


def open_agenda(client, app, name="Ana Attendee", **extra) -> str:
    """Open a ticket holder's agenda through the tickets page link; returns the code."""
    code, manage = register_person(app, name, **extra)
    response = client.get(f"/{SLUG}/tickets/{manage}/agenda/{code}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{SLUG}/agenda")
    return code


def stars(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Star))


def test_agenda_without_link_or_login_explains_how_to_start(client, released):
    html = text(client.get(f"/{SLUG}/agenda"))
    assert "registration email" in html
    assert "Log in" in html


def test_star_without_agenda_keeps_nothing_and_explains(client, app, released):
    response = client.post(f"/{SLUG}/agenda/star/{released['OTHER']}", data={"next": "/"})
    assert response.status_code == 302
    assert stars(app) == 0
    assert "open the link in your registration email" in text(client.get(f"/{SLUG}/agenda"))


def test_ticket_link_of_an_unknown_token_is_404(client, released):
    assert client.get(f"/{SLUG}/tickets/not-a-token/agenda/ABCDEFGH").status_code == 404


def test_tickets_page_links_each_person_to_their_agenda(client, app, released):
    code, manage = register_person(app, "Ana Attendee")
    html = text(client.get(f"/{SLUG}/tickets/{manage}"))
    assert f"/{SLUG}/tickets/{manage}/agenda/{code}" in html


def test_starring_from_the_programme_shows_on_the_agenda_and_the_button(client, app, released):
    open_agenda(client, app)
    response = client.post(
        f"/{SLUG}/agenda/star/{released['OTHER']}",
        data={"next": f"/{SLUG}/programme?day=2027-09-23"},
    )
    assert response.headers["Location"] == f"/{SLUG}/programme?day=2027-09-23"
    programme = text(client.get(f"/{SLUG}/programme?day=2027-09-23&view=list"))
    assert f'action="/{SLUG}/agenda/unstar/{released["OTHER"]}"' in programme
    assert f'action="/{SLUG}/agenda/star/{released["KEYNOTE"]}"' in programme
    agenda = text(client.get(f"/{SLUG}/agenda"))
    assert "Student voice panel" in agenda
    assert "Opening talk" not in agenda


def test_unsafe_next_falls_back_to_the_agenda(client, app, released):
    open_agenda(client, app)
    response = client.post(
        f"/{SLUG}/agenda/star/{released['OTHER']}", data={"next": "https://evil.example/"}
    )
    assert response.headers["Location"] == f"/{SLUG}/agenda"


def test_starring_an_unknown_session_says_so(client, app, released):
    open_agenda(client, app)
    client.post(f"/{SLUG}/agenda/star/PRO-NOPE", data={"next": f"/{SLUG}/agenda"})
    assert "not in the published program" in text(client.get(f"/{SLUG}/agenda"))
    assert stars(app) == 0


def test_overlapping_stars_warn_and_a_building_change_hints(client, app, released):
    open_agenda(client, app)
    for name in ("KEYNOTE", "WORKSHOP", "OTHER"):
        client.post(f"/{SLUG}/agenda/star/{released[name]}")
    html = text(client.get(f"/{SLUG}/agenda"))
    assert "1 overlap on this day" in html
    assert re.search(r"run at the same time for 60 minutes", html)
    # Workshop (North) ends 10:00, the panel (South) starts 10:05.
    assert "Walk to another building: 5 minutes" in html


def test_reserve_and_release_a_seat_from_the_agenda(client, app, released):
    open_agenda(client, app)
    response = client.post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}")
    assert response.status_code == 302
    html = text(client.get(f"/{SLUG}/agenda"))
    assert "Seat reserved" in html
    assert "1 seat left of 2." in html
    client.post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}/release")
    html = text(client.get(f"/{SLUG}/agenda"))
    assert "Thank you" in html
    assert "Reserve a seat" in html


def test_full_workshop_offers_the_waiting_list_then_promotes_with_an_email(app, released, mailbox):
    clients = [app.test_client() for _ in range(3)]
    emails = []
    for n, c in enumerate(clients):
        email = f"seat{n}@example.org"
        emails.append(email)
        open_agenda(c, app, f"Seat Person {n}", email=email)
    clients[0].post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}")
    clients[1].post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}")
    clients[2].post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}")
    assert "This workshop is full" in text(clients[2].get(f"/{SLUG}/agenda"))
    clients[2].post(f"/{SLUG}/agenda/star/{released['WORKSHOP']}")
    html = text(clients[2].get(f"/{SLUG}/agenda"))
    assert "Join the waiting list" in html
    clients[2].post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}", data={"waitlist": "1"})
    assert "number 1 on the waiting list" in text(clients[2].get(f"/{SLUG}/agenda"))
    mailbox.clear()
    clients[0].post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}/release")
    from summit.core.outbox import deliver_pending

    with app.app_context():
        deliver_pending()
        db.session.commit()
    messages = mailbox.to(emails[2])
    assert len(messages) == 1
    assert "You have a seat" in messages[0]["Subject"]
    assert "Seat reserved" in text(clients[2].get(f"/{SLUG}/agenda"))


def test_reserving_a_session_that_needs_no_seat_explains(client, app, released):
    open_agenda(client, app)
    client.post(f"/{SLUG}/agenda/seats/{released['OTHER']}")
    assert "needs no reservation" in text(client.get(f"/{SLUG}/agenda"))


def test_forget_stops_showing_the_linked_agenda(client, app, released):
    open_agenda(client, app)
    client.post(f"/{SLUG}/agenda/forget")
    assert "How to start" in text(client.get(f"/{SLUG}/agenda"))


def test_logged_in_user_stars_without_a_ticket(client, app, released, login_as):
    login_as()
    client.post(f"/{SLUG}/agenda/star/{released['OTHER']}")
    assert "Student voice panel" in text(client.get(f"/{SLUG}/agenda"))
    client.post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}")
    assert "Seats are for registered attendees" in text(client.get(f"/{SLUG}/agenda"))


def test_agenda_page_switches_language(client, app, released):
    open_agenda(client, app)
    client.post("/lang", data={"lang": "es", "next": f"/{SLUG}/agenda"})
    html = text(client.get(f"/{SLUG}/agenda"))
    assert '<html lang="es">' in html
    with app.app_context():
        assert db.session.scalar(db.select(Agenda.locale)) == "es"


# --- the calendar page -------------------------------------------------------------


def test_calendar_page_creates_shows_regenerates_and_revokes_the_link(client, app, released):
    open_agenda(client, app)
    assert "Create my calendar link" in text(client.get(f"/{SLUG}/agenda/calendar"))
    client.post(f"/{SLUG}/agenda/calendar", data={"action": "create"})
    html = text(client.get(f"/{SLUG}/agenda/calendar"))
    webcal = re.search(r'href="(webcal://[^"]+\.ics)"', html).group(1)
    path = "/" + webcal.split("://", 1)[1].split("/", 1)[1]
    assert "calendar.google.com/calendar/render?cid=webcal%3A%2F%2F" in html
    assert "outlook.live.com/calendar/0/addfromweb?url=http" in html
    assert "<svg" in html  # the QR code
    assert client.get(path).status_code == 200
    client.post(f"/{SLUG}/agenda/calendar", data={"action": "regenerate"})
    assert client.get(path).status_code == 404
    html = text(client.get(f"/{SLUG}/agenda/calendar"))
    new_path = "/" + re.search(r'href="webcal://([^"]+)"', html).group(1).split("/", 1)[1]
    assert client.get(new_path).status_code == 200
    client.post(f"/{SLUG}/agenda/calendar", data={"action": "revoke"})
    assert client.get(new_path).status_code == 404


def test_calendar_link_with_an_unknown_action_is_400(client, app, released):
    open_agenda(client, app)
    response = client.post(f"/{SLUG}/agenda/calendar", data={"action": "explode"})
    assert response.status_code == 400
    assert "Choose what to do" in response.get_data(as_text=True)


def test_session_page_has_star_and_calendar_links(client, app, released):
    html = text(client.get(f"/{SLUG}/programme/sessions/{released['OTHER']}"))
    assert f"/{SLUG}/programme/sessions/{released['OTHER']}.ics" in html
    session_path = f"/{SLUG}/programme/sessions/{released['OTHER']}"
    assert f'href="{session_path}/add-to/google"' in html
    assert f'href="{session_path}/add-to/outlook"' in html
    assert f'action="/{SLUG}/agenda/star/{released["OTHER"]}"' in html


@pytest.mark.parametrize(
    ("service", "start"),
    [
        ("google", "https://calendar.google.com/calendar/render?action=TEMPLATE&"),
        ("outlook", "https://outlook.live.com/calendar/0/deeplink/compose?"),
    ],
)
def test_add_to_calendar_sends_the_visitor_on_with_the_session_filled_in(
    client, released, service, start
):
    code = released["OTHER"]
    response = client.get(f"/{SLUG}/programme/sessions/{code}/add-to/{service}")

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(start)
    query = parse_qs(urlsplit(location).query)
    title = query["text"] if service == "google" else query["subject"]
    assert title == ["Student voice panel"]
    details = query["details"] if service == "google" else query["body"]
    assert f"/{SLUG}/programme/sessions/{code}" in details[0]
    assert "Presenters:" in details[0]


def test_add_to_calendar_writes_the_labels_in_the_visitors_language(client, released):
    client.set_cookie("summit_lang", "es")
    response = client.get(f"/{SLUG}/programme/sessions/{released['OTHER']}/add-to/google")

    details = parse_qs(urlsplit(response.headers["Location"]).query)["details"][0]
    assert "Presentadores:" in details and "Presenters:" not in details


@pytest.mark.parametrize("which", ["unknown service", "unknown session", "cancelled"])
def test_add_to_calendar_without_a_session_to_add_answers_404(client, app, released, which):
    code = released["OTHER"]
    service = "google"
    if which == "unknown service":
        service = "yahoo"
    elif which == "unknown session":
        code = "PRO-NOPE1"
    else:
        released.builder.release(
            {released["OTHER"]: (released.slots["d1_10"], released.rooms["c"])},
            cancelled=(released["OTHER"],),
        )
    response = client.get(f"/{SLUG}/programme/sessions/{code}/add-to/{service}")

    assert response.status_code == 404
    assert "Location" not in response.headers


def test_cancelling_a_ticket_on_the_tickets_page_frees_its_seat(client, app, released):
    from summit.agenda.models import SeatPool

    code, manage = register_person(app, "Cancel Me")
    client.get(f"/{SLUG}/tickets/{manage}/agenda/{code}")
    client.post(f"/{SLUG}/agenda/seats/{released['WORKSHOP']}")
    with app.app_context():
        assert db.session.scalar(db.select(SeatPool.taken)) == 1
    client.post(f"/{SLUG}/tickets/{manage}/cancel/{code}")
    with app.app_context():
        assert db.session.scalar(db.select(SeatPool.taken)) == 0
