"""200 households confirm at once against 50 seats (PostgreSQL): never oversold.

Each confirmation runs in its own thread, connection and transaction. The
control replaces the atomic conditional UPDATE with a read-then-write and shows
the same load oversells, so the test can tell a correct implementation apart.
"""

import contextlib
import threading

import pytest

from summit.extensions import db
from summit.registration import services
from summit.registration.enums import BookingState
from summit.registration.models import Booking, TicketType
from tests.conftest import drain_in_threads
from tests.registration.conftest import NOW, make_registration_summit

pytestmark = pytest.mark.postgres_only

SEATS, PEOPLE, THREADS = 50, 200, 16


@pytest.fixture
def pending(app):
    with app.app_context():
        summit, ticket = make_registration_summit(capacity=SEATS)
        secrets = []
        for n in range(PEOPLE):
            _booking, secret = services.register(
                summit,
                contact_name="C",
                contact_email=f"c{n}@example.org",
                people=[{"name": f"P{n}", "email": f"p{n}@example.org", "ticket_type": ticket}],
                at=NOW,
            )
            secrets.append(secret)
        db.session.commit()
        return secrets, ticket.id


def _confirm_all(app, secrets):
    errors, lock = [], threading.Lock()

    def confirm(secret):
        with app.app_context():
            try:
                services.confirm_booking(secret, at=NOW)
                db.session.commit()
            except Exception as error:  # any error at all is a failure here
                db.session.rollback()
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    drain_in_threads(secrets, confirm, threads=THREADS)
    with app.app_context():
        states = dict(
            db.session.execute(
                db.select(Booking.state, db.func.count()).group_by(Booking.state)
            ).all()
        )
    return states, errors


def test_200_concurrent_confirmations_for_50_seats_confirm_exactly_50(app, pending):
    secrets, ticket_id = pending

    states, errors = _confirm_all(app, secrets)

    assert errors == []
    assert states == {
        BookingState.CONFIRMED.value: SEATS,
        BookingState.WAITLISTED.value: PEOPLE - SEATS,
    }
    with app.app_context():
        assert db.session.get(TicketType, ticket_id).taken == SEATS


def test_control_read_then_write_seats_oversell_under_the_same_load(app, pending, monkeypatch):
    secrets, _ticket_id = pending
    gate = threading.Barrier(THREADS, timeout=5)

    def naive_take_seats(booking):
        ticket = db.session.get(TicketType, booking.attendees[0].ticket_type_id)
        seen = ticket.taken
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()  # let the others read the same count before anyone writes
        if seen + 1 > ticket.capacity:
            return False
        db.session.execute(
            db.update(TicketType).where(TicketType.id == ticket.id).values(taken=seen + 1)
        )
        return True

    monkeypatch.setattr(services, "take_seats", naive_take_seats)

    states, _errors = _confirm_all(app, secrets)

    assert states.get(BookingState.CONFIRMED.value, 0) > SEATS  # oversold: the race is real


KEY_THREADS = 8


def _sign_first_tickets_at_once(app, summit_id, ensure):
    """KEY_THREADS requests each need the summit's signing key, which doesn't exist yet."""
    from summit.registration.models import SummitKey
    from summit.summits.models import Summit

    errors, keys, lock = [], [], threading.Lock()
    start = threading.Barrier(KEY_THREADS, timeout=30)

    def worker():
        with app.app_context():
            summit = db.session.get(Summit, summit_id)
            start.wait()
            try:
                key = ensure(summit)
                public = key.public_key
                db.session.commit()
                with lock:
                    keys.append(public)
            except Exception as error:
                db.session.rollback()
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(KEY_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        stored = db.session.scalars(db.select(SummitKey.public_key)).all()
    return keys, errors, stored


@pytest.fixture
def keyless_summit(app):
    from summit.registration.models import SummitKey

    with app.app_context():
        summit, _ticket = make_registration_summit()
        db.session.execute(db.delete(SummitKey))
        db.session.commit()
        return summit.id


def _slow_gap(monkeypatch):
    """Widen the gap between "no key yet" and the insert so every thread sees no key."""
    gate = threading.Barrier(KEY_THREADS, timeout=5)
    real = services.tickets.new_private_key

    def new_private_key():
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()
        return real()

    monkeypatch.setattr(services.tickets, "new_private_key", new_private_key)


def test_first_tickets_signed_at_once_share_one_key_without_errors(
    app, keyless_summit, monkeypatch
):
    _slow_gap(monkeypatch)

    keys, errors, stored = _sign_first_tickets_at_once(
        app, keyless_summit, services.ensure_summit_key
    )

    assert errors == []
    assert len(stored) == 1 and set(keys) == {stored[0]}


def test_control_get_then_insert_key_fails_under_the_same_load(app, keyless_summit, monkeypatch):
    from summit.registration.models import SummitKey

    _slow_gap(monkeypatch)

    def naive_ensure(summit):
        key = db.session.get(SummitKey, summit.id)
        if key is None:
            private = services.tickets.new_private_key()
            key = SummitKey(
                summit_id=summit.id,
                private_key=private,
                public_key=services.tickets.public_key_for(private),
            )
            db.session.add(key)
            db.session.flush()
        return key

    _keys, errors, stored = _sign_first_tickets_at_once(app, keyless_summit, naive_ensure)

    assert len(stored) == 1
    assert errors  # the others hit the primary key: the race is real
