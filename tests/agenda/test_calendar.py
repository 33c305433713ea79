"""The iCal builder and calendar links: pure functions, no app needed.

Every feed is read back with two independent parsers (icalendar and vobject);
vobject resolves TZID through the VTIMEZONE in the file, so a wrong VTIMEZONE
shows up as a wrong instant.
"""

import ast
import re
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

import summit
from summit.agenda.calendar import (
    CalendarItem,
    CalendarMeta,
    build_calendar,
    clean_url,
    covered_range,
    etag_for,
    google_calendar_url,
    inline_text,
    multiline_text,
    outlook_calendar_url,
)

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2027, 9, 1, 12, 0, tzinfo=UTC)
META = CalendarMeta(
    name="Community Schools Summit 2027",
    timezone="America/Los_Angeles",
    description="Every session of the summit.",
    refresh=timedelta(hours=6),
    language="en",
)


def make_item(**values) -> CalendarItem:
    values.setdefault("uid", "session-k3x9@summit.example.org")
    values.setdefault("title", "Family engagement that lasts")
    values.setdefault("starts_at", datetime(2027, 9, 23, 10, 0, tzinfo=LA))
    values.setdefault("ends_at", values["starts_at"] + timedelta(minutes=50))
    values.setdefault("last_modified", datetime(2027, 8, 30, 16, 5, tzinfo=UTC))
    values.setdefault("sequence", 2)
    values.setdefault("location", "Room 204, Sacramento Convention Center")
    values.setdefault("description", "How three districts built parent councils.")
    values.setdefault("url", "https://summit.example.org/2027/sessions/k3x9")
    values.setdefault("categories", ("Family engagement",))
    return CalendarItem(**values)


def parse_both(data: bytes):
    """Parse with both libraries; return (icalendar Calendar, vobject component)."""
    text = data.decode("utf-8")
    return icalendar.Calendar.from_ical(data), vobject.readOne(text, validate=True)


def content_lines(data: bytes) -> list[str]:
    """Unfolded content lines (RFC 5545, 3.1)."""
    return data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


# --- the calendar ------------------------------------------------------------


def test_build_calendar_one_item_has_every_calendar_property():
    data = build_calendar(META, [make_item()], now=NOW)

    calendar, _ = parse_both(data)
    lines = content_lines(data)

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == META.prodid
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "Community Schools Summit 2027"
    assert str(calendar["NAME"]) == "Community Schools Summit 2027"
    assert str(calendar["X-WR-CALDESC"]) == "Every session of the summit."
    assert str(calendar["X-WR-TIMEZONE"]) == "America/Los_Angeles"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines
    assert "X-PUBLISHED-TTL:PT6H" in lines


def test_build_calendar_one_item_event_fields_read_back_in_both_parsers():
    item = make_item()

    calendar, parsed = parse_both(build_calendar(META, [item], now=NOW))

    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "session-k3x9@summit.example.org"
    assert str(event["SUMMARY"]) == "Family engagement that lasts"
    assert str(event["LOCATION"]) == "Room 204, Sacramento Convention Center"
    assert str(event["DESCRIPTION"]) == (
        "How three districts built parent councils.\n\n"
        "https://summit.example.org/2027/sessions/k3x9"
    )
    assert str(event["URL"]) == "https://summit.example.org/2027/sessions/k3x9"
    assert event["CATEGORIES"].cats == ["Family engagement"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["TRANSP"]) == "OPAQUE"
    assert event["SUMMARY"].params["LANGUAGE"] == "en"
    assert parsed.vevent.summary.value == "Family engagement that lasts"
    assert parsed.vevent.dtstart.value == item.starts_at
    assert parsed.vevent.dtend.value == item.ends_at


def test_build_calendar_timestamps_are_utc_and_stamp_is_now():
    item = make_item(last_modified=datetime(2027, 8, 30, 9, 5, 7, 123456, tzinfo=LA))
    now = datetime(2027, 9, 1, 5, 0, tzinfo=LA)

    data = build_calendar(META, [item], now=now)

    lines = content_lines(data)
    assert "DTSTAMP:20270901T120000Z" in lines
    assert "LAST-MODIFIED:20270830T160507Z" in lines
    assert "DTSTART;TZID=America/Los_Angeles:20270923T100000" in lines


