from datetime import date, timedelta

import pytest

from summit.checkin import services
from summit.checkin.enums import ScanResult
from summit.checkin.models import Scan
from summit.core.errors import DomainError
from summit.extensions import db
from summit.registration import services as registration
from summit.registration import tickets
from tests.checkin.conftest import NOW, book, scan, token_of

R = ScanResult
DAY = NOW + timedelta(days=145)


def person(n, **extra):
    return {"name": f"Person {n}", "email": f"p{n}@example.org", **extra}


def scans_count() -> int:
    return db.session.scalar(db.select(db.func.count(Scan.id)))


def test_ensure_entrances_makes_one_per_day_once(door):
    summit, _ticket, entrances = door

    again = services.ensure_entrances(summit)

    assert [c.day for c in entrances] == [date(2027, 9, 23), date(2027, 9, 24)]
    assert [c.id for c in again] == [c.id for c in entrances]


def test_record_scan_of_a_confirmed_ticket_checks_in_with_flags(door):
    summit, ticket, (first, _second) = door
    booking = book(
        summit, ticket, person(1, accommodations=["asl", "wheelchair"], media_consent=False)
    )
    [attendee] = booking.attendees

    outcome = scan(summit, token_of(summit, attendee), first, "s-1")

    assert outcome.result == R.CHECKED_IN and outcome.attendee.code == attendee.code
    assert services.flags_of(attendee) == ["asl", "wheelchair", "no_photo"]
    assert outcome.scan.result == "checked_in" and not outcome.replayed


def test_record_scan_twice_says_already_checked_in_with_the_first(door):
    summit, ticket, (first, _second) = door
    [attendee] = book(summit, ticket, person(1)).attendees
    token = token_of(summit, attendee)
    original = scan(summit, token, first, "s-1", device="North door")

    again = scan(summit, token, first, "s-2")

    assert again.result == R.ALREADY_CHECKED_IN
    assert again.first.id == original.scan.id and again.first.device == "North door"
    assert scans_count() == 2  # every scan is kept


def test_record_scan_same_ticket_next_day_checks_in_again(door):
    summit, ticket, (first, second) = door
    [attendee] = book(summit, ticket, person(1)).attendees
    token = token_of(summit, attendee)
    scan(summit, token, first, "s-1")

    assert scan(summit, token, second, "s-2").result == R.CHECKED_IN


def test_record_scan_repeated_scan_id_returns_the_original_answer(door):
    summit, ticket, (first, _second) = door
    [attendee] = book(summit, ticket, person(1)).attendees
    token = token_of(summit, attendee)
    scan(summit, token, first, "s-1")

    retry = scan(summit, token, first, "s-1")

    assert (retry.result, retry.replayed) == (R.CHECKED_IN, True)
    assert scans_count() == 1


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("", R.INVALID),
        ("hello world", R.INVALID),
        ("SM1" + "A" * 2000, R.INVALID),
        ("https://example.org/?q=" + "x" * 500, R.INVALID),
    ],
)
def test_record_scan_garbage_is_invalid_and_kept(door, token, expected):
    summit, _ticket, (first, _second) = door

    outcome = scan(summit, token, first, "s-1")

    assert outcome.result == expected and outcome.attendee is None
    assert scans_count() == 1


def test_record_scan_tampered_or_truncated_token_is_invalid(door):
    summit, ticket, (first, _second) = door
    [attendee] = book(summit, ticket, person(1)).attendees
    token = token_of(summit, attendee)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    assert scan(summit, tampered, first, "s-1").result == R.INVALID
    assert scan(summit, token[:40], first, "s-2").result == R.INVALID


def test_record_scan_other_summit_ticket_is_wrong_summit(door):
    summit, _ticket, (first, _second) = door
    forged = tickets.sign_ticket(tickets.new_private_key(), summit="2028", code="ABCDE", version=1)

    assert scan(summit, forged, first, "s-1").result == R.WRONG_SUMMIT


