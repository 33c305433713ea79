"""Every calendar the app serves, parsed back with vobject (validate=True) and icalendar:
downloads (session, programme, track, presenter) and the personal feed, across a real
release that moves one starred session and cancels another."""

from __future__ import annotations

import re

import icalendar
import pytest
import vobject

from summit.extensions import db
from summit.scheduling import services
from tests.agenda.conftest import register_person
from tests.scheduling.builders import add_room, add_session, add_slot, make_schedule_summit

SLUG = "2027"


def parse(data: bytes):
    """Both parsers must accept it; returns icalendar's reading."""
    text = data.decode("utf-8")
    vobject.readOne(text, validate=True)
    calendar = icalendar.Calendar.from_ical(data)
    tzids = {tz["TZID"] for tz in calendar.walk("VTIMEZONE")}
    for event in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            tzid = event[name].params.get("TZID")
            assert tzid is None or tzid in tzids, f"{name} uses {tzid} without its VTIMEZONE"
    return calendar


def events(calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _place(summit, proposal, slot, room):
    placement = services.get_placement(summit, proposal.code)
    services.move_session(
        summit, placement, slot=slot, room=room, revision=placement.revision, actor=None
    )


@pytest.fixture
def schedule(app):
    """Three sessions released in version 1: A (9:00 Hall A), B (9:00 Room 101),
    C (10:30 Hall A, with a CR/LF and a control character in its title)."""
    with app.test_request_context():
        summit = make_schedule_summit()
        summit.registration_opens_at = summit.registration_opens_at or None
        big = add_room(summit, "Hall A", capacity=200)
        small = add_room(summit, "Room 101", capacity=20)
        first = add_slot(summit, (9, 0), (10, 0))
        second = add_slot(summit, (10, 30), (11, 30))
        a = add_session(summit, "Family partnership basics")
        b = add_session(summit, "Student voice")
        c = add_session(summit, "Evening\r\nBREAK:INJECTED\x07 talk")
        _place(summit, a, first, big)
        _place(summit, b, first, small)
        _place(summit, c, second, big)
        services.release(summit, actor=None, notify=False)
        db.session.commit()
        ids = {
            "a": a.code, "b": b.code, "c": c.code, "track": a.track.code,
            "first": first.code, "second": second.code, "big": big.code, "small": small.code,
        }  # fmt: skip
        presenter = a.presenters[0].public_id
    return ids | {"presenter": presenter}


def _release_moving_a_and_cancelling_c(app, ids):
    with app.test_request_context():
        from summit.summits.queries import get_summit_by_slug

        summit = get_summit_by_slug(SLUG)
        placement = services.get_placement(summit, ids["a"])
        slot = next(s for s in services.list_slots(summit) if s.code == ids["second"])
        room = next(r for r in services.list_rooms(summit) if r.code == ids["small"])
        services.move_session(
            summit, placement, slot=slot, room=room, revision=placement.revision, actor=None
        )
        c = services.get_placement(summit, ids["c"])
        services.move_session(summit, c, slot=None, room=None, revision=c.revision, actor=None)
        outcome = services.release(summit, actor=None)
        db.session.commit()
        return outcome


def _feed_path(client, app) -> str:
    client.post(f"/{SLUG}/agenda/calendar", data={"action": "create"})
    html = client.get(f"/{SLUG}/agenda/calendar").get_data(as_text=True)
    return "/" + re.search(r'href="webcal://([^"]+)"', html).group(1).split("/", 1)[1]


def _with_agenda(client, app, codes, **person):
    from summit.registration.services import save_ticket_type  # noqa: F401  (fixture uses it)
    from summit.summits.queries import get_summit_by_slug

    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        from datetime import UTC, datetime

        summit.registration_opens_at = datetime(2026, 1, 1, tzinfo=UTC)
        summit.registration_closes_at = datetime(2027, 9, 20, tzinfo=UTC)
        db.session.commit()
    code, manage = register_person(app, person.pop("name", "Feed Person"), **person)
    client.get(f"/{SLUG}/tickets/{manage}/agenda/{code}")
    for session_code in codes:
        response = client.post(f"/{SLUG}/agenda/star/{session_code}")
        assert response.status_code == 302


def test_personal_feed_follows_a_release_uid_stays_sequence_rises_cancelled_kept(
    client, app, schedule
):
    _with_agenda(client, app, [schedule["a"], schedule["c"]])
    path = _feed_path(client, app)
    before = events(parse(client.get(path).data))
    uid_a, uid_c = f"{schedule['a'].lower()}@2027.summit", f"{schedule['c'].lower()}@2027.summit"
    assert set(before) == {uid_a, uid_c}
    assert int(before[uid_a]["SEQUENCE"]) == 0

    _release_moving_a_and_cancelling_c(app, schedule)

    response = client.get(path)
    after = events(parse(response.data))
    assert set(after) == {uid_a, uid_c}  # same UIDs, never per version
    assert int(after[uid_a]["SEQUENCE"]) == 1
    assert after[uid_a]["DTSTART"].dt.hour == 10 and after[uid_a]["DTSTART"].dt.minute == 30
    assert "Room 101" in str(after[uid_a]["LOCATION"])
    assert str(after[uid_c]["STATUS"]) == "CANCELLED"
    assert int(after[uid_c]["SEQUENCE"]) == 1


def test_feed_has_refresh_hints_method_and_plain_description_with_url(client, app, schedule):
    _with_agenda(client, app, [schedule["a"]])
    response = client.get(_feed_path(client, app))
    calendar = parse(response.data)
    raw = response.data.decode()
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in raw
    assert "X-PUBLISHED-TTL:PT1H" in raw
    assert "My agenda" in str(calendar["X-WR-CALNAME"])
    [event] = calendar.walk("VEVENT")
    assert f"/{SLUG}/programme/sessions/{schedule['a']}" in str(event["DESCRIPTION"])
    assert "Presenters:" in str(event["DESCRIPTION"])
    assert "DTSTAMP" in event and "LAST-MODIFIED" in event
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "private" in response.headers["Cache-Control"]


def test_feed_is_in_the_persons_language(client, app, schedule):
    _with_agenda(client, app, [schedule["a"]], locale="es")
    client.post("/lang", data={"lang": "es", "next": f"/{SLUG}/agenda"})
    client.get(f"/{SLUG}/agenda")
    path = _feed_path(client, app)
    calendar = parse(app.test_client().get(path).data)  # a calendar app: no cookies
    assert "Mi agenda" in str(calendar["X-WR-CALNAME"])
    [event] = calendar.walk("VEVENT")
    assert "Presentadores:" in str(event["DESCRIPTION"])


def test_feed_repeat_with_etag_or_date_is_304(client, app, schedule):
    _with_agenda(client, app, [schedule["a"]])
    path = _feed_path(client, app)
    first = client.get(path)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    dated = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert dated.status_code == 304
    client.post(f"/{SLUG}/agenda/star/{schedule['b']}")  # the feed changes
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_unknown_feed_token_is_a_bare_404(client, schedule):
    response = client.get(f"/{SLUG}/agenda/feed/{'x' * 43}.ics")
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.data
    assert client.get(f"/{SLUG}/agenda/feed/{'x' * 500}.ics").status_code == 404


def test_feed_token_guessing_is_rate_limited_but_the_real_feed_is_not(make_app, schedule):
    limited = make_app(RATELIMIT_ENABLED=True, FEED_MISS_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    _with_agenda(client, limited, [schedule["a"]])
    path = _feed_path(client, limited)
    for _ in range(5):
        assert client.get(path).status_code == 200  # hits don't count against guessing
    codes = [client.get(f"/{SLUG}/agenda/feed/guess{n:040d}.ics").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]


def test_crlf_and_control_characters_never_break_a_line(client, app, schedule):
    response = client.get(f"/{SLUG}/programme.ics")
    raw = response.data.decode()
    assert "\r\nBREAK:INJECTED" not in raw
    assert "\x07" not in raw
    calendar = parse(response.data)
    titles = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert "Evening BREAK:INJECTED talk" in titles


def test_downloads_programme_track_presenter_and_session_parse(client, app, schedule):
    whole = events(parse(client.get(f"/{SLUG}/programme.ics").data))
    assert len(whole) == 3
    track = client.get(f"/{SLUG}/programme/tracks/{schedule['track']}.ics")
    assert len(events(parse(track.data))) == 3  # the builder puts all in the first track
    presenter = client.get(f"/{SLUG}/programme/presenters/{schedule['presenter']}.ics")
    assert set(events(parse(presenter.data))) == {f"{schedule['a'].lower()}@2027.summit"}
    one = client.get(f"/{SLUG}/programme/sessions/{schedule['b']}.ics")
    assert 'attachment; filename="' in one.headers["Content-Disposition"]
    assert set(events(parse(one.data))) == {f"{schedule['b'].lower()}@2027.summit"}


def test_download_in_spanish_with_lang(client, schedule):
    calendar = parse(client.get(f"/{SLUG}/programme.ics?lang=es").data)
    assert "programa" in str(calendar["X-WR-CALNAME"]).lower()
    assert "Idioma:" in str(calendar.walk("VEVENT")[0]["DESCRIPTION"])


def test_downloads_before_any_release_or_unknown_codes_are_404(client, app, make_summit):
    make_summit(SLUG)
    assert client.get(f"/{SLUG}/programme.ics").status_code == 404
    assert client.get(f"/{SLUG}/programme/sessions/PRO-NOPE.ics").status_code == 404
    assert client.get(f"/{SLUG}/programme/tracks/nope.ics").status_code == 404
    assert client.get(f"/{SLUG}/programme/presenters/nope.ics").status_code == 404


def test_session_page_still_resolves_next_to_its_ics(client, schedule):
    page = client.get(f"/{SLUG}/programme/sessions/{schedule['a']}")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")


def test_release_emails_people_whose_starred_session_moved_in_their_language(client, app, schedule):
    from summit.core.outbox import OutboxMessage

    _with_agenda(client, app, [schedule["a"], schedule["b"]], email="fan@example.org", locale="es")
    client.post("/lang", data={"lang": "es", "next": f"/{SLUG}/agenda"})
    client.get(f"/{SLUG}/agenda")
    _release_moving_a_and_cancelling_c(app, schedule)
    with app.app_context():
        [message] = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.to_email == "fan@example.org")
        ).all()
        assert message.locale == "es"
        assert "agenda" in message.subject.lower()
        assert "Family partnership basics" in message.body_text
        assert "Student voice" not in message.body_text  # B did not change


def test_stars_feed_the_solver_as_attendee_interest(app, schedule, client):
    _with_agenda(client, app, [schedule["a"], schedule["b"]])
    with app.test_request_context():
        from summit.summits.queries import get_summit_by_slug

        summit = get_summit_by_slug(SLUG)
        problem = services.build_draft(summit).problem
        keys = {s.id for s in problem.sessions}
        assert (tuple(sorted((schedule["a"], schedule["b"]))),) == tuple(problem.attendees)
        assert {schedule["a"], schedule["b"]} <= keys


def test_feed_repeat_is_answered_without_building_the_calendar(client, app, schedule, monkeypatch):
    from summit.agenda import services as agenda_services

    _with_agenda(client, app, [schedule["a"]])
    path = _feed_path(client, app)
    etag = client.get(path).headers["ETag"]

    def no_build(*_args, **_kwargs):
        raise AssertionError("the feed was built for a request that is answered with 304")

    monkeypatch.setattr(agenda_services, "list_agenda", no_build)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