def test_build_calendar_every_tzid_has_a_vtimezone():
    items = [
        make_item(uid="a@x", starts_at=datetime(2027, 9, 23, 9, tzinfo=LA)),
        make_item(uid="b@x", starts_at=datetime(2027, 9, 24, 14, tzinfo=UTC)),
    ]

    calendar, _ = parse_both(build_calendar(META, items, now=NOW))

    assert calendar.get_used_tzids() == {"America/Los_Angeles"}
    assert [timezone.tz_name for timezone in calendar.timezones] == ["America/Los_Angeles"]
    assert calendar.get_missing_tzids() == set()


def test_build_calendar_vtimezone_comes_before_events():
    lines = content_lines(build_calendar(META, [make_item()], now=NOW))

    assert lines.index("BEGIN:VTIMEZONE") < lines.index("BEGIN:VEVENT")


def test_build_calendar_uid_and_sequence_survive_a_round_trip():
    items = [
        make_item(uid="session-aaaa@summit.example.org", sequence=0),
        make_item(
            uid="session-bbbb@summit.example.org",
            sequence=7,
            starts_at=datetime(2027, 9, 24, 9, tzinfo=LA),
        ),
    ]

    calendar, parsed = parse_both(build_calendar(META, items, now=NOW))

    assert [(str(e["UID"]), int(e["SEQUENCE"])) for e in calendar.walk("VEVENT")] == [
        ("session-aaaa@summit.example.org", 0),
        ("session-bbbb@summit.example.org", 7),
    ]
    assert [(e.uid.value, int(e.sequence.value)) for e in parsed.vevent_list] == [
        ("session-aaaa@summit.example.org", 0),
        ("session-bbbb@summit.example.org", 7),
    ]


def test_build_calendar_cancelled_item_has_status_cancelled():
    items = [make_item(uid="kept@x"), make_item(uid="gone@x", cancelled=True, sequence=3)]

    calendar, parsed = parse_both(build_calendar(META, items, now=NOW))

    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses == {"gone@x": "CANCELLED", "kept@x": "CONFIRMED"}
    assert {e.uid.value: e.status.value for e in parsed.vevent_list} == statuses


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (date(2027, 3, 14), datetime(2027, 3, 14, 17, 0, tzinfo=UTC)),  # clocks go forward
        (date(2027, 11, 7), datetime(2027, 11, 7, 18, 0, tzinfo=UTC)),  # clocks go back
    ],
)
def test_build_calendar_session_on_dst_change_day_reads_back_at_the_right_instant(
    day, expected_utc
):
    starts_at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=LA)
    item = make_item(starts_at=starts_at)

    calendar, parsed = parse_both(build_calendar(META, [item], now=NOW))

    [event] = calendar.walk("VEVENT")
    assert starts_at.astimezone(UTC) == expected_utc
    assert event.start.astimezone(UTC) == expected_utc
    assert parsed.vevent.dtstart.value.astimezone(UTC) == expected_utc
    assert parsed.vevent.dtend.value.astimezone(UTC) == expected_utc + timedelta(minutes=50)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2027, 3, 14, 9, 59, tzinfo=UTC),  # 01:59 PST, a minute before the jump
        datetime(2027, 3, 14, 10, 0, tzinfo=UTC),  # 03:00 PDT, right after it
        datetime(2027, 3, 14, 10, 30, tzinfo=UTC),  # 03:30 PDT
        datetime(2027, 11, 7, 8, 0, tzinfo=UTC),  # 01:00 PDT, the first 01:00
        datetime(2027, 11, 7, 8, 59, tzinfo=UTC),  # 01:59 PDT
        datetime(2027, 11, 7, 9, 0, tzinfo=UTC),  # 01:00 PST, the second 01:00
        datetime(2027, 11, 7, 10, 0, tzinfo=UTC),  # 02:00 PST
    ],
)
def test_build_calendar_item_next_to_a_clock_change_reads_back_at_the_same_instant(moment):
    item = make_item(starts_at=moment, ends_at=moment + timedelta(minutes=30))

    calendar, parsed = parse_both(build_calendar(META, [item], now=NOW))

    # Compare in UTC: Python never calls a time in a repeated hour equal to one in another zone.
    assert calendar.walk("VEVENT")[0].start.astimezone(UTC) == moment
    assert parsed.vevent.dtstart.value.astimezone(UTC) == moment
    assert parsed.vevent.dtend.value.astimezone(UTC) == moment + timedelta(minutes=30)