def test_record_scan_reissued_old_ticket_is_revoked(door):
    summit, ticket, (first, _second) = door
    [attendee] = book(summit, ticket, person(1)).attendees
    old = token_of(summit, attendee)
    registration.reissue_ticket(attendee, actor=None, summit=summit)

    assert scan(summit, old, first, "s-1").result == R.REVOKED
    assert scan(summit, token_of(summit, attendee), first, "s-2").result == R.CHECKED_IN


def test_record_scan_cancelled_and_unconfirmed_are_refused(door):
    summit, ticket, (first, _second) = door
    [cancelled] = book(summit, ticket, person(1)).attendees
    registration.cancel_attendee(cancelled, at=NOW)
    [pending] = book(summit, ticket, person(2), confirm=False, contact="b@example.org").attendees

    assert scan(summit, token_of(summit, cancelled), first, "s-1").result == R.CANCELLED
    assert scan(summit, token_of(summit, pending), first, "s-2").result == R.NOT_CONFIRMED


def test_record_scan_clock_ahead_is_accepted_but_flagged(door):
    summit, ticket, (first, _second) = door
    [attendee] = book(summit, ticket, person(1)).attendees

    outcome = scan(
        summit, token_of(summit, attendee), first, "s-1", scanned_at=DAY + timedelta(hours=2)
    )

    assert outcome.result == R.CHECKED_IN and outcome.scan.is_clock_skewed


@pytest.mark.parametrize("scan_id", ["", " ", "x" * 65, "bad\nid"])
def test_record_scan_bad_scan_id_is_refused(door, scan_id):
    summit, _ticket, (first, _second) = door

    with pytest.raises(DomainError) as caught:
        scan(summit, "SM1AAAA", first, scan_id)

    assert "scan_id" in caught.value.fields
    assert scans_count() == 0


def test_undo_lets_the_ticket_check_in_again_and_is_kept(door):
    summit, ticket, (first, _second) = door
    [attendee] = book(summit, ticket, person(1)).attendees
    token = token_of(summit, attendee)
    original = db.session.get(Scan, scan(summit, token, first, "s-1").scan.id)

    annulment = services.undo(summit, original, actor=None, at=DAY)

    assert annulment.result == "annulled" and annulment.annuls_id == original.id
    assert scan(summit, token, first, "s-2").result == R.CHECKED_IN
    with pytest.raises(DomainError):
        services.undo(summit, original, actor=None)


def test_session_checkpoint_over_capacity_is_flagged(door):
    summit, ticket, (_first, _second) = door
    from summit.proposals.services import ensure_call
    from tests.scheduling.builders import add_session

    ensure_call(summit)
    room = services.ensure_session_checkpoint(
        summit, add_session(summit, "Circle", audience=None), capacity=1
    )
    people = book(summit, ticket, person(1), person(2)).attendees

    one = scan(summit, token_of(summit, people[0]), room, "s-1")
    two = scan(summit, token_of(summit, people[1]), room, "s-2")

    assert (one.over_capacity, two.over_capacity) == (False, True)
    assert services.count_live(room) == 2


def test_roster_and_revocations_carry_only_what_a_door_needs(door):
    summit, ticket, _entrances = door
    kept, gone = book(summit, ticket, person(1, age_band="13_17", guardian_name="G",
                                             guardian_email="g@example.org"),
                      person(2)).attendees  # fmt: skip
    registration.reissue_ticket(kept, actor=None, summit=summit)
    registration.cancel_attendee(gone, at=NOW)
    [waiting] = book(summit, ticket, person(3), confirm=False, contact="w@example.org").attendees

    roster = services.roster(summit)
    revoked = services.revocations(summit)

    assert [r["code"] for r in roster] == [kept.code]
    assert set(roster[0]) == {"code", "version", "name", "ticket_type", "flags", "household"}
    assert roster[0]["version"] == 2 and "minor" in roster[0]["flags"]
    assert revoked["current_versions"] == {kept.code: 2}
    assert revoked["cancelled"] == [gone.code]
    assert revoked["not_confirmed"] == [waiting.code]
