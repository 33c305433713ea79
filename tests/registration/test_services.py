"""Registration rules at the service layer: households, capacity, waitlist, offers."""

from datetime import timedelta

import pytest

from summit.core.errors import DomainError
from summit.extensions import db
from summit.registration import services
from summit.registration.enums import BookingState
from summit.registration.models import TicketType
from tests.registration.conftest import NOW, make_registration_summit, person

B = BookingState


def book(summit, ticket, *numbers, at=NOW, **extra):
    booking, secret = services.register(
        summit,
        contact_name="Contact",
        contact_email=f"contact{numbers[0]}@example.org",
        people=[person(ticket, n, **extra) for n in numbers],
        at=at,
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
        ({"preferred_language": "klingon"}, "preferred_language"),
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


# --- helpers for the tests below ----------------------------------------------------


@pytest.fixture
def staff_user(ctx):
    from summit.accounts.services import create_user

    user = create_user(email="sam.staff@example.org", password="long enough pw", name="Sam Staff")
    db.session.flush()
    return user


def add_type(summit, code, capacity=2, **extra):
    return services.save_ticket_type(
        summit, actor=None, code=code, name_en=code.title(), name_es=code.title(),
        capacity=capacity, **extra,
    )  # fmt: skip


def confirmed(summit, ticket, *numbers, **extra):
    booking, secret = book(summit, ticket, *numbers, **extra)
    services.confirm_booking(secret, at=NOW)
    return booking


def audits(action):
    from summit.core.audit import AuditEntry

    return list(
        db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def bookings_count() -> int:
    from summit.registration.models import Booking

    return db.session.scalar(db.select(db.func.count()).select_from(Booking))


def other_summit():
    from datetime import date

    from summit.summits.services import create_summit

    summit = create_summit(
        slug="2028",
        name="Community Schools Summit 2028",
        starts_on=date(2028, 9, 21),
        ends_on=date(2028, 9, 22),
        registration_opens_at=NOW - timedelta(days=10),
        registration_closes_at=NOW + timedelta(days=100),
        actor=None,
    )
    return summit, add_type(summit, "family", capacity=5)


# --- single-purpose links -----------------------------------------------------------


def test_confirm_secret_does_not_open_the_tickets_page_or_claim_an_offer(summit_and_ticket):
    summit, ticket = summit_and_ticket
    booking, secret = book(summit, ticket, 1)

    assert services.find_by_manage_link(summit, secret, at=NOW) is None
    with pytest.raises(DomainError) as caught:
        services.claim_offer(secret, at=NOW)

    assert caught.value.code == "link_invalid"
    assert booking.state == B.PENDING_EMAIL
    assert booking.confirm_token_hash not in (None, secret)  # only a hash is stored


def test_manage_secret_does_not_confirm_a_pending_registration(summit_and_ticket):
    summit, ticket = summit_and_ticket
    booking, _secret = book(summit, ticket, 1)
    manage = services.issue_manage_link(booking, at=NOW)

    with pytest.raises(DomainError) as caught:
        services.confirm_booking(manage, at=NOW)

    assert caught.value.code == "link_invalid"
    assert caught.value.status == 404
    assert services.find_pending(manage) is None
    assert booking.state == B.PENDING_EMAIL
    assert taken(ticket) == 0


def test_offer_secret_does_not_open_the_tickets_page(summit_and_ticket):
    summit, ticket = summit_and_ticket
    full = confirmed(summit, ticket, 1, 2)
    waiting = confirmed(summit, ticket, 3)
    services.cancel_attendee(full.attendees[0], at=NOW)
    offer = services.issue_offer_link(waiting)

    assert services.find_by_manage_link(summit, offer, at=NOW) is None
    with pytest.raises(DomainError):
        services.confirm_booking(offer, at=NOW)
    assert services.claim_offer(offer, at=NOW) is waiting  # it is good for its own purpose


# --- the confirmation link expires ------------------------------------------------


def test_confirm_just_before_the_link_lapses_works(summit_and_ticket):
    summit, ticket = summit_and_ticket
    booking, secret = book(summit, ticket, 1)

    services.confirm_booking(secret, at=NOW + timedelta(hours=72) - timedelta(seconds=1))

    assert booking.state == B.CONFIRMED
    assert booking.confirm_expires_at is None and booking.confirm_token_hash is None


@pytest.mark.parametrize("late", [timedelta(hours=72), timedelta(days=30)], ids=["72h", "30d"])
def test_confirm_after_the_link_lapses_is_gone_and_takes_no_seat(summit_and_ticket, late):
    summit, ticket = summit_and_ticket
    booking, secret = book(summit, ticket, 1)

    with pytest.raises(DomainError) as caught:
        services.confirm_booking(secret, at=NOW + late)

    assert (caught.value.code, caught.value.status) == ("link_expired", 410)
    assert booking.state == B.PENDING_EMAIL
    assert taken(ticket) == 0


def test_find_pending_only_while_the_registration_can_be_confirmed(summit_and_ticket):
    summit, ticket = summit_and_ticket
    booking, secret = book(summit, ticket, 1)

    before = services.find_pending(secret)
    services.confirm_booking(secret, at=NOW)

    assert before is booking
    assert services.find_pending(secret) is None
    assert services.find_pending("") is None
    assert services.find_pending("x" * 101) is None


def test_register_again_after_the_link_lapsed_replaces_the_stale_registration(
    summit_and_ticket,
):
    summit, ticket = summit_and_ticket
    stale, _ = book(summit, ticket, 1, 2)
    stale_code = stale.code

    fresh, secret = book(summit, ticket, 1, at=NOW + timedelta(hours=72))

    assert fresh.code != stale_code
    assert bookings_count() == 1  # the household that never confirmed is gone, both people
    services.confirm_booking(secret, at=NOW + timedelta(hours=73))
    assert fresh.state == B.CONFIRMED


def test_register_again_before_the_link_lapses_is_still_refused(summit_and_ticket):
    summit, ticket = summit_and_ticket
    book(summit, ticket, 1)

    with pytest.raises(DomainError) as caught:
        book(summit, ticket, 1, at=NOW + timedelta(hours=71))

    assert caught.value.code == "already_registered"
    assert bookings_count() == 1


def test_purge_unconfirmed_deletes_only_lapsed_pending_registrations_of_that_summit(
    summit_and_ticket,
):
    summit, ticket = summit_and_ticket
    lapsed, _ = book(summit, ticket, 1)
    done = confirmed(summit, ticket, 2)
    fresh, _ = book(summit, ticket, 3, at=NOW + timedelta(hours=10))
    later, later_ticket = other_summit()
    elsewhere, _ = book(later, later_ticket, 4)
    keep = {done.id, fresh.id, elsewhere.id}
    lapsed_id = lapsed.id

    deleted = services.purge_unconfirmed(summit.id, at=NOW + timedelta(hours=72))

    from summit.registration.models import Booking

    left = set(db.session.scalars(db.select(Booking.id)))
    assert deleted == 1
    assert left == keep and lapsed_id not in left
    assert services.purge_unconfirmed(summit.id, at=NOW + timedelta(hours=72)) == 0


# --- the tickets-page (manage) link ------------------------------------------------


def test_manage_link_works_until_sixty_days_after_the_summit(summit_and_ticket):
    from datetime import UTC, datetime

    summit, ticket = summit_and_ticket
    booking = confirmed(summit, ticket, 1)
    secret = services.issue_manage_link(booking, at=NOW)
    expires = datetime(2027, 11, 23, tzinfo=UTC)  # the summit ends 24 September

    assert booking.manage_expires_at == expires
    assert services.find_by_manage_link(summit, secret, at=expires - timedelta(seconds=1))
    assert services.find_by_manage_link(summit, secret, at=expires) is None


def test_manage_link_issued_late_lasts_at_least_a_week(summit_and_ticket):
    from datetime import UTC, datetime

    summit, ticket = summit_and_ticket
    booking = confirmed(summit, ticket, 1)
    issued = datetime(2027, 11, 20, 12, 0, tzinfo=UTC)

    secret = services.issue_manage_link(booking, at=issued)

    assert booking.manage_expires_at == issued + timedelta(days=7)
    assert services.find_by_manage_link(summit, secret, at=issued + timedelta(days=6)) is booking


def test_manage_link_of_another_summit_finds_nothing(summit_and_ticket):
    summit, ticket = summit_and_ticket
    later, _later_ticket = other_summit()
    secret = services.issue_manage_link(confirmed(summit, ticket, 1), at=NOW)

    assert services.find_by_manage_link(later, secret, at=NOW) is None
    assert services.find_by_manage_link(summit, secret, at=NOW) is not None


def test_new_manage_link_invalidates_the_previous_one(summit_and_ticket):
    summit, ticket = summit_and_ticket
    booking = confirmed(summit, ticket, 1)
    old = services.issue_manage_link(booking, at=NOW)

    new = services.issue_manage_link(booking, at=NOW)

    assert services.find_by_manage_link(summit, old, at=NOW) is None
    assert services.find_by_manage_link(summit, new, at=NOW) is booking


# --- resend my links -------------------------------------------------------------


def test_resend_links_finds_registrations_by_contact_or_attendee_email(summit_and_ticket):
    summit, ticket = summit_and_ticket
    ticket.capacity = 10
    pending, _ = book(summit, ticket, 1)
    done = confirmed(summit, ticket, 2, 3)  # contact2@ registered p2 and p3
    cancelled = confirmed(summit, ticket, 4)
    services.cancel_attendee(cancelled.attendees[0], at=NOW)

    by_contact = services.resend_links(summit, " CONTACT1@example.org ", at=NOW)
    by_attendee = services.resend_links(summit, "p3@example.org", at=NOW)

    assert [(b, kind) for b, kind, _ in by_contact] == [(pending, "confirm")]
    assert [(b, kind) for b, kind, _ in by_attendee] == [(done, "manage")]
    assert services.resend_links(summit, "p4@example.org", at=NOW) == []  # cancelled
    assert services.resend_links(summit, "nobody@example.org", at=NOW) == []
    assert services.resend_links(summit, "", at=NOW) == []


def test_resend_links_gives_working_links_and_retires_the_old_ones(summit_and_ticket):
    summit, ticket = summit_and_ticket
    pending, old_confirm = book(summit, ticket, 1)
    done = confirmed(summit, ticket, 2)
    old_manage = services.issue_manage_link(done, at=NOW)

    [(_, _, confirm)] = services.resend_links(summit, "p1@example.org", at=NOW)
    [(_, _, manage)] = services.resend_links(summit, "p2@example.org", at=NOW)

    assert services.find_by_manage_link(summit, old_manage, at=NOW) is None
    assert services.find_by_manage_link(summit, manage, at=NOW) is done
    assert services.find_pending(old_confirm) is None
    services.confirm_booking(confirm, at=NOW)
    assert pending.state == B.CONFIRMED


def test_resend_links_skips_a_lapsed_pending_registration(summit_and_ticket):
    summit, ticket = summit_and_ticket
    book(summit, ticket, 1)

    links = services.resend_links(summit, "p1@example.org", at=NOW + timedelta(hours=72))

    assert links == []


def test_resend_links_renews_the_confirmation_deadline(summit_and_ticket):
    summit, ticket = summit_and_ticket
    booking, _ = book(summit, ticket, 1)
    later = NOW + timedelta(hours=70)

    [(_, _, secret)] = services.resend_links(summit, "p1@example.org", at=later)

    assert booking.confirm_expires_at == later + timedelta(hours=72)
    services.confirm_booking(secret, at=NOW + timedelta(hours=100))
    assert booking.state == B.CONFIRMED


def test_resend_links_only_in_that_summit(summit_and_ticket):
    summit, _ticket = summit_and_ticket
    later, later_ticket = other_summit()
    confirmed(later, later_ticket, 1)

    assert services.resend_links(summit, "p1@example.org", at=NOW) == []
    assert len(services.resend_links(later, "p1@example.org", at=NOW)) == 1


# --- staff approval ----------------------------------------------------------------


@pytest.fixture
def approval(summit_and_ticket):
    """Summit, the open "family" type (2 seats) and "vip" (2 seats, needs approval)."""
    summit, ticket = summit_and_ticket
    return summit, ticket, add_type(summit, "vip", capacity=2, requires_approval=True)


def household(summit, *people):
    booking, secret = services.register(
        summit, contact_name="Household", contact_email="home@example.org",
        people=list(people), at=NOW,
    )  # fmt: skip
    return booking, secret


def test_confirm_with_an_approval_ticket_waits_for_staff_and_takes_no_seat(approval):
    summit, family, vip = approval
    booking, secret = household(summit, person(vip, 1), person(family, 2))

    services.confirm_booking(secret, at=NOW)

    assert booking.state == B.PENDING_APPROVAL
    assert (taken(family), taken(vip)) == (0, 0)  # the whole household waits


def test_approve_seats_the_household_and_is_audited(approval, staff_user):
    summit, family, vip = approval
    booking, secret = household(summit, person(vip, 1), person(family, 2))
    services.confirm_booking(secret, at=NOW)

    services.approve(booking, actor=staff_user, summit=summit, at=NOW)

    assert booking.state == B.CONFIRMED and booking.confirmed_at == NOW
    assert (taken(family), taken(vip)) == (1, 1)
    [entry] = audits("booking.approve")
    assert (entry.object_id, entry.actor_id, entry.after) == (
        booking.code,
        staff_user.id,
        {"state": "confirmed"},
    )


def test_approve_without_room_waitlists_the_household_together(approval, staff_user):
    summit, family, vip = approval
    confirmed(summit, family, 1)  # one family seat left
    booking, secret = household(summit, person(vip, 2), person(family, 3), person(family, 4))
    services.confirm_booking(secret, at=NOW)

    services.approve(booking, actor=staff_user, summit=summit, at=NOW)

    assert booking.state == B.WAITLISTED
    assert (taken(family), taken(vip)) == (1, 0)  # nobody split off, no vip seat held
    assert audits("booking.approve")[0].after == {"state": "waitlisted"}


def test_decline_cancels_everyone_and_is_audited(approval, staff_user):
    summit, family, vip = approval
    booking, secret = household(summit, person(vip, 1), person(family, 2))
    services.confirm_booking(secret, at=NOW)

    services.decline(booking, actor=staff_user, summit=summit, at=NOW)

    assert booking.state == B.CANCELLED
    assert all(a.cancelled_at == NOW for a in booking.attendees)
    assert (taken(family), taken(vip)) == (0, 0)
    [entry] = audits("booking.decline")
    assert (entry.object_id, entry.actor_id) == (booking.code, staff_user.id)


@pytest.mark.parametrize("action", [services.approve, services.decline])
@pytest.mark.parametrize("state", ["pending_email", "confirmed", "declined"])
def test_approve_or_decline_when_not_waiting_for_approval_is_a_conflict(
    approval, staff_user, action, state
):
    summit, family, vip = approval
    if state == "pending_email":
        booking, _ = household(summit, person(vip, 1))
    elif state == "confirmed":
        booking = confirmed(summit, family, 1)
    else:
        booking, secret = household(summit, person(vip, 1))
        services.confirm_booking(secret, at=NOW)
        services.decline(booking, actor=staff_user, summit=summit, at=NOW)
    before = (booking.state, taken(family), taken(vip), len(audits("booking.approve")))

    with pytest.raises(DomainError) as caught:
        action(booking, actor=staff_user, summit=summit, at=NOW)

    assert (caught.value.code, caught.value.status) == ("not_pending_approval", 409)
    assert (booking.state, taken(family), taken(vip), len(audits("booking.approve"))) == before


# --- reissue ----------------------------------------------------------------------


def test_reissue_revokes_the_old_qr_and_the_new_one_verifies(summit_and_ticket, staff_user):
    from summit.registration.tickets import InvalidTicket, verify_ticket

    summit, ticket = summit_and_ticket
    attendee = confirmed(summit, ticket, 1).attendees[0]
    keys = {summit.slug: services.ensure_summit_key(summit).public_key}
    old = services.ticket_token(summit, attendee)

    services.reissue_ticket(attendee, actor=staff_user, summit=summit)

    current = {attendee.code: attendee.ticket_version}
    assert attendee.ticket_version == 2
    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(old, keys, current_versions=current)
    assert caught.value.reason == "revoked"
    new = verify_ticket(services.ticket_token(summit, attendee), keys, current_versions=current)
    assert new.version == 2
    [entry] = audits("attendee.reissue")
    assert (entry.object_id, entry.actor_id, entry.before, entry.after) == (
        attendee.code,
        staff_user.id,
        {"ticket_version": 1},
        {"ticket_version": 2},
    )


def test_reissue_a_cancelled_ticket_is_a_conflict(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    attendee = confirmed(summit, ticket, 1, 2).attendees[0]
    services.cancel_attendee(attendee, at=NOW)

    with pytest.raises(DomainError) as caught:
        services.reissue_ticket(attendee, actor=staff_user, summit=summit)

    assert caught.value.code == "ticket_cancelled"
    assert attendee.ticket_version == 1
    assert audits("attendee.reissue") == []


# --- staff edit a person ------------------------------------------------------------


def staff_person(attendee, **changes) -> dict:
    """The person's current values as the staff form sends them, with ``changes``."""
    values = {name: getattr(attendee, name) for name in services.PERSON_FIELDS}
    return values | {"ticket_type": attendee.ticket_type} | changes


def test_edit_attendee_saves_and_audits_before_and_after(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    attendee = confirmed(summit, ticket, 1).attendees[0]

    services.edit_attendee(
        attendee,
        staff_person(attendee, name="  Pat Lee ", county="Kern", email="PAT@Example.org"),
        actor=staff_user,
        summit=summit,
        at=NOW,
    )

    assert (attendee.name, attendee.county, attendee.email) == (
        "Pat Lee",
        "Kern",
        "pat@example.org",
    )
    [entry] = audits("attendee.update")
    assert entry.actor_id == staff_user.id and entry.object_id == attendee.code
    assert ("name", "Person 1", "Pat Lee") in entry.changes
    assert ("county", None, "Kern") in entry.changes
    assert entry.after["ticket_type"] == "family"


def test_edit_attendee_may_choose_a_ticket_type_not_on_sale(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    hidden = add_type(summit, "crew", capacity=3, is_active=False, access_code="SECRET")
    attendee = confirmed(summit, ticket, 1).attendees[0]

    services.edit_attendee(
        attendee, staff_person(attendee, ticket_type=hidden), actor=staff_user, summit=summit
    )

    assert attendee.ticket_type_id == hidden.id
    assert attendee.ticket_type.code == "crew"
    assert (taken(ticket), taken(hidden)) == (0, 1)


def test_edit_attendee_moves_a_confirmed_seat_to_the_new_type(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    speaker = add_type(summit, "speaker", capacity=2)
    booking = confirmed(summit, ticket, 1, 2)

    services.edit_attendee(
        booking.attendees[0],
        staff_person(booking.attendees[0], ticket_type=speaker),
        actor=staff_user,
        summit=summit,
    )

    assert (taken(ticket), taken(speaker)) == (1, 1)
    assert audits("attendee.update")[0].after["ticket_type"] == "speaker"


def test_edit_attendee_to_a_full_type_changes_nothing(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    speaker = add_type(summit, "speaker", capacity=1)
    confirmed(summit, speaker, 9)
    attendee = confirmed(summit, ticket, 1).attendees[0]

    with pytest.raises(DomainError) as caught:
        services.edit_attendee(
            attendee,
            staff_person(attendee, ticket_type=speaker, name="Renamed"),
            actor=staff_user,
            summit=summit,
        )

    assert caught.value.code == "sold_out"
    assert "ticket_type" in caught.value.fields
    assert (taken(ticket), taken(speaker)) == (1, 1)
    assert (attendee.ticket_type_id, attendee.name) == (ticket.id, "Person 1")
    assert audits("attendee.update") == []


@pytest.mark.parametrize("how", ["pending", "waitlisted", "cancelled"])
def test_edit_attendee_without_a_seat_moves_no_seat(summit_and_ticket, staff_user, how):
    summit, ticket = summit_and_ticket
    speaker = add_type(summit, "speaker", capacity=1)
    if how == "pending":
        attendee = book(summit, ticket, 1)[0].attendees[0]
    elif how == "waitlisted":
        confirmed(summit, ticket, 8, 9)
        attendee = confirmed(summit, ticket, 1).attendees[0]
        assert attendee.booking.state == B.WAITLISTED
    else:
        attendee = confirmed(summit, ticket, 1, 2).attendees[0]
        services.cancel_attendee(attendee, at=NOW)
    seats_before = (taken(ticket), taken(speaker))

    services.edit_attendee(
        attendee, staff_person(attendee, ticket_type=speaker), actor=staff_user, summit=summit
    )

    assert attendee.ticket_type_id == speaker.id
    assert (taken(ticket), taken(speaker)) == seats_before


def test_edit_attendee_email_of_another_registration_is_a_conflict(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    book(summit, ticket, 2)
    attendee = book(summit, ticket, 1)[0].attendees[0]

    with pytest.raises(DomainError) as caught:
        services.edit_attendee(
            attendee,
            staff_person(attendee, email="P2@example.org", name="Changed"),
            actor=staff_user,
            summit=summit,
        )

    assert caught.value.code == "already_registered"
    assert list(caught.value.fields) == ["email"]
    assert (attendee.email, attendee.name) == ("p1@example.org", "Person 1")


def test_edit_attendee_keeping_the_same_email_is_fine(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    attendee = book(summit, ticket, 1)[0].attendees[0]

    services.edit_attendee(
        attendee, staff_person(attendee, organisation="Kern High"), actor=staff_user, summit=summit
    )

    assert attendee.organisation == "Kern High"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"county": "Atlantis"}, "county"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"age_band": "under_13", "guardian_name": None}, "guardian_email"),
        ({"ticket_type": None}, "ticket_type"),
        ({"name": ""}, "name"),
    ],
)
def test_edit_attendee_invalid_values_name_the_field(summit_and_ticket, staff_user, changes, field):
    summit, ticket = summit_and_ticket
    attendee = book(summit, ticket, 1)[0].attendees[0]

    with pytest.raises(DomainError) as caught:
        services.edit_attendee(
            attendee, staff_person(attendee, **changes), actor=staff_user, summit=summit
        )

    assert caught.value.code == "invalid_person"
    assert field in caught.value.fields  # no "<index>." prefix: one person
    assert attendee.name == "Person 1"


def test_edit_attendee_ticket_type_of_another_summit_is_refused(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    _later, later_ticket = other_summit()
    attendee = book(summit, ticket, 1)[0].attendees[0]

    with pytest.raises(DomainError) as caught:
        services.edit_attendee(
            attendee, staff_person(attendee, ticket_type=later_ticket), actor=staff_user,
            summit=summit,
        )  # fmt: skip

    assert "ticket_type" in caught.value.fields
    assert attendee.ticket_type_id == ticket.id


# --- complimentary tickets --------------------------------------------------------


def test_comp_ticket_is_confirmed_at_once_for_a_type_not_on_sale(summit_and_ticket, staff_user):
    summit, _ticket = summit_and_ticket
    crew = add_type(summit, "crew", capacity=1, is_active=False)

    booking = services.comp_ticket(
        summit, person(crew, 7, name="Guest Speaker"), actor=staff_user, locale="es", at=NOW
    )

    assert (booking.state, booking.is_comp, booking.locale) == (B.CONFIRMED, True, "es")
    assert (booking.contact_email, booking.contact_name) == ("p7@example.org", "Guest Speaker")
    assert booking.confirmed_at == NOW
    assert taken(crew) == 1
    [entry] = audits("booking.comp")
    assert (entry.object_id, entry.actor_id, entry.after) == (
        booking.code,
        staff_user.id,
        {"state": "confirmed", "name": "Guest Speaker"},
    )


def test_comp_ticket_for_a_full_type_is_refused(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    confirmed(summit, ticket, 1, 2)

    with pytest.raises(DomainError) as caught:
        services.comp_ticket(summit, person(ticket, 3), actor=staff_user, at=NOW)

    assert (caught.value.code, list(caught.value.fields)) == ("sold_out", ["ticket_type"])
    assert taken(ticket) == 2
    assert audits("booking.comp") == []


def test_comp_ticket_without_any_email_is_refused(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket

    with pytest.raises(DomainError) as caught:
        services.comp_ticket(summit, person(ticket, 3, email=""), actor=staff_user, at=NOW)

    assert (caught.value.code, list(caught.value.fields)) == ("no_contact", ["email"])
    assert taken(ticket) == 0


def test_comp_ticket_for_a_child_goes_to_the_guardian(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    child = person(
        ticket, 3, email="", age_band="under_13", guardian_name="Gloria Ruiz",
        guardian_email="Gloria@Example.org",
    )  # fmt: skip

    booking = services.comp_ticket(summit, child, actor=staff_user, at=NOW)

    assert (booking.contact_name, booking.contact_email) == ("Gloria Ruiz", "gloria@example.org")
    assert booking.attendees[0].email is None


def test_comp_ticket_for_someone_registered_is_refused(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    book(summit, ticket, 1)

    with pytest.raises(DomainError) as caught:
        services.comp_ticket(summit, person(ticket, 1), actor=staff_user, at=NOW)

    assert caught.value.code == "already_registered"
    assert "email" in caught.value.fields
    assert taken(ticket) == 0


def test_comp_ticket_replaces_a_lapsed_unconfirmed_registration(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    book(summit, ticket, 1)

    booking = services.comp_ticket(
        summit, person(ticket, 1), actor=staff_user, at=NOW + timedelta(hours=72)
    )

    assert booking.state == B.CONFIRMED
    assert bookings_count() == 1


def test_comp_ticket_invalid_person_names_the_field(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket

    with pytest.raises(DomainError) as caught:
        services.comp_ticket(summit, person(ticket, 1, county="Gondor"), actor=staff_user)

    assert (caught.value.code, list(caught.value.fields)) == ("invalid_person", ["county"])
    assert bookings_count() == 0


# --- needs, staff cancel -----------------------------------------------------------


def test_update_needs_keeps_known_codes_and_is_audited_once(summit_and_ticket):
    summit, ticket = summit_and_ticket
    attendee = confirmed(summit, ticket, 1).attendees[0]
    values = {
        "accommodations": ["asl", "jetpack", "wheelchair"],
        "wants_interpretation": "y",
        "dietary_needs": "  vegan  ",
        "media_consent": "",
    }

    services.update_needs(attendee, values)
    services.update_needs(attendee, values)  # the same again: nothing changed

    assert attendee.accommodations == ["asl", "wheelchair"]
    assert (attendee.wants_interpretation, attendee.dietary_needs, attendee.media_consent) == (
        True,
        "vegan",
        False,
    )
    [entry] = audits("attendee.needs")
    assert (entry.object_id, entry.actor_id, entry.summit_id) == (attendee.code, None, summit.id)
    assert entry.after["accommodations"] == ["asl", "wheelchair"]


def test_update_needs_leaves_the_other_details_alone(summit_and_ticket):
    summit, ticket = summit_and_ticket
    attendee = confirmed(summit, ticket, 1, county="Kern").attendees[0]

    services.update_needs(attendee, {"name": "Hacked", "county": "Inyo", "dietary_needs": "x"})

    assert (attendee.name, attendee.county, attendee.dietary_needs) == ("Person 1", "Kern", "x")


def test_staff_cancel_frees_the_seat_offers_it_and_is_audited(summit_and_ticket, staff_user):
    summit, ticket = summit_and_ticket
    full = confirmed(summit, ticket, 1, 2)
    waiting = confirmed(summit, ticket, 3)

    offered = services.staff_cancel(full.attendees[1], actor=staff_user, summit=summit, at=NOW)

    assert offered == [waiting] and waiting.state == B.OFFERED
    assert full.state == B.CONFIRMED and full.attendees[1].cancelled_at == NOW
    assert taken(ticket) == 2  # the freed seat is held for the offer
    [entry] = audits("attendee.cancel")
    assert (entry.object_id, entry.actor_id) == (full.attendees[1].code, staff_user.id)


# --- queries: the staff list, counts, needs summary, export, history ----------------


@pytest.fixture
def crowd(ctx):
    """Four people in three registrations, with regions for Fresno, Kern and Alameda.

    Ana (family, Fresno, educator, ASL) and Dee (family, Los Angeles, wheelchair,
    cancelled) came together; Ben (speaker, Kern, family role, interpretation) is
    confirmed; Cruz (13-17, Alameda, student, no nuts) has not confirmed.
    """
    from summit.summits.services import set_regions

    summit, family = make_registration_summit(capacity=10)
    speaker = add_type(summit, "speaker", capacity=10)
    set_regions(
        summit,
        {"Fresno": "Central Valley", "Kern": "Central Valley", "Alameda": "Bay Area"},
        actor=None,
    )

    def register(contact_name, contact_email, *people):
        booking, secret = services.register(
            summit, contact_name=contact_name, contact_email=contact_email,
            people=list(people), at=NOW,
        )  # fmt: skip
        return booking, secret

    ana_dee, secret = register(
        "Ana Alvarez", "ana@example.org",
        {"name": "Ana Alvarez", "email": "ana@example.org", "ticket_type": family,
         "county": "Fresno", "role_type": "educator", "organisation": "Fresno Unified",
         "accommodations": ["asl"]},
        {"name": "Dee Diaz", "email": "dee@example.org", "ticket_type": family,
         "county": "Los Angeles", "role_type": "administrator",
         "accommodations": ["wheelchair"]},
    )  # fmt: skip
    services.confirm_booking(secret, at=NOW)
    services.cancel_attendee(ana_dee.attendees[1], at=NOW)
    ben, secret = register(
        "Ben Brooks", "ben@example.org",
        {"name": "Ben Brooks", "email": "ben@example.org", "ticket_type": speaker,
         "county": "Kern", "role_type": "family", "wants_interpretation": True},
    )  # fmt: skip
    services.confirm_booking(secret, at=NOW)
    cruz, _ = register(
        "Gloria Castillo", "gloria@example.org",
        {"name": "Cruz Castillo", "ticket_type": family, "county": "Alameda",
         "role_type": "student", "age_band": "13_17", "guardian_name": "Gloria Castillo",
         "guardian_email": "gloria@example.org", "dietary_needs": "no nuts"},
    )  # fmt: skip
    db.session.flush()
    return summit, {"ana_dee": ana_dee, "ben": ben, "cruz": cruz}


def names(summit, **args):
    from werkzeug.datastructures import MultiDict

    from summit.registration import queries

    filters = queries.RegistrationFilters.from_args(MultiDict(args))
    rows, total = queries.list_attendees(summit, filters)
    assert total == len(rows)
    return sorted(a.name.split()[0] for a in rows)


EVERYONE = ["Ana", "Ben", "Cruz", "Dee"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, EVERYONE),
        ({"q": "brooks"}, ["Ben"]),
        ({"q": "alvarez"}, ["Ana", "Dee"]),  # Ana registered Dee: the household shows
        ({"q": "FRESNO unified"}, ["Ana"]),  # organisation, any case
        ({"q": "gloria@"}, ["Cruz"]),  # the contact's email
        ({"q": "%"}, []),  # taken literally, not as a wildcard
        ({"state": "confirmed"}, ["Ana", "Ben", "Dee"]),
        ({"state": "pending_email"}, ["Cruz"]),
        ({"state": "bogus"}, EVERYONE),
        ({"ticket_type": "speaker"}, ["Ben"]),
        ({"ticket_type": "nope"}, []),
        ({"county": "Kern"}, ["Ben"]),
        ({"county": "Atlantis"}, EVERYONE),
        ({"region": "Central Valley"}, ["Ana", "Ben"]),
        ({"region": "Bay Area"}, ["Cruz"]),
        ({"region": "Nowhere"}, []),
        ({"role_type": "student"}, ["Cruz"]),
        ({"role_type": "wizard"}, EVERYONE),
        ({"need": "asl"}, ["Ana"]),
        ({"need": "interpretation"}, ["Ben"]),
        ({"need": "dietary"}, ["Cruz"]),
        ({"need": "wheelchair"}, []),  # Dee's ticket is cancelled
        ({"need": "jetpack"}, EVERYONE),
        ({"minors": "1"}, ["Cruz"]),
        ({"minors": "yes"}, EVERYONE),
        ({"region": "Central Valley", "role_type": "family"}, ["Ben"]),
    ],
    ids=lambda value: (
        "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None
    ),
)
def test_list_attendees_filters(crowd, args, expected):
    summit, _ = crowd

    assert names(summit, **args) == expected


def test_list_attendees_search_by_registration_or_ticket_code(crowd):
    summit, bookings = crowd

    assert names(summit, q=bookings["ben"].code.lower()) == ["Ben"]
    assert names(summit, q=bookings["cruz"].attendees[0].code) == ["Cruz"]


def test_list_attendees_pages_newest_registration_first(crowd):
    from summit.registration import queries

    summit, _ = crowd
    first = queries.RegistrationFilters(per_page=3)
    second = queries.RegistrationFilters(per_page=3, page=2)

    rows, total = queries.list_attendees(summit, first)
    rest, _total = queries.list_attendees(summit, second)

    assert total == 4
    assert [a.name for a in rows] == ["Cruz Castillo", "Ben Brooks", "Ana Alvarez"]
    assert [a.name for a in rest] == ["Dee Diaz"]


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("-3", 1), ("0", 1), ("", 1), ("4", 4)])
def test_filters_from_args_page_is_at_least_one(page, expected):
    from werkzeug.datastructures import MultiDict

    from summit.registration.queries import RegistrationFilters

    assert RegistrationFilters.from_args(MultiDict({"page": page})).page == expected


def test_filters_from_args_drops_unknown_values_and_cuts_long_ones():
    from werkzeug.datastructures import MultiDict

    from summit.registration.queries import RegistrationFilters

    filters = RegistrationFilters.from_args(
        MultiDict(
            {"q": "  ana " + "x" * 200, "state": "sideways", "county": "Kern", "need": "asl",
             "role_type": "wizard", "minors": "1", "ticket_type": "t" * 60}
        )
    )  # fmt: skip

    assert filters.q.startswith("ana") and len(filters.q) <= 100
    assert (filters.state, filters.role_type) == ("", "")
    assert (filters.county, filters.need, filters.minors) == ("Kern", "asl", True)
    assert len(filters.ticket_type) == 40
    assert filters.as_args() == {
        "q": filters.q, "ticket_type": filters.ticket_type, "county": "Kern", "need": "asl",
        "minors": "1",
    }  # fmt: skip


def test_count_by_state_counts_active_people(crowd):
    from summit.registration import queries

    summit, _ = crowd

    assert queries.count_by_state(summit) == {"confirmed": 2, "pending_email": 1}


def test_export_rows_carry_region_guardian_and_cancellation(crowd):
    from summit.registration import queries

    summit, bookings = crowd
    people = queries.all_filtered_attendees(summit, queries.RegistrationFilters())

    rows = {row[5]: dict(zip(queries.EXPORT_COLUMNS, row, strict=True))
            for row in queries.export_rows(summit, people)}  # fmt: skip

    assert set(rows) == {"Ana Alvarez", "Dee Diaz", "Ben Brooks", "Cruz Castillo"}
    ana, dee, cruz = rows["Ana Alvarez"], rows["Dee Diaz"], rows["Cruz Castillo"]
    assert (ana["booking"], ana["region"], ana["accommodations"]) == (
        bookings["ana_dee"].code,
        "Central Valley",
        "asl",
    )
    assert (dee["state"], dee["region"], dee["cancelled_at"]) == (
        "cancelled",
        "",
        NOW.isoformat(),
    )
    assert (cruz["guardian_name"], cruz["guardian_email"], cruz["age_band"]) == (
        "Gloria Castillo",
        "gloria@example.org",
        "13_17",
    )
    assert (cruz["state"], cruz["email"], cruz["dietary_needs"]) == (
        "pending_email",
        "",
        "no nuts",
    )
    assert rows["Ben Brooks"]["interpretation"] == "yes"


def test_history_lists_this_households_entries_newest_first(crowd, staff_user):
    from summit.registration import queries

    summit, bookings = crowd
    ana = bookings["ana_dee"].attendees[0]
    services.reissue_ticket(ana, actor=staff_user, summit=summit)
    services.record_resend(bookings["ana_dee"], actor=staff_user, summit=summit)
    services.reissue_ticket(bookings["ben"].attendees[0], actor=staff_user, summit=summit)
    db.session.flush()

    entries = queries.history(summit, bookings["ana_dee"])

    assert [(e.action, e.object_id) for e in entries] == [
        ("booking.resend", bookings["ana_dee"].code),
        ("attendee.reissue", ana.code),
    ]


# --- the needs summary, by day -------------------------------------------------------


def test_needs_summary_counts_by_the_days_each_ticket_admits(summit_and_ticket):
    """Hand-counted. Summit days: 23 and 24 September.

    confirmed  A  every day  asl, wheelchair, interpretation
    confirmed  B  23 only    asl, dietary
    confirmed  C  24 only    interpretation
    cancelled  E  every day  asl            (A's household; not counted)
    waitlist   D  every day  asl            (waiting)
    approval   G  every day  wheelchair     (waiting)
    pending    F  every day  asl            (not counted at all)
    """
    from datetime import date

    from summit.registration import queries

    summit, family = summit_and_ticket
    family.capacity = 2
    first = add_type(summit, "first", capacity=5, days=["2027-09-23"])
    second = add_type(summit, "second", capacity=5, days=["2027-09-24"])
    vip = add_type(summit, "vip", capacity=5, requires_approval=True)
    a_e = confirmed(
        summit, family, 1, 5, accommodations=["asl"], wants_interpretation=True
    )  # A = p1, E = p5
    a_e.attendees[0].accommodations = ["asl", "wheelchair"]
    a_e.attendees[1].wants_interpretation = False
    services.cancel_attendee(a_e.attendees[1], at=NOW)
    confirmed(summit, first, 2, accommodations=["asl"], dietary_needs="vegan")  # B
    confirmed(summit, second, 3, wants_interpretation=True)  # C
    confirmed(summit, family, 6)  # fills the family type again
    d = confirmed(summit, family, 4, accommodations=["asl"])  # D
    assert d.state == B.WAITLISTED
    confirmed(summit, vip, 7, accommodations=["wheelchair"])  # G
    book(summit, family, 8, accommodations=["asl"])  # F
    db.session.flush()
    day1, day2 = date(2027, 9, 23), date(2027, 9, 24)

    summary = queries.needs_summary(summit)

    assert summary.days == [day1, day2]
    got = {
        need: {k: summary.confirmed[need][k] for k in (day1, day2, "total")}
        for need in ("asl", "wheelchair", "interpretation", "dietary", "captions")
    }
    assert got == {
        "asl": {day1: 2, day2: 1, "total": 2},
        "wheelchair": {day1: 1, day2: 1, "total": 1},
        "interpretation": {day1: 1, day2: 2, "total": 2},
        "dietary": {day1: 1, day2: 0, "total": 1},
        "captions": {day1: 0, day2: 0, "total": 0},
    }
    # A, B and C; and the person who refilled the family type (p6, every day)
    assert {k: summary.people[k] for k in (day1, day2, "total")} == {
        day1: 3,
        day2: 3,
        "total": 4,
    }
    assert summary.waiting["asl"]["total"] == 1
    assert summary.waiting["wheelchair"]["total"] == 1
    assert summary.waiting["interpretation"]["total"] == 0