def test_build_calendar_second_occurrence_of_repeated_hour_is_written_in_utc():
    # 01:30 happens twice on 2027-11-07; "01:30 Los Angeles" means the first one.
    moment = datetime(2027, 11, 7, 9, 30, tzinfo=UTC)  # the second 01:30 (PST)

    data = build_calendar(META, [make_item(starts_at=moment)], now=NOW)

    assert "DTSTART:20271107T093000Z" in content_lines(data)
    assert "DTEND;TZID=America/Los_Angeles:20271107T022000" in content_lines(data)


def test_vtimezone_los_angeles_2027_changes_at_two_in_the_morning_of_the_old_offset():
    lines = content_lines(build_calendar(META, [make_item()], now=NOW))

    start = lines.index("BEGIN:VTIMEZONE")
    assert lines[start : lines.index("END:VTIMEZONE") + 1] == [
        "BEGIN:VTIMEZONE",
        "TZID:America/Los_Angeles",
        "BEGIN:STANDARD",
        "DTSTART:20261101T020000",
        "TZNAME:PST",
        "TZOFFSETFROM:-0700",
        "TZOFFSETTO:-0800",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:20270314T020000",
        "TZNAME:PDT",
        "TZOFFSETFROM:-0800",
        "TZOFFSETTO:-0700",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:20271107T020000",
        "TZNAME:PST",
        "TZOFFSETFROM:-0700",
        "TZOFFSETTO:-0800",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]


@pytest.mark.parametrize(
    "tzid",
    ["America/Los_Angeles", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe"],
)
def test_vtimezone_alone_agrees_with_zoneinfo_every_half_hour_of_the_year(tzid):
    zone = ZoneInfo(tzid)
    item = make_item(starts_at=datetime(2027, 6, 1, 10, tzinfo=zone))
    data = build_calendar(replace(META, timezone=tzid), [item], now=NOW)
    [timezone] = icalendar.Calendar.from_ical(data).timezones
    from_vtimezone = timezone.to_tz(lookup_tzid=False)
    moments = [
        datetime(2027, 1, 1, 8, tzinfo=UTC) + timedelta(minutes=30 * step)
        for step in range(365 * 48)
    ]

    disagreements = [
        moment
        for moment in moments
        if moment.astimezone(from_vtimezone).utcoffset() != moment.astimezone(zone).utcoffset()
    ]

    assert disagreements == []


def test_vtimezone_zone_without_changes_has_one_standard_observance():
    item = make_item(starts_at=datetime(2027, 9, 23, 10, tzinfo=ZoneInfo("Asia/Kolkata")))

    data = build_calendar(replace(META, timezone="Asia/Kolkata"), [item], now=NOW)

    calendar, parsed = parse_both(data)
    [timezone] = calendar.timezones
    observances = [(c.name, c["TZOFFSETTO"].td) for c in timezone.subcomponents]
    assert observances == [("STANDARD", timedelta(hours=5, minutes=30))]
    assert parsed.vevent.dtstart.value.astimezone(UTC) == datetime(2027, 9, 23, 4, 30, tzinfo=UTC)


def test_build_calendar_utc_feed_writes_utc_times_without_vtimezone():
    item = make_item()

    data = build_calendar(replace(META, timezone="UTC"), [item], now=NOW)

    calendar, parsed = parse_both(data)
    assert calendar.timezones == []
    assert "DTSTART:20270923T170000Z" in content_lines(data)
    assert parsed.vevent.dtstart.value == item.starts_at


def test_covered_range_items_span_whole_local_years():
    items = [make_item(), make_item(starts_at=datetime(2027, 12, 31, 23, 30, tzinfo=LA))]

    assert covered_range(items, LA) == (date(2027, 1, 1), date(2029, 1, 1))
    assert covered_range([make_item()], LA) == (date(2027, 1, 1), date(2028, 1, 1))


# --- hostile text ------------------------------------------------------------


def test_build_calendar_crlf_in_title_adds_no_property():
    item = make_item(
        title="Hi\r\nATTENDEE:evil",
        location="Room 1\nORGANIZER:mailto:evil@example.com",
        description="First\r\nATTENDEE:evil\rX-EVIL:1\nlast",
    )

    data = build_calendar(META, [item], now=NOW)
    calendar, parsed = parse_both(data)

    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Hi ATTENDEE:evil"
    assert str(event["LOCATION"]) == "Room 1 ORGANIZER:mailto:evil@example.com"
    assert str(event["DESCRIPTION"]) == (
        "First\nATTENDEE:evil\nX-EVIL:1\nlast\n\nhttps://summit.example.org/2027/sessions/k3x9"
    )
    assert "ATTENDEE" not in event
    assert "ORGANIZER" not in event
    assert "X-EVIL" not in event
    assert not hasattr(parsed.vevent, "attendee")
    assert len(content_lines(data)) == len(
        content_lines(build_calendar(META, [make_item()], now=NOW))
    )


CONTROLS = [chr(code) for code in [*range(0x00, 0x20), 0x7F, 0x85]] + ["\u2028", "\u2029"]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_build_calendar_control_character_never_reaches_the_output(control):
    item = make_item(
        uid=f"odd{control}uid@x",
        title=f"Before{control}After",
        location=f"Room{control}204",
        description=f"One{control}Two",
        categories=(f"Track{control}A",),
    )

    data = build_calendar(META, [item], now=NOW)

    text = data.decode("utf-8")
    assert control not in text.replace("\r\n", "")
    assert text.replace("\r\n", "").isprintable()
    assert all(line.endswith("\r\n") for line in text.splitlines(keepends=True))
    assert len(content_lines(data)) == len(
        content_lines(build_calendar(META, [make_item()], now=NOW))
    )
    calendar, _ = parse_both(data)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).replace(" ", "") == "BeforeAfter"


