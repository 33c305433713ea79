"""Registration rules at the service layer: households, capacity, waitlist, offers."""

from datetime import timedelta

import pytest

from summit.core.errors import DomainError
from summit.extensions import db
from summit.registration import services
from summit.registration.enums import BookingState
from summit.registration.models import TicketType
from tests.registration.conftest import NOW, person

B = BookingState


def book(summit, ticket, *numbers, **extra):
    booking, secret = services.register(
        summit,
        contact_name="Contact",
        contact_email=f"contact{numbers[0]}@example.org",
        people=[person(ticket, n, **extra) for n in numbers],
        at=NOW,
    )
    return booking, secret


def taken(ticket) -> int:
    return db.session.scalar(db.select(TicketType.taken).where(TicketType.id == ticket.id))


def test_register_creates_pending_booking_with_one_ticket_each(summit_and_ticket):
    summit, ticket = summit_and_ticket

    booking, _ = book(summit, ticket, 1, 2)

    assert booking.state == B.PENDING_EMAIL
    assert len({a.code for a in booking.attendees}) == 2
    assert taken(ticket) == 0  # no seat until the email is confirmed


def test_confirm_household_within_capacity_confirms_everyone(summit_and_ticket):
    summit, ticket = summit_and_ticket
    booking, secret = book(summit, ticket, 1, 2)

    services.confirm_booking(secret, at=NOW)

    assert booking.state == B.CONFIRMED
    assert taken(ticket) == 2


def test_confirm_household_larger_than_seats_left_waits_together(summit_and_ticket):
    summit, ticket = summit_and_ticket
    _first, first_secret = book(summit, ticket, 1)
    family, family_secret = book(summit, ticket, 2, 3)
    services.confirm_booking(first_secret, at=NOW)

    services.confirm_booking(family_secret, at=NOW)

    assert family.state == B.WAITLISTED  # one seat left, two people: nobody is split off
    assert taken(ticket) == 1


def test_confirm_link_clicked_twice_changes_nothing(summit_and_ticket):
    summit, ticket = summit_and_ticket
    _booking, secret = book(summit, ticket, 1)
    services.confirm_booking(secret, at=NOW)

    with pytest.raises(DomainError) as caught:
        services.confirm_booking(secret, at=NOW)

    assert caught.value.code == "link_invalid"  # the link is single-use
    assert taken(ticket) == 1


def test_cancel_frees_seat_and_offers_it_to_the_waitlist_in_order(summit_and_ticket):
    summit, ticket = summit_and_ticket
    full, full_secret = book(summit, ticket, 1, 2)
    waiting, waiting_secret = book(summit, ticket, 3)
    later, later_secret = book(summit, ticket, 4)
    for secret in (full_secret, waiting_secret, later_secret):
        services.confirm_booking(secret, at=NOW)

    offered = services.cancel_attendee(full.attendees[0], at=NOW)

    assert offered == [waiting]
    assert waiting.state == B.OFFERED
    assert later.state == B.WAITLISTED
    assert taken(ticket) == 2


def test_claim_offer_confirms_and_lapsed_offer_passes_on(summit_and_ticket):
    summit, ticket = summit_and_ticket
    full, full_secret = book(summit, ticket, 1, 2)
    first, first_secret = book(summit, ticket, 3)
    second, second_secret = book(summit, ticket, 4)
    for secret in (full_secret, first_secret, second_secret):
        services.confirm_booking(secret, at=NOW)
    services.cancel_attendee(full.attendees[0], at=NOW)
    link = services.issue_offer_link(first)

    passed_on = services.expire_offers(summit.id, at=NOW + timedelta(hours=49))

    assert first.state == B.CANCELLED
    assert passed_on == [second]
    with pytest.raises(DomainError) as caught:
        services.claim_offer(link, at=NOW + timedelta(hours=49))
    assert caught.value.code == "link_invalid"
    claim = services.issue_offer_link(second)
    services.claim_offer(claim, at=NOW + timedelta(hours=50))
    assert second.state == B.CONFIRMED
    assert taken(ticket) == 2


def test_register_same_email_twice_is_refused_with_resend_offer(summit_and_ticket):
    summit, ticket = summit_and_ticket
    book(summit, ticket, 1)

    with pytest.raises(DomainError) as caught:
        book(summit, ticket, 1)

    assert caught.value.code == "already_registered"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"county": "Atlantis"}, "county"),
        ({"role_type": "wizard"}, "role_type"),
        ({"age_band": "ancient"}, "age_band"),
        ({"age_band": "13_17"}, "guardian_email"),
        ({"name": " "}, "name"),
    ],
)
def test_register_invalid_person_gives_field_errors(summit_and_ticket, extra, field):
    summit, ticket = summit_and_ticket

    with pytest.raises(DomainError) as caught:
        book(summit, ticket, 1, **extra)

    assert f"0.{field}" in caught.value.fields  # the first (only) person


def test_register_when_closed_is_refused(summit_and_ticket):
    summit, ticket = summit_and_ticket
    summit.registration_closes_at = NOW - timedelta(minutes=1)

    with pytest.raises(DomainError) as caught:
        book(summit, ticket, 1)

    assert caught.value.code == "registration_closed"


def test_capacity_check_constraint_refuses_an_oversold_row(summit_and_ticket):
    from sqlalchemy.exc import IntegrityError

    _summit, ticket = summit_and_ticket

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(db.update(TicketType).where(TicketType.id == ticket.id).values(taken=3))


def test_ticket_token_verifies_with_the_summits_public_key(summit_and_ticket):
    from summit.registration.tickets import verify_ticket

    summit, ticket = summit_and_ticket
    booking, _ = book(summit, ticket, 1)
    attendee = booking.attendees[0]
    key = services.ensure_summit_key(summit)

    claim = verify_ticket(services.ticket_token(summit, attendee), {"2027": key.public_key})

    assert claim.code == attendee.code
    assert claim.version == 1
