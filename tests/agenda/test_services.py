"""Agenda services: stars, feed secrets, seats and the waiting list, release effects."""

from __future__ import annotations

from datetime import timedelta

import pytest

from summit.agenda import queries, services
from summit.agenda.enums import ReservationState
from summit.agenda.models import Agenda, Reservation, SeatPool
from summit.core.errors import DomainError
from summit.extensions import db
from summit.summits.queries import get_summit_by_slug
from tests.agenda.conftest import NOW
from tests.scheduling.conftest import DAY_ONE, SLUG, local


def _load(agenda_id):
    return db.session.get(Agenda, agenda_id), get_summit_by_slug(SLUG)


def test_star_session_twice_keeps_one_star_and_raises_changed_at(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        agenda, summit = _load(agenda_id)
        before = agenda.changed_at
        services.star_session(agenda, summit, released["OTHER"], at=NOW + timedelta(hours=1))
        services.star_session(agenda, summit, released["OTHER"], at=NOW + timedelta(hours=2))
        db.session.commit()
        assert queries.starred_codes(agenda) == {released["OTHER"]}
        assert agenda.changed_at == NOW + timedelta(hours=1)
        assert agenda.changed_at > before


def test_star_unknown_session_is_a_404_error(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        agenda, summit = _load(agenda_id)
        with pytest.raises(DomainError) as error:
            services.star_session(agenda, summit, "PRO-NOPE")
        assert (error.value.code, error.value.status) == ("unknown_session", 404)


def test_unstar_removes_the_star(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        agenda, summit = _load(agenda_id)
        services.star_session(agenda, summit, released["OTHER"], at=NOW)
        services.unstar_session(agenda, summit, released["OTHER"], at=NOW)
        assert queries.starred_codes(agenda) == set()


def test_user_agenda_joins_the_ticket_agenda_with_the_same_email(app, released, make_user):
    from tests.agenda.conftest import register_person

    code, _ = register_person(app, "Bea Both", email="bea@example.org")
    user_id = make_user("bea@example.org")
    with app.app_context():
        from summit.accounts.models import User
        from summit.registration.models import Attendee

        summit = get_summit_by_slug(SLUG)
        attendee = db.session.scalar(db.select(Attendee).where(Attendee.code == code))
        ticket_agenda = services.agenda_for_attendee(attendee, at=NOW)
        user = db.session.scalar(db.select(User).where(User.email == user_id))
        found = services.agenda_for_user(summit, user, create=True, at=NOW)
        assert found.id == ticket_agenda.id
        assert found.user_id == user.id


def test_user_without_ticket_gets_their_own_agenda_only_when_asked(app, released, make_user):
    made = make_user("nobody@example.org")
    with app.app_context():
        from summit.accounts.models import User

        summit = get_summit_by_slug(SLUG)
        user = db.session.scalar(db.select(User).where(User.email == made))
        assert services.agenda_for_user(summit, user) is None
        agenda = services.agenda_for_user(summit, user, create=True, at=NOW)
        assert agenda.attendee_id is None and agenda.user_id == user.id


# --- the feed secret -------------------------------------------------------------


def test_feed_secret_is_stored_only_as_a_hash_and_found_by_it(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        agenda, summit = _load(agenda_id)
        secret = services.create_feed(agenda, at=NOW)
        db.session.commit()
        assert len(secret) >= 43  # 256 bits, base64url
        assert secret not in (agenda.feed_token_hash, agenda.feed_salt)
        assert services.feed_secret(agenda) == secret  # shown again to its owner
        assert queries.get_agenda_by_feed(summit, secret).id == agenda.id


def test_regenerating_the_feed_revokes_the_old_secret(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        agenda, summit = _load(agenda_id)
        old = services.create_feed(agenda, at=NOW)
        new = services.create_feed(agenda, at=NOW)
        assert old != new
        assert queries.get_agenda_by_feed(summit, old) is None
        assert queries.get_agenda_by_feed(summit, new).id == agenda.id
        services.revoke_feed(agenda)
        assert queries.get_agenda_by_feed(summit, new) is None
        assert services.feed_secret(agenda) is None


def test_feed_secret_of_another_summit_is_not_found(app, released, attendee_agenda, make_summit):
    agenda_id = attendee_agenda()
    make_summit(
        "2028", starts_on=NOW.date().replace(year=2028), ends_on=NOW.date().replace(year=2028)
    )
    with app.app_context():
        agenda, _summit = _load(agenda_id)
        secret = services.create_feed(agenda, at=NOW)
        db.session.commit()
        assert queries.get_agenda_by_feed(get_summit_by_slug("2028"), secret) is None


# --- seats -----------------------------------------------------------------------


def _reserve(agenda_id, code, **kwargs):
    agenda, summit = _load(agenda_id)
    reservation = services.reserve_seat(agenda, summit, code, at=NOW, **kwargs)
    db.session.commit()
    return reservation


def _pool(code):
    from summit.proposals.models import Proposal

    pid = db.session.scalar(db.select(Proposal.id).where(Proposal.code == code))
    return db.session.get(SeatPool, pid)


def test_reserve_takes_a_seat_and_stars_the_session(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        reservation = _reserve(agenda_id, released["WORKSHOP"])
        assert reservation.state == ReservationState.RESERVED
        pool = _pool(released["WORKSHOP"])
        assert (pool.capacity, pool.taken) == (2, 1)
        assert released["WORKSHOP"] in queries.starred_codes(db.session.get(Agenda, agenda_id))


def test_reserving_again_returns_the_same_seat(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        first = _reserve(agenda_id, released["WORKSHOP"])
        again = _reserve(agenda_id, released["WORKSHOP"])
        assert first.id == again.id
        assert _pool(released["WORKSHOP"]).taken == 1


def test_capacity_is_the_smaller_of_format_limit_and_room(app, released, attendee_agenda):
    from tests.agenda.conftest import set_seat_limit

    set_seat_limit(app, "workshop-60", 500)
    agenda_id = attendee_agenda()
    with app.app_context():
        _reserve(agenda_id, released["WORKSHOP"])
        assert _pool(released["WORKSHOP"]).capacity == 30  # Room B holds 30


def test_full_workshop_refuses_unless_waitlist_then_queues_in_order(app, released, attendee_agenda):
    a, b, c, d = (attendee_agenda(f"Person {n}") for n in range(4))
    with app.app_context():
        _reserve(a, released["WORKSHOP"])
        _reserve(b, released["WORKSHOP"])
        with pytest.raises(DomainError) as error:
            _reserve(c, released["WORKSHOP"])
        assert (error.value.code, error.value.status) == ("workshop_full", 409)
        db.session.rollback()
        third = _reserve(c, released["WORKSHOP"], waitlist=True)
        fourth = _reserve(d, released["WORKSHOP"], waitlist=True)
        assert third.state == fourth.state == ReservationState.WAITLISTED
        assert queries.waiting_position(third) == 1
        assert queries.waiting_position(fourth) == 2
        assert _pool(released["WORKSHOP"]).taken == 2


def test_release_promotes_the_first_in_line(app, released, attendee_agenda):
    a, b, c, d = (attendee_agenda(f"Person {n}") for n in range(4))
    with app.app_context():
        _reserve(a, released["WORKSHOP"])
        _reserve(b, released["WORKSHOP"])
        third = _reserve(c, released["WORKSHOP"], waitlist=True).id
        fourth = _reserve(d, released["WORKSHOP"], waitlist=True).id
        agenda, summit = _load(a)
        promoted = services.release_seat(agenda, summit, released["WORKSHOP"], at=NOW)
        db.session.commit()
        assert [r.id for r in promoted] == [third]
        assert db.session.get(Reservation, third).state == ReservationState.RESERVED
        assert db.session.get(Reservation, fourth).state == ReservationState.WAITLISTED
        assert _pool(released["WORKSHOP"]).taken == 2


def test_promotion_skips_someone_holding_a_seat_at_the_same_time(app, released, attendee_agenda):
    from tests.agenda.conftest import set_seat_limit

    # A second limited workshop at 9:00 in Room C: the first in line sits there.
    b_ = released.builder
    rival = b_.proposal("Rival workshop", format="workshop-90")
    set_seat_limit(app, "workshop-90", 5)
    slots = released.slots
    b_.release(
        {
            released["KEYNOTE"]: (slots["d1_9"], released.rooms["hall"]),
            released["WORKSHOP"]: (slots["d1_9"], released.rooms["b"]),
            rival: (slots["d1_9"], released.rooms["c"]),
            released["OTHER"]: (slots["d1_10"], released.rooms["c"]),
        }
    )
    a, b, c, d = (attendee_agenda(f"Person {n}") for n in range(4))
    with app.app_context():
        _reserve(a, released["WORKSHOP"])
        _reserve(b, released["WORKSHOP"])
        busy = _reserve(c, released["WORKSHOP"], waitlist=True).id
        free = _reserve(d, released["WORKSHOP"], waitlist=True).id
        _reserve(c, rival)  # now c holds a seat at 9:00 elsewhere
        agenda, summit = _load(a)
        promoted = services.release_seat(agenda, summit, released["WORKSHOP"], at=NOW)
        assert [r.id for r in promoted] == [free]
        assert db.session.get(Reservation, busy).state == ReservationState.WAITLISTED


def test_reserving_a_seat_overlapping_another_seat_is_refused(app, released, attendee_agenda):
    from tests.agenda.conftest import set_seat_limit

    set_seat_limit(app, "panel", 50)  # the keynote at 9:00 now needs a seat too
    agenda_id = attendee_agenda()
    with app.app_context():
        _reserve(agenda_id, released["KEYNOTE"])
        with pytest.raises(DomainError) as error:
            _reserve(agenda_id, released["WORKSHOP"])
        assert error.value.code == "overlap"
        assert "Opening talk on family partnership" in error.value.message


def test_reserving_after_the_session_started_is_refused(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        agenda, summit = _load(agenda_id)
        with pytest.raises(DomainError) as error:
            services.reserve_seat(agenda, summit, released["WORKSHOP"], at=local(DAY_ONE, "9:30"))
        assert error.value.code == "too_late"


def test_session_without_seat_limit_needs_no_reservation(app, released, attendee_agenda):
    agenda_id = attendee_agenda()
    with app.app_context():
        with pytest.raises(DomainError) as error:
            _reserve(agenda_id, released["OTHER"])
        assert error.value.code == "no_reservation_needed"


def test_agenda_without_registration_cannot_reserve(app, released, make_user):
    made = make_user("visitor@example.org")
    with app.app_context():
        from summit.accounts.models import User

        summit = get_summit_by_slug(SLUG)
        user = db.session.scalar(db.select(User).where(User.email == made))
        agenda = services.agenda_for_user(summit, user, create=True, at=NOW)
        with pytest.raises(DomainError) as error:
            services.reserve_seat(agenda, summit, released["WORKSHOP"], at=NOW)
        assert (error.value.code, error.value.status) == ("registration_needed", 403)


def test_unstarring_a_reserved_session_gives_the_seat_back(app, released, attendee_agenda):
    a, b, c = (attendee_agenda(f"Person {n}") for n in range(3))
    with app.app_context():
        _reserve(a, released["WORKSHOP"])
        _reserve(b, released["WORKSHOP"])
        waiting = _reserve(c, released["WORKSHOP"], waitlist=True).id
        agenda, summit = _load(a)
        promoted = services.unstar_session(agenda, summit, released["WORKSHOP"], at=NOW)
        assert [r.id for r in promoted] == [waiting]
        assert _pool(released["WORKSHOP"]).taken == 2


# --- release effects ---------------------------------------------------------------


def test_cancelling_a_workshop_ends_its_reservations(app, released, attendee_agenda):
    a, b = attendee_agenda("Person A"), attendee_agenda("Person B")
    with app.app_context():
        first = _reserve(a, released["WORKSHOP"]).id
        _reserve(b, released["WORKSHOP"])
    slots, rooms = released.slots, released.rooms
    released.builder.release(
        {
            released["KEYNOTE"]: (slots["d1_9"], rooms["hall"]),
            released["WORKSHOP"]: (slots["d1_9"], rooms["b"]),
        },
        cancelled=(released["WORKSHOP"],),
    )
    with app.app_context():
        promoted, cancelled = services.sync_seats(get_summit_by_slug(SLUG), at=NOW)
        db.session.commit()
        assert promoted == []
        assert first in {r.id for r in cancelled}
        assert db.session.get(Reservation, first).state == ReservationState.CANCELLED
        assert _pool(released["WORKSHOP"]).taken == 0


def test_a_bigger_room_after_release_promotes_the_waiting(app, released, attendee_agenda):
    from tests.agenda.conftest import set_seat_limit

    people = [attendee_agenda(f"Person {n}") for n in range(3)]
    with app.app_context():
        _reserve(people[0], released["WORKSHOP"])
        _reserve(people[1], released["WORKSHOP"])
        waiting = _reserve(people[2], released["WORKSHOP"], waitlist=True).id
    set_seat_limit(app, "workshop-60", 3)
    with app.app_context():
        promoted, _ = services.sync_seats(get_summit_by_slug(SLUG), at=NOW)
        db.session.commit()
        assert [r.id for r in promoted] == [waiting]
        assert _pool(released["WORKSHOP"]).capacity == 3


def test_cancelled_ticket_gives_its_seat_to_the_next_in_line(app, released, attendee_agenda):
    a, b, c = (attendee_agenda(f"Person {n}") for n in range(3))
    with app.app_context():
        _reserve(a, released["WORKSHOP"])
        _reserve(b, released["WORKSHOP"])
        waiting = _reserve(c, released["WORKSHOP"], waitlist=True).id
        agenda, _summit = _load(a)
        promoted = services.end_reservations_of(agenda.attendee, at=NOW)
        db.session.commit()
        assert [r.id for r in promoted] == [waiting]
        assert queries.live_reservations(agenda) == {}
        assert _pool(released["WORKSHOP"]).taken == 2