def test_build_calendar_long_multibyte_title_folds_at_75_octets_and_reads_back():
    title = "Escuelas comunitarias: niñas, niños y familias 🌱 " * 6
    item = make_item(title=title, description="Descripción larga. " * 20)

    data = build_calendar(META, [item], now=NOW)

    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert all(line.decode("utf-8") for line in physical)
    calendar, parsed = parse_both(data)
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == title.strip()
    assert parsed.vevent.summary.value == title.strip()


# --- determinism and shape ---------------------------------------------------


def test_build_calendar_same_items_in_any_order_give_identical_bytes():
    items = [
        make_item(uid="c@x", starts_at=datetime(2027, 9, 24, 9, tzinfo=LA)),
        make_item(uid="b@x"),
        make_item(uid="a@x"),
    ]

    first = build_calendar(META, items, now=NOW)
    second = build_calendar(META, list(reversed(items)), now=NOW)

    assert first == second
    calendar, _ = parse_both(first)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == ["a@x", "b@x", "c@x"]


def test_build_calendar_no_items_is_a_valid_empty_calendar():
    data = build_calendar(META, [], now=NOW)

    calendar, parsed = parse_both(data)

    assert calendar.walk("VEVENT") == []
    assert calendar.timezones == []
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert parsed.name == "VCALENDAR"
    assert not hasattr(parsed, "vevent")


def test_build_calendar_uses_crlf_line_endings_only():
    text = build_calendar(META, [make_item()], now=NOW).decode("utf-8")

    assert text.endswith("END:VCALENDAR\r\n")
    assert text.replace("\r\n", "").count("\n") == 0
    assert text.replace("\r\n", "").count("\r") == 0


def test_build_calendar_two_items_with_one_uid_raise():
    with pytest.raises(ValueError, match="share a uid"):
        build_calendar(META, [make_item(), make_item()], now=NOW)


def test_build_calendar_naive_now_raises():
    with pytest.raises(ValueError, match="aware"):
        build_calendar(META, [make_item()], now=datetime(2027, 9, 1, 12))


def test_calendar_item_naive_start_raises():
    with pytest.raises(ValueError, match="starts_at must be an aware datetime"):
        make_item(starts_at=datetime(2027, 9, 23, 10))


def test_calendar_item_end_before_start_raises():
    starts_at = datetime(2027, 9, 23, 10, tzinfo=LA)
    with pytest.raises(ValueError, match="end before it starts"):
        make_item(starts_at=starts_at, ends_at=starts_at - timedelta(minutes=1))


def test_calendar_meta_unknown_timezone_raises():
    with pytest.raises(ZoneInfoNotFoundError):
        CalendarMeta(name="Summit", timezone="America/Atlantis")


def test_calendar_meta_zero_refresh_raises():
    with pytest.raises(ValueError, match="positive"):
        CalendarMeta(name="Summit", timezone="UTC", refresh=timedelta(0))


# --- links -------------------------------------------------------------------


def query_of(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    values = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in values.values())
    return {key: value[0] for key, value in values.items()}


