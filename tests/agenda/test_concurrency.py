"""200 people reserve the 25 seats of a workshop at once (PostgreSQL): never more
reservations than seats, nobody lost.

Each reservation runs in its own thread, connection and transaction. The control
replaces the conditional UPDATE with a read-then-write of the counter and shows the
same load overbooks the room, so the test can tell a correct implementation apart.
"""

from __future__ import annotations

import contextlib
import threading

import pytest

from summit.agenda import services
from summit.agenda.enums import ReservationState
from summit.agenda.models import Agenda, Reservation, SeatPool
from summit.core.errors import DomainError
from summit.extensions import db
from summit.summits.queries import get_summit_by_slug
from tests.agenda.conftest import NOW, set_seat_limit
from tests.conftest import drain_in_threads
from tests.scheduling.conftest import SLUG

pytestmark = pytest.mark.postgres_only

SEATS, PEOPLE, THREADS = 25, 200, 16  # Room B holds 30


@pytest.fixture
def crowd(app, released):
    """PEOPLE registered attendees with agendas, bulk-made for speed."""
    from summit.registration.models import Attendee, Booking, TicketType

    set_seat_limit(app, "workshop-60", SEATS)
    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        ticket = TicketType(
            summit_id=summit.id, code="general", name_en="General", name_es="General",
            capacity=PEOPLE, taken=PEOPLE,
        )  # fmt: skip
        db.session.add(ticket)
        db.session.flush()
        ids = []
        for n in range(PEOPLE):
            booking = Booking(
                summit_id=summit.id, code=f"B{n:07d}", contact_name=f"C{n}",
                contact_email=f"c{n}@example.org", state="confirmed", confirmed_at=NOW,
            )  # fmt: skip
            booking.attendees.append(
                Attendee(
                    summit_id=summit.id,
                    ticket_type_id=ticket.id,
                    code=f"A{n:07d}",
                    name=f"P{n}",
                    email=f"p{n}@example.org",
                )
            )
            db.session.add(booking)
        db.session.flush()
        for attendee in db.session.scalars(db.select(Attendee)):
            ids.append(services.agenda_for_attendee(attendee, at=NOW).id)
        db.session.commit()
        return ids


def _reserve_all(app, agenda_ids, code):
    errors, full, lock = [], [], threading.Lock()

    def reserve(agenda_id):
        with app.app_context():
            try:
                summit = get_summit_by_slug(SLUG)
                agenda = db.session.get(Agenda, agenda_id)
                services.reserve_seat(agenda, summit, code, at=NOW)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                with lock:
                    (full if error.code == "workshop_full" else errors).append(error.code)
            except Exception as error:  # anything else is a failure here
                db.session.rollback()
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    drain_in_threads(agenda_ids, reserve, threads=THREADS)
    with app.app_context():
        reserved = db.session.scalar(
            db.select(db.func.count()).where(Reservation.state == ReservationState.RESERVED.value)
        )
        pool = db.session.scalars(db.select(SeatPool)).one()
        return reserved, pool.taken, len(full), errors


def test_200_concurrent_reservations_for_25_seats_reserve_exactly_25(app, released, crowd):
    reserved, taken, full, errors = _reserve_all(app, crowd, released["WORKSHOP"])

    assert errors == []
    assert (reserved, taken, full) == (SEATS, SEATS, PEOPLE - SEATS)


def test_control_read_then_write_counter_overbooks_under_the_same_load(
    app, released, crowd, monkeypatch
):
    gate = threading.Barrier(THREADS, timeout=5)

    def naive_take_seat(proposal_id):
        pool = db.session.get(SeatPool, proposal_id)
        seen = pool.taken
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()  # let the others read the same count before anyone writes
        if seen >= pool.capacity:
            return False
        db.session.execute(
            db.update(SeatPool).where(SeatPool.proposal_id == proposal_id).values(taken=seen + 1)
        )
        return True

    monkeypatch.setattr(services, "take_seat", naive_take_seat)

    reserved, _taken, _full, _errors = _reserve_all(app, crowd, released["WORKSHOP"])

    assert reserved > SEATS  # overbooked: the race is real
