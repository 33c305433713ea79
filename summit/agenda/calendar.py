"""iCalendar feeds and "add to calendar" links, as small pure functions.

Plain dataclasses in, bytes (or a URL) out; the clock is passed in as ``now``.
No Flask, no database, no ``summit`` imports: an adapter turns published
sessions into ``CalendarItem`` values and serves the bytes.

Two rules keep calendar clients happy:

* A session's ``uid`` is stable for its whole life (never per version), and
  every change bumps ``sequence`` so clients replace their copy instead of
  adding a second one. A cancelled session stays in the feed with
  ``cancelled=True`` so clients remove it.
* Times are written in the summit's time zone with a matching VTIMEZONE that
  covers every year the items touch, so a session on a day the clocks change
  lands on the right instant.

Output is deterministic for the same input (items sorted by start, then uid),
so ``etag_for`` gives a stable validator as long as ``now`` is stable too:
pass the time the schedule was last published rather than the wall clock if
the feed should be cacheable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import icalendar

METHOD = "PUBLISH"
GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR_URL = "https://outlook.live.com/calendar/0/deeplink/compose"
# Long query strings get cut off by some browsers and by the providers; the
# session page URL always survives the cut.
LINK_DETAILS_LIMIT = 1500

# Everything a parser might take for the end of a line.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# C0 controls (tab aside, it becomes a space), DEL and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t]+")
# Anything but the characters a URI may hold as they are.
_URL_WORK = re.compile(r"[^!#-;=?-\[\]_a-z~]")
# Characters that may stand unescaped in a URI (RFC 3986), "%" for escapes already made.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"
# Zones change offset at most a few times a year, never twice within a day.
_SCAN_STEP = timedelta(hours=6)
_SECOND = timedelta(seconds=1)
_LOOK_BACK = timedelta(days=400)


@dataclass(frozen=True)
class CalendarItem:
    """One session as a calendar event."""

    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    last_modified: datetime
    sequence: int = 0
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False
    categories: tuple[str, ...] = ()
    language: str | None = None

    def __post_init__(self) -> None:
        if not inline_text(self.uid):
            raise ValueError("A calendar item needs a uid.")
        for name in ("starts_at", "ends_at", "last_modified"):
            _require_aware(getattr(self, name), name)
        if self.ends_at < self.starts_at:
            raise ValueError("A calendar item cannot end before it starts.")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative.")


@dataclass(frozen=True)
class CalendarMeta:
    """What the whole feed says about itself."""

    name: str
    timezone: str
    prodid: str = "-//California Community Schools Summit//Summit//EN"
    description: str = ""
    refresh: timedelta = field(default=timedelta(hours=1))
    language: str | None = None

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # raises ZoneInfoNotFoundError for an unknown zone
        if self.refresh <= timedelta(0):
            raise ValueError("The refresh interval must be positive.")


# --- text -------------------------------------------------------------------


def inline_text(value: str) -> str:
    """Text for a one-line property (SUMMARY, LOCATION): breaks become spaces."""
    if value.isprintable() and "  " not in value:  # most titles need nothing
        return value.strip()
    text = _CONTROLS.sub("", _LINE_BREAKS.sub(" ", value))
    return _SPACES.sub(" ", text).strip()


def multiline_text(value: str) -> str:
    """Text for DESCRIPTION: every kind of line break becomes one ``\\n``."""
    # Most abstracts need nothing: no control or break but "\n", no space but single
    # " ", none before a "\n" (``isprintable`` is false for every other control and space).
    if "  " not in value and " \n" not in value and value.replace("\n", "").isprintable():
        return value.strip()
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))
    lines = [_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def clean_url(value: str) -> str:
    """A URL with controls removed and spaces or non-ASCII percent-encoded."""
    if not _URL_WORK.search(value):
        return value
    return quote(_CONTROLS.sub("", _LINE_BREAKS.sub("", value)).strip(), safe=_URI_SAFE)


def item_details(item: CalendarItem, url: str | None = None) -> str:
    """The plain-text description of an item, ending with its URL (``url``: the item's
    URL already cleaned)."""
    return _with_url(multiline_text(item.description), clean_url(item.url) if url is None else url)


def _with_url(description: str, url: str) -> str:
    if not url or url in description:
        return description
    return f"{description}\n\n{url}" if description else url


# --- iCalendar --------------------------------------------------------------


def build_calendar(meta: CalendarMeta, items: Iterable[CalendarItem], *, now: datetime) -> bytes:
    """The whole feed as iCalendar bytes (UTF-8, CRLF, lines folded at 75 octets).

    The header and the VTIMEZONE come from the icalendar library; events are written
    line by line here (escaped and folded as RFC 5545 says), which is several times
    faster for a programme of hundreds of sessions and reads back the same in both
    icalendar and vobject."""
    _require_aware(now, "now")
    ordered = sort_items(items)
    uids = [item.uid for item in ordered]
    if len(set(uids)) != len(uids):
        raise ValueError("Two calendar items share a uid.")
    zone = ZoneInfo(meta.timezone)
    stamp = _compact_utc(now)
    events, uses_tzid = [], False
    for item in ordered:
        lines, local = _event_lines(item, zone=zone, stamp=stamp, language=meta.language)
        events += lines
        uses_tzid |= local
    header = _calendar_header(meta).to_ical()
    assert header.endswith(_CALENDAR_END)
    parts = [header[: -len(_CALENDAR_END)]]
    if uses_tzid:
        first, last = covered_range(ordered, zone)
        parts.append(_vtimezone_bytes(meta.timezone, first, last))
    parts.append("".join([_fold(line) + "\r\n" for line in events]).encode("utf-8"))
    parts.append(_CALENDAR_END)
    return b"".join(parts)


_CALENDAR_END = b"END:VCALENDAR\r\n"
_UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/Zulu", "Zulu", "Universal", "Etc/Universal"})


def _event_lines(
    item: CalendarItem, *, zone: ZoneInfo, stamp: str, language: str | None
) -> tuple[list[str], bool]:
    """The VEVENT's content lines (unfolded) and whether they name the zone's TZID."""
    text = _language_param(item.language or language)
    start, start_local = _date_time(item.starts_at, zone)
    end, end_local = _date_time(item.ends_at, zone)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_escape(inline_text(item.uid))}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{_compact_utc(item.last_modified)}",
        f"SEQUENCE:{item.sequence}",
        f"DTSTART{start}",
        f"DTEND{end}",
        f"SUMMARY{text}:{_escape(inline_text(item.title))}",
    ]
    location = inline_text(item.location)
    if location:
        lines.append(f"LOCATION{text}:{_escape(location)}")
    url = clean_url(item.url)
    details = item_details(item, url)
    if details:
        lines.append(f"DESCRIPTION{text}:{_escape(details)}")
    if url:
        lines.append(f"URL:{url}")
    categories = [_escape(name) for name in map(inline_text, item.categories) if name]
    if categories:
        lines.append(f"CATEGORIES:{','.join(categories)}")
    lines += [
        f"STATUS:{'CANCELLED' if item.cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines, start_local or end_local


def _date_time(value: datetime, zone: ZoneInfo) -> tuple[str, bool]:
    """``;TZID=…:local`` or ``:…Z`` (UTC zones, and the repeated hour), and which."""
    local = wall_clock(value, zone)
    if local.tzinfo is UTC or zone.key in _UTC_ZONES:
        return f":{_compact_utc(local)}", False
    return f";TZID={zone.key}:{local.strftime('%Y%m%dT%H%M%S')}", True


def _escape(value: str) -> str:
    """TEXT value escaping (RFC 5545, 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _language_param(language: str | None) -> str:
    language = inline_text(language or "")
    if not language:
        return ""
    if any(c in language for c in ';:,"'):
        return f';LANGUAGE="{language.replace(chr(34), "")}"'
    return f";LANGUAGE={language}"


def _fold(line: str) -> str:
    """A content line folded at 75 octets of UTF-8 without splitting a character."""
    if line.isascii():  # an octet a character: cut by slicing
        if len(line) <= 75:
            return line
        rest = [line[start : start + 74] for start in range(75, len(line), 74)]
        return "\r\n ".join([line[:75], *rest])  # continuation lines start with a space
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never cut inside a multi-byte character
        parts.append(data[start:end])
        start, limit = end, 74
    return b"\r\n ".join(parts).decode("utf-8")


@lru_cache(maxsize=32)
def _vtimezone_bytes(tzid: str, first: date, last: date) -> bytes:
    return vtimezone(tzid, first, last).to_ical()


def sort_items(items: Iterable[CalendarItem]) -> list[CalendarItem]:
    return sorted(items, key=lambda item: (_utc(item.starts_at), item.uid))


def covered_range(items: Iterable[CalendarItem], zone: ZoneInfo) -> tuple[date, date]:
    """Whole years around the items, so the VTIMEZONE has every change they need."""
    items = list(items)
    first = min(item.starts_at.astimezone(zone) for item in items)
    last = max(item.ends_at.astimezone(zone) for item in items)
    return date(first.year, 1, 1), date(last.year + 1, 1, 1)


def vtimezone(tzid: str, first: date, last: date) -> icalendar.Timezone:
    """A VTIMEZONE for ``tzid`` with every offset change from ``first`` to ``last``.

    It opens with the last change before ``first`` (or, for a zone without
    changes, the offset at ``first``), so a reader never has to guess what was
    in force when it begins. Each observance starts at the change's local time
    in the offset it leaves (RFC 5545, 3.6.5): in Los Angeles the spring change
    is 02:00 at -0800 and the autumn one 02:00 at -0700.
    """
    zone = ZoneInfo(tzid)
    start = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=zone).astimezone(UTC)
    earlier = offset_changes(zone, start - _LOOK_BACK, start)
    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    if earlier:
        changes = [earlier[-1], *offset_changes(zone, start, end)]
    else:
        opening = start.astimezone(zone)
        timezone.add_component(_observance(opening, opening.utcoffset()))
        changes = offset_changes(zone, start, end)
    for change in changes:
        offset_from = (change - _SECOND).astimezone(zone).utcoffset()
        timezone.add_component(_observance(change.astimezone(zone), offset_from))
    return timezone