def test_google_calendar_url_decodes_back_to_the_item():
    item = make_item(title="Hi & bye = 100% #1", description="Línea uno\nLínea dos")

    url = google_calendar_url(item)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    assert query_of(url) == {
        "action": "TEMPLATE",
        "text": "Hi & bye = 100% #1",
        "dates": "20270923T170000Z/20270923T175000Z",
        "details": "Línea uno\nLínea dos\n\nhttps://summit.example.org/2027/sessions/k3x9",
        "location": "Room 204, Sacramento Convention Center",
    }


def test_outlook_calendar_url_decodes_back_to_the_item():
    item = make_item(title="Hi\r\nthere + you", starts_at=datetime(2027, 11, 7, 10, tzinfo=LA))

    url = outlook_calendar_url(item)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "outlook.live.com",
        "/calendar/0/deeplink/compose",
    )
    assert query_of(url) == {
        "subject": "Hi there + you",
        "startdt": "2027-11-07T18:00:00Z",
        "enddt": "2027-11-07T18:50:00Z",
        "body": "How three districts built parent councils.\n\n"
        "https://summit.example.org/2027/sessions/k3x9",
        "location": "Room 204, Sacramento Convention Center",
        "path": "/calendar/action/compose",
        "rru": "addevent",
    }


def test_google_calendar_url_long_description_is_cut_but_keeps_the_link():
    item = make_item(description="word " * 2000)

    details = query_of(google_calendar_url(item))["details"]

    assert len(details) <= 1500
    assert details.endswith("…\n\nhttps://summit.example.org/2027/sessions/k3x9")


# --- HTTP --------------------------------------------------------------------


def test_etag_for_same_bytes_gives_same_quoted_digest():
    data = build_calendar(META, [make_item()], now=NOW)

    etag = etag_for(data)

    assert etag == etag_for(bytes(data))
    assert etag.startswith('"') and etag.endswith('"')
    assert len(etag) == 66
    assert etag != etag_for(build_calendar(META, [replace(make_item(), sequence=3)], now=NOW))


# --- purity ------------------------------------------------------------------


def test_calendar_module_imports_only_stdlib_and_icalendar():
    path = Path(summit.__file__).parent / "agenda" / "calendar.py"
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])

    assert imported - set(sys.stdlib_module_names) == {"icalendar"}


# --- the text cleaners' shortcut --------------------------------------------------------
# Text with nothing to clean skips the substitutions; these reference cleaners always run
# them, and both must agree on any text at all.

_REF_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_REF_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_REF_SPACES = re.compile(r"[ \t]+")


def _reference_inline(value: str) -> str:
    return _REF_SPACES.sub(" ", _REF_CONTROLS.sub("", _REF_BREAKS.sub(" ", value))).strip()


def _reference_multiline(value: str) -> str:
    text = _REF_CONTROLS.sub("", _REF_BREAKS.sub("\n", value))
    return "\n".join(_REF_SPACES.sub(" ", line).rstrip() for line in text.split("\n")).strip()


def _reference_url(value: str) -> str:
    text = _REF_CONTROLS.sub("", _REF_BREAKS.sub("", value)).strip()
    return quote(text, safe=":/?#[]@!$&'()*+,;=%~")


_AWKWARD = st.text(
    alphabet=st.sampled_from(
        list('ab é,;:/?#%~\\"<>{}^`|\t\n\r\x0b\x0c\x00\x1b\x7f\x85\x9f\xa0\u2028\u2029\u3000')
    )
    | st.characters(blacklist_categories=("Cs",)),  # text from a request is valid UTF-8
    max_size=40,
)


@settings(max_examples=600, deadline=None)
@given(_AWKWARD)
def test_cleaners_agree_with_the_full_substitutions(value):
    assert inline_text(value) == _reference_inline(value)
    assert multiline_text(value) == _reference_multiline(value)
    assert clean_url(value) == _reference_url(value)


@pytest.mark.parametrize(
    "value",
    ["Plain title", "  padded  ", "two  spaces", "tab\there", "line\r\nbreak", "end \nspace",
     "nbsp\xa0\nline", "para\u2028graph", "https://example.org/a b", "https://example.org/ñ?q=\"x\""],
)  # fmt: skip
def test_cleaners_on_known_text(value):
    assert inline_text(value) == _reference_inline(value)
    assert multiline_text(value) == _reference_multiline(value)
    assert clean_url(value) == _reference_url(value)