def offset_changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) where ``zone`` changes offset, name or DST."""
    changes = []
    moment = start
    while moment < end:
        following = min(moment + _SCAN_STEP, end)
        if _observed(zone, moment) != _observed(zone, following):
            changes.append(_first_change(zone, moment, following))
        moment = following
    return changes


def _first_change(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """Bisect to the first second in (low, high] that observes something else than low."""
    state = _observed(zone, low)
    while high - low > _SECOND:
        middle = low + (high - low) // 2
        if _observed(zone, middle) == state:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def _observed(zone: ZoneInfo, moment: datetime) -> tuple:
    local = moment.astimezone(zone)
    return local.utcoffset(), local.dst(), local.tzname()


def _observance(local: datetime, offset_from: timedelta) -> icalendar.Component:
    daylight = bool(local.dst())
    observance = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
    onset = (local.astimezone(UTC) + offset_from).replace(tzinfo=None)
    observance.add("dtstart", onset)
    observance.add("tzoffsetfrom", icalendar.vUTCOffset(offset_from))
    observance.add("tzoffsetto", icalendar.vUTCOffset(local.utcoffset()))
    if local.tzname():
        observance.add("tzname", local.tzname())
    return observance


def _calendar_header(meta: CalendarMeta) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    language = _language(meta.language)
    calendar.add("prodid", inline_text(meta.prodid))
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", METHOD)
    name = inline_text(meta.name)
    calendar.add("name", name, parameters=language)
    calendar.add("x-wr-calname", name, parameters=language)
    description = multiline_text(meta.description)
    if description:
        calendar.add("description", description, parameters=language)
        calendar.add("x-wr-caldesc", description, parameters=language)
    calendar.add("x-wr-timezone", meta.timezone)
    calendar.add("refresh-interval", meta.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(meta.refresh))
    return calendar


def wall_clock(value: datetime, zone: ZoneInfo) -> datetime:
    """The instant as local time in ``zone``, or in UTC where that reading is ambiguous.

    In the hour repeated when the clocks go back, a local time with TZID means
    its first occurrence (RFC 5545, 3.3.5); an instant in the second one is
    written in UTC so it still reads back as the same instant.
    """
    local = _seconds(value.astimezone(zone))
    if local.replace(fold=0).astimezone(UTC) != local.astimezone(UTC):
        return _utc(value)
    return local


def _language(language: str | None) -> dict[str, str] | None:
    language = inline_text(language or "")
    return {"LANGUAGE": language} if language else None


# --- links ------------------------------------------------------------------


def google_calendar_url(item: CalendarItem) -> str:
    """An "Add to Google Calendar" link for one item."""
    query = {
        "action": "TEMPLATE",
        "text": inline_text(item.title),
        "dates": f"{_compact_utc(item.starts_at)}/{_compact_utc(item.ends_at)}",
        "details": _link_details(item),
        "location": inline_text(item.location),
    }
    return f"{GOOGLE_CALENDAR_URL}?{urlencode(query, safe='/', quote_via=quote)}"


def outlook_calendar_url(item: CalendarItem) -> str:
    """An "Add to Outlook" (outlook.com) link for one item."""
    query = {
        "subject": inline_text(item.title),
        "startdt": _iso_utc(item.starts_at),
        "enddt": _iso_utc(item.ends_at),
        "body": _link_details(item),
        "location": inline_text(item.location),
        "path": "/calendar/action/compose",
        "rru": "addevent",
    }
    return f"{OUTLOOK_CALENDAR_URL}?{urlencode(query, safe='/', quote_via=quote)}"


def _link_details(item: CalendarItem) -> str:
    description = multiline_text(item.description)
    url = clean_url(item.url)
    room = LINK_DETAILS_LIMIT - (len(url) + 2 if url else 0)
    if len(description) > room:
        description = description[: max(room - 1, 0)].rstrip() + "…"
    return _with_url(description, url)


# --- HTTP -------------------------------------------------------------------


def etag_for(data: bytes) -> str:
    """A strong ETag for a response body: the quoted SHA-256 hex digest."""
    return f'"{hashlib.sha256(data).hexdigest()}"'


# --- time -------------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime.")


def _seconds(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _utc(value: datetime) -> datetime:
    return _seconds(value.astimezone(UTC))


def _compact_utc(value: datetime) -> str:
    return _utc(value).strftime("%Y%m%dT%H%M%SZ")


def _iso_utc(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
